"""Alice's numbers cannot be pumped up: a visitor counts once per link every
30 seconds and once per page every 30 minutes, however often they hit it,
while every click still goes where it should. Nothing identifying a visitor
is stored, and a warm view writes nothing to the cache or the database."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pages.models import Link, Page
from stats import counting as stats
from tests.helpers import BROWSER, count_of, flush_counts, page_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(alice):
    return Link.objects.create(page=page_of(alice), title="Shop", url="https://shop.example.com")


def visitor_at(address):
    return Client(HTTP_USER_AGENT=BROWSER, REMOTE_ADDR=address)


def clicks(link):
    flush_counts()
    link.refresh_from_db()
    return link.clicks, count_of(link.page, "link_clicks", str(link.pk))


def views(page):
    flush_counts()
    return count_of(page, "views")


def test_500_clicks_in_a_burst_count_once_and_all_go_through(shop):
    mallory = visitor_at("203.0.113.66")
    answers = [mallory.get(f"/l/{shop.pk}") for _ in range(500)]
    assert {a.status_code for a in answers} == {302}
    assert {a["Location"] for a in answers} == {"https://shop.example.com"}
    assert clicks(shop) == (1, 1)
    visitor_at("198.51.100.2").get(f"/l/{shop.pk}")
    assert clicks(shop) == (2, 2)


def test_a_shop_this_look_link_counts_once_per_visitor_too(alice):
    video = page_of(alice).videos.create(
        external_id="1", create_time="2026-01-01T00:00Z", link_url="https://shop.example.com/look"
    )
    mallory = visitor_at("203.0.113.66")
    for _ in range(50):
        assert mallory.get(f"/l/v{video.pk}").status_code == 302
    flush_counts()
    assert count_of(page_of(alice), "video_link_clicks", "1") == 1


@pytest.mark.skipif(
    "redis" in __import__("django.conf").conf.settings.CACHES["default"]["BACKEND"].lower(),
    reason="Redis expires keys by its own clock, which the test cannot move",
)
def test_the_same_visitor_clicking_again_after_30_seconds_counts_again(shop):
    carol = visitor_at("198.51.100.3")
    with time_machine.travel(0, tick=False) as clock:
        clock.move_to("2026-06-01T12:00:00Z")
        carol.get(f"/l/{shop.pk}")
        clock.shift(timedelta(seconds=20))
        carol.get(f"/l/{shop.pk}")
        clock.shift(timedelta(seconds=11))
        carol.get(f"/l/{shop.pk}")
    assert clicks(shop) == (2, 2)


def test_a_visitor_reloading_the_page_counts_once_per_half_hour(alice, monkeypatch):
    monkeypatch.setattr(stats, "counts_in_cache", lambda: False)  # straight to the daily rows
    page = page_of(alice)
    mallory = visitor_at("203.0.113.66")
    with time_machine.travel("2026-06-01T12:00:00Z", tick=False) as clock:
        for _ in range(200):
            assert mallory.get("/@alice").status_code == 200
        visitor_at("198.51.100.4").get("/@alice")
        assert views(page) == 2
        clock.shift(timedelta(minutes=29))
        mallory.get("/@alice")
        assert views(page) == 2
        clock.shift(timedelta(minutes=2))
        mallory.get("/@alice")
        assert views(page) == 3


def test_a_warm_view_writes_nothing_to_the_cache_or_the_database(alice, monkeypatch):
    from django.core.cache import caches

    cache = caches["default"]
    Page.objects.update(last_synced_at=timezone.now())  # fresh: visits ask for no sync
    visitor = visitor_at("198.51.100.5")
    visitor.get("/@alice")  # warm
    stats.write_pending()
    writes = []

    def recording(name, real):
        return lambda *args, **kwargs: writes.append(name) or real(*args, **kwargs)

    for name in ("set", "add", "incr", "set_many", "delete", "touch"):
        monkeypatch.setattr(cache, name, recording(name, getattr(cache, name)))
    with CaptureQueriesContext(connection) as queries:
        for n in range(20):
            assert visitor_at(f"192.0.2.{n}").get("/@alice").status_code == 200
    assert writes == []
    assert queries.captured_queries == []
