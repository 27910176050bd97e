"""When Alice pauses updates, disconnects TikTok or has to reconnect, her page's
visitors stop asking for syncs at once; when she resumes, they start again."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from pages.models import Page
from sources.tiktok import client
from sources.tiktok.client import InvalidGrant, TokenInvalid
from sources.tiktok.models import TikTokConnection
from tests.helpers import page_of, queued_pages, sync

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_queue")]


def visit_later(visitor, hours=2):
    """A visit once the snapshot the visitor's cache knows is stale."""
    with time_machine.travel(timezone.now() + timedelta(hours=hours), tick=False):
        assert visitor.get("/@alice").status_code == 200


def pause(alice_client, monkeypatch):
    alice_client.post("/dashboard/data/pause/")


def disconnect(alice_client, monkeypatch):
    monkeypatch.setattr(client, "revoke", lambda access_token, **kwargs: None)
    alice_client.post("/dashboard/data/disconnect/")


@pytest.mark.parametrize("stop", [pause, disconnect])
def test_a_stopped_page_queues_no_sync_when_visited(
    alice, alice_client, tiktok, visitor, monkeypatch, stop
):
    sync(alice)
    assert visitor.get("/@alice").status_code == 200  # the page's state is cached
    stop(alice_client, monkeypatch)
    assert not TikTokConnection.objects.get(user=alice).can_sync
    visit_later(visitor)
    visit_later(visitor, hours=3)
    assert queued_pages() == []


def test_a_resumed_page_is_synced_again_when_visited(alice, alice_client, tiktok, visitor):
    sync(alice)
    assert visitor.get("/@alice").status_code == 200  # the page's state is cached
    alice_client.post("/dashboard/data/pause/")
    visit_later(visitor)
    alice_client.post("/dashboard/data/resume/")
    visit_later(visitor, hours=3)
    assert queued_pages() == [page_of(alice).pk]


def test_a_page_that_needs_reconnecting_stops_asking_for_syncs(alice, tiktok, visitor, monkeypatch):
    sync(alice)
    assert visitor.get("/@alice").status_code == 200
    tiktok.fault = TokenInvalid("access_token_invalid", http_status=401)

    def refuse(refresh_token, *, user=None):
        raise InvalidGrant("invalid_grant", "refresh token revoked")

    monkeypatch.setattr(client, "refresh_access_token", refuse)
    Page.objects.filter(user=alice).update(last_synced_at=None)
    assert sync(alice) == "reconnect"
    visit_later(visitor)
    assert queued_pages() == []


def test_a_skipped_sync_notes_when_it_was_tried(alice, tiktok):
    TikTokConnection.objects.filter(user=alice).update(sync_paused=True)
    assert sync(alice) == "skipped"
    assert page_of(alice).last_sync_attempt_at is not None
