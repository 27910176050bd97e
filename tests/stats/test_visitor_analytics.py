"""Alice's numbers are ones she can trust: every person counts, nobody twice,
no bot, no prefetch and not Alice herself; unique visitors are told apart for
a day only, and nothing that could identify a visitor reaches the database."""

import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection, connections
from django.test import Client, RequestFactory

from pages.models import Link
from stats import counting as stats
from stats import visitors
from tests.helpers import BROWSER, count_of, flush_counts, page_of

pytestmark = pytest.mark.django_db

ANDROID = (
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Mobile Safari/537.36"
)
TIKTOK_APP = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Mobile/15E148 musical_ly_34.1.0 JsSdk/2.0 NetType/WIFI BytedanceWebview/d8a21c6"
)


@pytest.fixture
def shop(alice):
    return Link.objects.create(page=page_of(alice), title="Shop", url="https://shop.example.com")


@pytest.fixture
def look(alice):
    return page_of(alice).videos.create(
        external_id="7301",
        create_time="2026-01-01T00:00Z",
        link_url="https://shop.example.com/look",
    )


def person(address, agent=BROWSER, **headers):
    return Client(**{"HTTP_USER_AGENT": agent, "REMOTE_ADDR": address, **headers})


def views_of(page):
    flush_counts()
    return count_of(page, "views")


# What is not counted.


@pytest.mark.parametrize(
    "headers",
    [
        {
            "HTTP_USER_AGENT": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
        },
        {"HTTP_USER_AGENT": "Twitterbot/1.0"},
        {"HTTP_SEC_PURPOSE": "prefetch"},
        {"HTTP_SEC_PURPOSE": "prefetch;prerender"},
        {"HTTP_PURPOSE": "prefetch"},
        {"HTTP_X_MOZ": "prefetch"},
    ],
    ids=["googlebot", "twitterbot", "prefetch", "prerender", "purpose", "x-moz"],
)
def test_bots_and_prefetches_are_not_counted(alice, headers):
    page = page_of(alice)
    for _ in range(2):  # cold, then warm
        assert person("198.51.100.1", **headers).get("/@alice").status_code == 200
    assert views_of(page) == 0
    person("198.51.100.2").get("/@alice")
    assert views_of(page) == 1


def test_a_head_request_is_not_a_view(alice):
    page = page_of(alice)
    for _ in range(2):
        assert person("198.51.100.1").head("/@alice").status_code == 200
    assert views_of(page) == 0


def test_alice_looking_at_her_own_page_and_links_is_not_counted(alice, bob, shop, look):
    page = page_of(alice)
    for who in (alice, bob):
        client = person("198.51.100.7")
        client.force_login(who)
        for _ in range(2):
            assert client.get("/@alice").status_code == 200
        assert client.get(f"/l/{shop.pk}").status_code == 302
        assert client.post(f"/l/v{look.pk}/play").status_code == 204
    # Only Bob, signed in but not the owner, counts.
    assert views_of(page) == 1
    assert count_of(page, "link_clicks") == 1
    assert count_of(page, "video_plays") == 1


def test_a_second_click_on_the_same_link_within_30_seconds_counts_once(shop, look):
    page = shop.page
    carol = person("198.51.100.3")
    for _ in range(5):
        carol.get(f"/l/{shop.pk}")
        carol.get(f"/l/v{look.pk}")
        carol.post(f"/l/v{look.pk}/play")
    flush_counts()
    assert count_of(page, "link_clicks", str(shop.pk)) == 1
    assert count_of(page, "video_link_clicks", "7301") == 1
    assert count_of(page, "video_plays", "7301") == 1


# Plays, sources, devices.


