"""TikTok's scope_permission_missed is about one creator's token (it lacks a
scope some requested fields need): that creator is asked to grant again and
keeps their page as it is, and every other creator syncs as before.

TikTok is the sandbox behind live_server; a fault armed for one account
answers that account's calls with the code, as TikTok does.
"""

import html
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from pages.models import Page
from sandbox import testing as sandbox
from sources.tiktok import breakers
from sources.tiktok.client import TokenSet
from sources.tiktok.models import TikTokConnection
from tests.helpers import (
    connect_through_sandbox,
    give_page,
    page_of,
    pin_oldest_beyond_the_list,
    sync,
    use_sandbox_as_tiktok,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def sandbox_tiktok(live_server, settings, monkeypatch):
    use_sandbox_as_tiktok(live_server, settings, monkeypatch)


def connected(name, video_count=3, **profile):
    """A creator connected through the sandbox with every scope, page synced once."""
    sandbox.create_account(name, video_count=video_count, **profile)
    user = connect_through_sandbox(name)
    give_page(user)
    assert sync(user) == "changed"
    return user


def dashboard_of(user, path="/dashboard/"):
    browser = Client()
    browser.force_login(user)
    return browser, html.unescape(browser.get(path).content.decode())


def test_a_token_missing_a_scope_asks_that_creator_to_grant_again_and_no_one_else():
    alice = connected("alice", display_name="Alice", bio_description="Songs")
    bob = connected("bob", display_name="Bob")
    shown = page_of(alice)
    sandbox.create_account("alice", display_name="Alice Renamed", video_count=3)
    sandbox.create_account("bob", display_name="Bob Renamed", video_count=3)
    sandbox.add_fault(
        "user.info", "api_error", error="scope_permission_missed", account="alice", times=50
    )

    assert sync(alice) == "reconnect"
    assert sync(bob) == "changed"

    # Alice's page keeps what it showed; Bob's follows TikTok.
    page = page_of(alice)
    assert (page.display_name, page.bio, page.videos.count()) == ("Alice", "Songs", 3)
    assert page.version == shown.version
    assert page_of(bob).display_name == "Bob Renamed"
    # Nothing held against TikTok or the other creators.
    assert not breakers.is_open("user.info")
    assert page_of(bob).sync_backoff_until is None
    # Visits of Alice's page do not spend a call a minute on the same answer.
    assert page.sync_backoff_until is not None and page.sync_failures == 0

    browser, dashboard = dashboard_of(alice)
    assert "Grant the rest on TikTok" in dashboard
    assert "Reconnect TikTok" not in dashboard
    assert "Grant the rest on TikTok" in dashboard_of(alice, "/dashboard/data/")[1]
    assert "Grant the rest on TikTok" not in dashboard_of(bob)[1]

    # The button asks TikTok for every scope again, though none is missing on our side.
    answer = browser.post("/dashboard/data/grant/")
    assert answer.status_code == 302
    asked = parse_qs(urlsplit(answer["Location"]).query)["scope"][0].split(",")
    assert set(asked) == set(TikTokConnection.objects.get(user=alice).scopes)


def test_granting_again_ends_the_request_and_the_page_syncs(django_capture_on_commit_callbacks):
    from sources.tiktok.connect import connect_creator

    alice = connected("alice", display_name="Alice")
    sandbox.add_fault(
        "user.info", "api_error", error="scope_permission_missed", account="alice", times=1
    )
    assert sync(alice) == "reconnect"

    answer = sandbox.grant("alice")
    token_set = TokenSet(
        access_token=answer["access_token"],
        refresh_token=answer["refresh_token"],
        open_id=answer["open_id"],
        scopes=answer["scope"].split(","),
        expires_in=answer["expires_in"],
        refresh_expires_in=answer["refresh_expires_in"],
    )
    sandbox.create_account("alice", display_name="Alice Again", video_count=3)
    with django_capture_on_commit_callbacks(execute=True):
        connect_creator(alice, token_set, {"open_id": answer["open_id"]})

    assert "Grant the rest on TikTok" not in dashboard_of(alice)[1]
    assert sync(alice) == "changed"
    assert Page.objects.get(user=alice).display_name == "Alice Again"


def test_a_creator_whose_sync_works_again_is_no_longer_told_their_page_is_held():
    """TikTok answered scope_permission_missed once; the next day's sync works
    and the page follows TikTok again: nothing asks Alice to grant again."""
    alice = connected("alice", display_name="Alice")
    sandbox.add_fault(
        "user.info", "api_error", error="scope_permission_missed", account="alice", times=1
    )
    assert sync(alice) == "reconnect"
    assert "Grant the rest on TikTok" in dashboard_of(alice)[1]

    sandbox.create_account("alice", display_name="Alice Again", video_count=3)
    with time_machine.travel(timezone.now() + timedelta(days=1, hours=1)):
        assert sync(alice) == "changed"
        assert page_of(alice).display_name == "Alice Again"
        assert "Grant the rest on TikTok" not in dashboard_of(alice)[1]
        assert "Grant the rest on TikTok" not in dashboard_of(alice, "/dashboard/data/")[1]
        assert "keeps its current content" not in dashboard_of(alice)[1]


def test_a_cover_refresh_refused_for_a_scope_does_not_tell_a_syncing_creator_their_page_is_held(
    settings,
):
    """Only the refresh of a pinned video's cover is answered
    scope_permission_missed; the sync itself works, so Alice is not told her
    page keeps its current content."""
    alice = connected("alice", video_count=30, display_name="Alice")
    oldest = pin_oldest_beyond_the_list(alice)

    sandbox.add_fault(
        "video.query", "api_error", error="scope_permission_missed", account="alice", times=50
    )
    sandbox.create_account("alice", display_name="Alice Renamed", video_count=30)
    later = timezone.now() + timedelta(seconds=settings.COVER_REFRESH_SECONDS + 3600)
    with time_machine.travel(later):
        assert sync(alice) == "changed"
        assert sandbox.stats()["calls"]["video.query"] == 1  # the refresh was asked
        assert page_of(alice).display_name == "Alice Renamed"
        dashboard = dashboard_of(alice)[1]
        assert "Grant the rest on TikTok" not in dashboard
        assert "keeps its current content" not in dashboard
        assert page_of(alice).videos.filter(pk=oldest.pk).exists()  # nothing said it is gone
