"""What other parts of the product rely on: page creation, freshness, export."""

from datetime import timedelta

import pytest
from django.utils import timezone

from pages import publish
from pages.models import Link, Page
from pages.source import Profile
from sources.tiktok.models import TikTokConnection
from sources.tiktok.source import to_profile
from stats import counting as stats
from tests.helpers import make_creator, page_of, sync

pytestmark = pytest.mark.django_db


def test_new_pages_get_a_free_slug_never_a_reserved_word(db):
    admin = make_creator("admin")
    page = Page.create_for(admin, Profile(username="admin", display_name="Admin"))
    assert page.slug == "admin2"
    other = make_creator("other")
    assert Page.create_for(other, Profile(username="ADMIN2", display_name="x")).slug == "admin22"


def top_level_names(patterns):
    """The first segment of every path the site answers, however deep its includes."""
    from django.urls import URLResolver

    names = set()
    for pattern in patterns:
        route = str(pattern.pattern).lstrip("^")
        first = route.split("/")[0].rstrip("$")
        if isinstance(pattern, URLResolver) and not first:
            names |= top_level_names(pattern.url_patterns)
        elif first and not first.startswith("@") and "<" not in first and "(" not in first:
            names.add(first)
    return names


def test_every_top_level_path_of_the_site_is_kept_from_creators():
    from django.urls import get_resolver

    names = top_level_names(get_resolver().url_patterns)
    assert {"readyz", "metrics", "webhooks", "dashboard", "sandbox"} <= names
    assert sorted(name for name in names if not Page.is_reserved(name)) == []
    for name in names:
        owner = make_creator(f"c{abs(hash(name))}")
        assert Page.create_for(owner, Profile(username=name, display_name=name)).slug != name


def test_create_for_keeps_the_profile_it_is_given(db):
    user = make_creator("erin")
    page = Page.create_for(
        user,
        to_profile(
            {
                "username": "erin",
                "display_name": "Erin",
                "bio_description": "Hi <b>there</b>",
                "follower_count": 7,
                "open_id": "x",
            }
        ),
    )
    assert page.slug == "erin" and page.display_name == "Erin"
    assert page.bio == "Hi <b>there</b>" and page.follower_count == 7


def test_next_sync_is_within_a_day_and_sooner_when_a_visitor_finds_the_page_stale(
    alice, tiktok, settings
):
    sync(alice)
    page = page_of(alice)
    now = timezone.now()
    # Within a day of its last sync, a little early so that a busy hour cannot make it late.
    day = timedelta(seconds=settings.PAGE_IDLE_REFRESH_SECONDS)
    assert page.last_synced_at + day * 0.9 < page.next_sync_at(now) < page.last_synced_at + day
    # A visit after the snapshot goes stale starts a sync sooner.
    assert page.visit_syncs_after(page.next_sync_at(now)) == page.stale_at()
    # Once a visitor found it stale, it is due now, never at a moment already past.
    later = now + timedelta(seconds=settings.PAGE_REFRESH_SECONDS + 60)
    Page.objects.filter(pk=page.pk).update(**stats.viewed_state(later - timedelta(seconds=30)))
    assert page_of(alice).next_sync_at(later) == later
    TikTokConnection.objects.filter(user=alice).update(status="revoked")
    assert page_of(alice).next_sync_at() is None
    assert page_of(alice).visit_syncs_after(page_of(alice).next_sync_at()) is None


def test_export_holds_everything_of_the_page(alice, tiktok):
    sync(alice)
    page = page_of(alice)
    Link.objects.create(page=page, title="Shop", url="https://shop.example.com")
    page.videos.update(hidden=True)
    data = page.export()
    assert data["url"].endswith("/@alice")
    assert data["profile"]["display_name"] == "Alice Sings"
    assert data["links"][0]["url"] == "https://shop.example.com"
    assert len(data["videos"]) == 5 and all(v["hidden"] for v in data["videos"])
    assert data["settings"]["theme"] == "classic"


def test_bump_version_changes_the_version(alice):
    page = page_of(alice)
    before = page.version
    publish.page_changed(page)
    assert page.version == before + 1 == Page.objects.get(pk=page.pk).version
