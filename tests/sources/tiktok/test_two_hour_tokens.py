"""Tokens as TikTok's newer pages issue them: access for 2 hours, refresh for 180
days from the first issuance, both `expires_in` the remaining lifetime. The
sandbox issues them so by default; TikTok is the sandbox behind live_server."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from sandbox import testing as sandbox
from sources.tiktok import client as tiktok
from sources.tiktok.jobs import refresh_expiring_tokens
from sources.tiktok.models import TikTokConnection
from tests.helpers import (
    connect_through_sandbox,
    give_page,
    sync,
    use_sandbox_as_tiktok,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def sandbox_tiktok(live_server, settings, monkeypatch):
    use_sandbox_as_tiktok(live_server, settings, monkeypatch)


@pytest.fixture
def maya():
    """Maya signed in through the sandbox (its default lifetimes), with her page."""
    sandbox.create_account("maya", video_count=3)
    user = connect_through_sandbox("maya")
    give_page(user)
    return user


def test_the_sandbox_issues_two_hour_access_and_180_day_refresh_tokens():
    assert settings.TIKTOK_SANDBOX_ACCESS_TOKEN_SECONDS == 2 * 3600
    assert settings.TIKTOK_SANDBOX_REFRESH_TOKEN_SECONDS == 180 * 86400
    sandbox.create_account("maya")
    answer = sandbox.grant("maya")
    assert (answer["expires_in"], answer["refresh_expires_in"]) == (7200, 15552000)


def test_a_sync_after_two_hours_refreshes_first_and_the_refresh_token_keeps_its_end(maya):
    first = TikTokConnection.objects.get(user=maya)
    ends = first.refresh_expires_at

    with time_machine.travel(timezone.now() + timedelta(hours=2, minutes=1)):
        assert sync(maya) == "changed"
        later = TikTokConnection.objects.get(user=maya)

    assert sandbox.stats()["calls"]["oauth.token"] == 1
    assert later.refresh_token != first.refresh_token  # rotated
    assert later.access_expires_at - later.last_refreshed_at == timedelta(hours=2)
    # The new refresh token ends when the first one did: 180 days from the sign-in.
    assert abs((later.refresh_expires_at - ends).total_seconds()) < 5


def test_the_top_up_asks_for_a_reconnect_only_at_the_end_of_the_180_days(maya):
    conn = TikTokConnection.objects.get(user=maya)
    with time_machine.travel(conn.refresh_expires_at - timedelta(days=20)):
        assert refresh_expiring_tokens() == 1
        conn = TikTokConnection.objects.get(user=maya)
        assert conn.status == "active" and conn.reconnect_by is not None


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent refreshes need concurrent database connections: DATABASE_URL=postgres://…",
)
def test_eight_syncs_at_once_after_two_hours_spend_the_refresh_token_once(maya):
    """Workers, the top-up and a visit's sync may all find the token run out at once."""
    results, errors = [], []
    start = threading.Barrier(8)

    def work():
        try:
            conn = TikTokConnection.objects.get(user=maya)
            start.wait(10)
            conn.call(tiktok.user_info, ["open_id"])
            results.append(conn.access_token)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    with time_machine.travel(timezone.now() + timedelta(hours=2, minutes=1)):
        threads = [threading.Thread(target=work) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)

    assert errors == []
    assert len(results) == 8 and len(set(results)) == 1
    assert sandbox.stats()["calls"]["oauth.token"] == 1  # one refresh, no invalid_grant
    assert TikTokConnection.objects.get(user=maya).status == "active"
