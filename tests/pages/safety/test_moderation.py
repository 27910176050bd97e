"""The site stays clean: blocked sites vanish from every page at once, reports
never crash, and suspended pages take their pictures with them."""

import pytest
from django.core.cache import cache

from pages import publish
from pages.models import BlockedDomain, Link, Page
from stats import visitors
from tests.helpers import page_of, sync

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_page(alice, tiktok, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sync(alice)
    page = page_of(alice)
    Link.objects.create(page=page, title="Free giveaway", url="https://win.spam.example/now")
    Link.objects.create(
        page=page, title="My merch shop", url="https://shop.example.com", position=2
    )
    publish.page_changed(page)
    return page


def test_a_newly_blocked_site_leaves_the_page_at_once(alice_page, visitor):
    alice_page.videos.filter(title="Video number 1").update(link_url="https://spam.example/look")
    publish.page_changed(alice_page)
    html = visitor.get("/@alice").content.decode()  # cached
    assert "Free giveaway" in html and "Shop this look" in html
    blocked = BlockedDomain.objects.create(domain="Spam.Example")
    html = visitor.get("/@alice").content.decode()
    assert "Free giveaway" not in html and "Shop this look" not in html
    assert "My merch shop" in html and "Video number 1" in html
    blocked.delete()
    html = visitor.get("/@alice").content.decode()
    assert "Free giveaway" in html and "Shop this look" in html


def test_a_blocked_site_never_shows_on_a_freshly_rendered_page(alice_page, visitor):
    BlockedDomain.objects.bulk_create([BlockedDomain(domain="spam.example")])  # no signals
    publish.page_changed(alice_page)
    html = visitor.get("/@alice").content.decode()
    assert "Free giveaway" not in html and "My merch shop" in html


class EvictingCache:
    """The cache, but every counter is evicted just before it is incremented."""

    def __getattr__(self, name):
        return getattr(cache, name)

    def incr(self, key, delta=1):
        cache.delete(key)
        return cache.incr(key, delta)


def test_a_report_is_received_even_when_its_counter_was_just_evicted(
    alice_page, visitor, monkeypatch
):
    monkeypatch.setattr(visitors, "cache", EvictingCache())
    response = visitor.post("/@alice/report", {"reason": "spam", "message": "Fake giveaway"})
    assert response.status_code == 200
    assert "Thank you" in response.content.decode()
    assert alice_page.reports.get().message == "Fake giveaway"


def test_a_suspended_pages_pictures_are_no_longer_served(alice_page, visitor):
    cover = alice_page.videos.first().cover.url
    assert visitor.get(alice_page.avatar.url).status_code == 200
    assert visitor.get(cover).status_code == 200
    alice_page.is_suspended = True  # as the admin suspends a page
    alice_page.save(update_fields=["is_suspended"])
    publish.page_changed(alice_page)
    assert visitor.get(alice_page.avatar.url).status_code == 404
    assert visitor.get(cover).status_code == 404
    Page.objects.filter(pk=alice_page.pk).update(is_suspended=False)
    assert visitor.get(alice_page.avatar.url).status_code == 200