def test_a_play_is_reported_by_the_player_and_counted(look):
    page = look.page
    answer = person("198.51.100.3").post(f"/l/v{look.pk}/play")
    assert answer.status_code == 204 and not answer.cookies
    assert person("198.51.100.4").get(f"/l/v{look.pk}/play").status_code == 405
    bot = person("198.51.100.5", agent="Mozilla/5.0 (compatible; bingbot/2.0)")
    assert bot.post(f"/l/v{look.pk}/play").status_code == 204
    look.hidden = True
    look.save()
    assert person("198.51.100.6").post(f"/l/v{look.pk}/play").status_code == 404
    flush_counts()
    assert count_of(page, "video_plays", "7301") == 1


def test_the_public_page_tells_the_player_where_to_report_a_play(alice, look):
    html = person("198.51.100.3").get("/@alice").content.decode()
    assert f'data-play="/l/v{look.pk}/play"' in html


def test_where_visitors_come_from_and_what_they_use_is_counted(alice):
    page = page_of(alice)
    person("198.51.100.1", HTTP_REFERER="https://www.tiktok.com/@alice").get(
        "/@alice", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9"
    )
    person("198.51.100.2", agent=TIKTOK_APP).get("/@alice", HTTP_ACCEPT_LANGUAGE="de-DE")
    person("198.51.100.3", agent=ANDROID, HTTP_REFERER="https://www.google.co.uk/").get("/@alice")
    person("198.51.100.4", agent=ANDROID).get("/@alice?utm_source=tiktok_bio")
    flush_counts()
    assert count_of(page, "source", "tiktok.com") == 2
    assert count_of(page, "source", "google") == 1
    assert count_of(page, "source", "utm:tiktok_bio") == 1
    assert count_of(page, "device", "phone") == 4
    assert count_of(page, "browser", "TikTok") == 1
    assert count_of(page, "browser", "Chrome Mobile") == 2
    assert count_of(page, "language", "en-us") == 1
    assert count_of(page, "language", "de-de") == 1
    assert count_of(page, "language", "unknown") == 2


def test_made_up_referrers_cannot_fill_the_table(alice):
    page = page_of(alice)
    for n in range(stats.MAX_SUBJECTS + 20):
        person(f"10.0.0.{n}", HTTP_REFERER=f"https://spam{n}.example/").get("/@alice")
    flush_counts()
    sources = page.daily_counts.filter(metric="source")
    assert sources.count() == stats.MAX_SUBJECTS + 1
    assert count_of(page, "source", "other") == 20
    assert count_of(page, "source") == stats.MAX_SUBJECTS + 20


# Unique visitors.


@pytest.mark.skipif(
    "redis" in __import__("django.conf").conf.settings.CACHES["default"]["BACKEND"].lower(),
    reason="Redis expires keys by its own clock, which the test cannot move",
)
def test_unique_visitors_are_told_apart_for_a_day_and_not_after(alice):
    page = page_of(alice)
    carol, dave = person("198.51.100.3"), person("198.51.100.4")
    with time_machine.travel("2026-06-01T08:00:00Z", tick=False) as clock:
        carol.get("/@alice")
        clock.shift(timedelta(hours=2))  # another visit, the same visitor
        carol.get("/@alice")
        flush_counts()
        assert (count_of(page, "views"), count_of(page, "visitors")) == (2, 1)
        dave.get("/@alice")
        flush_counts()
        assert (count_of(page, "views"), count_of(page, "visitors")) == (3, 2)
        request = RequestFactory().get("/@alice", REMOTE_ADDR="198.51.100.3")
        today = visitors.visitor_hash(request, about=page.pk)
        clock.shift(timedelta(days=1))
        tomorrow = visitors.visitor_hash(request, about=page.pk)
        assert today != tomorrow  # a new salt: yesterday's hashes match nothing
        carol.get("/@alice")
        flush_counts()
        assert count_of(page, "visitors") == 3
        assert page.daily_counts.filter(metric="visitors").count() == 2


def test_the_days_salt_lives_only_in_the_cache():
    day = visitors.day_of()
    visitors.forget_salts()
    salt = visitors._day_key(day)
    assert cache.get(f"pages:visitors:salt:{day}") == salt
    assert visitors._day_key(day + 1) != salt


