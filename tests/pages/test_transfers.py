"""What each update from TikTok brought: a short line per sync on "Your data"
and in the export, kept as long as the request history, never a value or a token."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from pages.transfers import Transfer, prune_transfers
from tests.helpers import page_of, sync

pytestmark = pytest.mark.django_db


def test_each_sync_says_what_it_received_and_what_changed(alice, tiktok, client):
    assert sync(alice) == "changed"
    tiktok.profile["bio_description"] = "Songs every Sunday"
    tiktok.profile["display_name"] = "Alice Sings Live"
    tiktok.videos[0]["title"] = "A new title"
    tiktok.videos.pop()  # one deleted on TikTok
    tiktok.add_video()
    assert sync(alice) == "changed"
    assert sync(alice) == "unchanged"

    first, second, third = Transfer.objects.order_by("created", "id")
    assert first.summary == (
        "profile: name, bio, verified badge, followers, profile link, avatar changed; "
        "5 videos: 5 new"
    )
    assert (
        second.summary == "profile: name, bio changed; 5 videos: 1 new, 1 removed, 1 title changed"
    )
    assert third.summary == "profile: unchanged; 5 videos: unchanged"
    client.force_login(alice)
    your_data = client.get("/dashboard/data/").content.decode()
    assert "What each update brought" in your_data
    assert "profile: name, bio changed; 5 videos: 1 new, 1 removed, 1 title changed" in your_data
    exported = client.get("/dashboard/data/export/").json()["page"]["transfers"]
    assert [t["summary"] for t in exported] == [third.summary, second.summary, first.summary]
    assert "act.alice" not in str(exported) and "Songs every Sunday" not in str(exported)


def test_summaries_go_with_the_request_history(alice, tiktok, settings):
    sync(alice)
    page = page_of(alice)
    later = timezone.now() + timedelta(days=settings.API_CALL_RETENTION_DAYS + 1)

    with time_machine.travel(later):
        assert prune_transfers() == 1

    assert not page.transfers.exists()
    assert ("pages.transfers.prune_transfers", 6 * 3600) in settings.SCHEDULED_JOBS
