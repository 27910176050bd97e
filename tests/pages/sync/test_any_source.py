"""Fern's videos are on Fakeflix, not TikTok: her page is made, synced, shown,
scheduled and paused the same way, and nothing she or her visitors read
names TikTok."""

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from accounts.models import User
from pages.models import Page
from pages.source import Profile, VideoItem, creator_connected
from pages.sync import schedule as syncing
from sources.tiktok.models import TikTokConnection
from tests.helpers import BROWSER, png, queued_pages, sync, synced_ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def fern(fake_source, django_capture_on_commit_callbacks):
    """Fern signed in with Fakeflix: her page is made from her profile there."""
    user = User.objects.create(username="fern")
    fake_source.images = {"https://fakeflix.example/fern.jpg": png("green")}
    profile = Profile(
        display_name="Fern Petal",
        username="fernpetal",
        bio="",
        avatar_url="https://fakeflix.example/fern.jpg",
    )
    created = datetime(2026, 11, 1, tzinfo=UTC)
    videos = [
        VideoItem(id=f"ff-{n}", create_time=created + timedelta(days=n), title=f"Repotting {n}")
        for n in (3, 2, 1)
    ]
    fake_source.connect(user, profile, videos)
    with django_capture_on_commit_callbacks(execute=True):
        creator_connected.send(sender="fake", user=user, profile=profile)
    return user


def test_fern_gets_a_page_of_her_source_and_its_first_sync(fern):
    page = Page.objects.get(user=fern)

    assert page.source == "fake" and page.slug == "fernpetal"
    assert queued_pages() == [page.pk]
    assert not TikTokConnection.objects.filter(user=fern).exists()


def test_fern_s_page_syncs_and_shows_her_videos_from_her_source(fern, fake_source):
    assert sync(fern) == "changed"

    page = Page.objects.get(user=fern)
    assert page.display_name == "Fern Petal" and page.avatar
    assert list(page.videos.order_by("-create_time").values_list("external_id", flat=True)) == [
        "ff-3",
        "ff-2",
        "ff-1",
    ]
    text = Client(HTTP_USER_AGENT=BROWSER).get("/@fernpetal").content.decode()
    assert "Fern Petal" in text and "Repotting 3" in text
    assert "https://fakeflix.example/watch/ff-3" in text
    assert "latest Fakeflix videos of @fernpetal" in text
    assert "tiktok.com" not in text and "TikTok videos" not in text


def test_fern_reads_her_source_s_name_on_her_dashboard(fern, client):
    sync(fern)
    client.force_login(fern)

    text = client.get("/dashboard/").content.decode()

    assert "Up to date with Fakeflix." in text and "Refresh from Fakeflix now" in text
    assert "Updates from Fakeflix" in text and "Updates from TikTok" not in text


def test_the_scheduler_syncs_fern_within_her_source_s_limit(fern, fake_source):
    sync(fern)
    synced_ago(Page.objects.filter(user=fern), timedelta(days=2))

    fake_source.rooms = 0
    syncing.enqueue_due_syncs()
    assert queued_pages() == [Page.objects.get(user=fern).pk]  # only the first sync's

    fake_source.rooms = 5
    syncing.enqueue_due_syncs()
    assert queued_pages().count(Page.objects.get(user=fern).pk) == 2


def test_a_pause_at_fern_s_source_stops_her_syncs(fern, fake_source):
    sync(fern)
    page = Page.objects.get(user=fern)
    synced_ago(Page.objects.filter(user=fern), timedelta(days=2))
    fake_source.paused.add(fern.pk)

    syncing.enqueue_due_syncs()

    assert queued_pages() == [page.pk]  # only the first sync's
    assert page.next_sync_at() is None
    assert Page.objects.filter(pk=page.pk).syncable().count() == 0