def test_a_day_of_traffic_leaves_no_address_or_hash_in_any_table(alice, shop, look):
    page = page_of(alice)
    people = [
        (f"203.0.113.{n}", agent) for n, agent in enumerate([BROWSER, ANDROID, TIKTOK_APP], 7)
    ]
    people.append(("2001:db8::beef", ANDROID))
    for address, agent in people:
        visitor = person(address, agent=agent, HTTP_REFERER="https://www.tiktok.com/")
        visitor.get("/@alice")
        visitor.get(f"/l/{shop.pk}")
        visitor.get(f"/l/v{look.pk}")
        visitor.post(f"/l/v{look.pk}/play")
        visitor.post("/@alice/report", {"reason": "spam", "message": "spam"})
    flush_counts()
    assert count_of(page, "visitors") == len(people)
    needles = {"203.0.113.", "2001:db8::beef"}
    for address, agent in people:
        request = RequestFactory().get("/", REMOTE_ADDR=address, HTTP_USER_AGENT=agent)
        needles |= {visitors.visitor_hash(request), visitors.visitor_hash(request, about=page.pk)}
    needles |= {salt.hex() for salt in visitors._salts.values()}
    hits = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (names from the database)
            for row in cursor.fetchall():
                text = " ".join(
                    value.hex() if isinstance(value, bytes | memoryview) else str(value)
                    for value in row
                )
                hits += [(table, needle) for needle in needles if needle in text]
    assert hits == []


def test_public_pages_clicks_and_plays_set_no_cookie(alice, shop, look):
    visitor = person("198.51.100.3")
    answers = [
        visitor.get("/@alice"),  # cold
        visitor.get("/@alice"),  # warm
        visitor.get("/@alice?utm_source=tiktok"),
        visitor.get(f"/l/{shop.pk}"),
        visitor.get(f"/l/v{look.pk}"),
        visitor.post(f"/l/v{look.pk}/play"),
    ]
    assert [a.status_code for a in answers] == [200, 200, 200, 302, 302, 204]
    assert [a for a in answers if a.cookies or a.has_header("Set-Cookie")] == []


# Exact under concurrency, on both stacks.

CLICKERS = 40


@pytest.mark.django_db(transaction=True)
def test_many_people_clicking_at_once_count_exactly_once_each():
    if connection.vendor == "sqlite":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serializes them)")
    from tests.helpers import give_page, make_creator

    page = give_page(make_creator("alice"))
    link = Link.objects.create(page=page, title="Shop", url="https://shop.example.com")
    start = threading.Barrier(CLICKERS)
    errors, answers = [], []

    def click(n):
        try:
            start.wait()
            answers.append(person(f"10.1.{n // 200}.{n % 200}").get(f"/l/{link.pk}").status_code)
            stats.write_pending()  # every process stores at the same moment
        except Exception as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=click, args=(n,)) for n in range(CLICKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and answers == [302] * CLICKERS
    if stats.counts_in_cache():  # two schedulers moving the same minutes at once
        cache.delete(stats.LAST_FLUSH_KEY)

        def flush():
            stats.flush_views(now=time.time() + 180)
            connections.close_all()

        flushers = [threading.Thread(target=flush) for _ in range(2)]
        for thread in flushers:
            thread.start()
        for thread in flushers:
            thread.join()
    else:
        stats.write_pending()
    link.refresh_from_db()
    assert count_of(page, "link_clicks", str(link.pk)) == CLICKERS
    assert link.clicks == CLICKERS


def test_counts_from_several_processes_in_one_minute_add_up(alice):
    page = page_of(alice)
    hour = stats._hour()
    for _ in range(3):
        stats.store_counts(Counter({(page.pk, hour, "views", ""): 4}))
    flush_counts()
    assert count_of(page, "views") == 12
    assert page.hourly_counts.get(metric="views").count == 12
