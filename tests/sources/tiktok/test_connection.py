"""Alice's TikTok connection: encrypted tokens, refresh under rotation, reconnect."""

import io
import json
import threading
import time
from datetime import timedelta
from urllib.parse import parse_qs

import pytest
import responses
import time_machine
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import close_old_connections, connection
from django.utils import timezone

from sources.tiktok import client, crypto, scopes
from sources.tiktok.client import ReconnectNeeded
from sources.tiktok.jobs import refresh_expiring_tokens
from sources.tiktok.models import ApiCall, TikTokConnection
from tests.helpers import TOKEN_URL, USER_URL, envelope, expire_access, token_answer


def rotating_tiktok(tiktok, first_refresh="rft.alice-1", hold=None):
    """A token endpoint that rotates: each refresh token works once."""
    spent = set()
    state = {"n": 1}

    def answer(request):
        token = parse_qs(request.body)["refresh_token"][0]
        if hold:
            hold()
        if token in spent:
            body = {"error": "invalid_grant", "error_description": "rotated", "log_id": "log-rot"}
            return (200, {}, json.dumps(body))
        spent.add(token)
        state["n"] += 1
        n = state["n"]
        return (
            200,
            {},
            json.dumps(token_answer(access=f"act.alice-{n}", refresh=f"rft.alice-{n}")),
        )

    tiktok.add_callback(responses.POST, TOKEN_URL, callback=answer)
    return spent


def user_answer(tiktok):
    def answer(request):
        if request.headers["Authorization"] == "Bearer act.alice-1-revoked":
            return (401, {}, json.dumps(envelope(code="access_token_invalid")))
        return (200, {}, json.dumps(envelope({"user": {"open_id": "oid-alice"}})))

    tiktok.add_callback(responses.GET, USER_URL, callback=answer)


@pytest.mark.django_db
def test_tokens_are_not_stored_in_clear(alice):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT access_token_encrypted, refresh_token_encrypted "
            "FROM accounts_tiktokconnection WHERE user_id = %s",
            [alice.pk],
        )
        access_raw, refresh_raw = cursor.fetchone()

    assert "act.alice-1" not in access_raw and access_raw
    assert "rft.alice-1" not in refresh_raw and refresh_raw
    assert alice.tiktok.access_token == "act.alice-1"
    assert alice.tiktok.refresh_token == "rft.alice-1"


@pytest.mark.django_db
def test_tokens_survive_a_key_rotation(alice, settings):
    new_key = Fernet.generate_key().decode()
    settings.TOKEN_ENCRYPTION_KEYS = [new_key, *settings.TOKEN_ENCRYPTION_KEYS]
    connection_row = TikTokConnection.objects.get(user=alice)
    assert connection_row.access_token == "act.alice-1"

    connection_row.reencrypt()
    connection_row.save()
    settings.TOKEN_ENCRYPTION_KEYS = [new_key]

    assert TikTokConnection.objects.get(user=alice).refresh_token == "rft.alice-1"


@pytest.mark.django_db
def test_after_a_key_rotation_the_command_leaves_the_old_key_useless(alice, bob, settings):
    """The operator rotates keys: once the command ran, a leaked old key decrypts nothing."""
    old_key = settings.TOKEN_ENCRYPTION_KEYS[0]
    new_key = Fernet.generate_key().decode()
    settings.TOKEN_ENCRYPTION_KEYS = [new_key, old_key]
    disconnected = TikTokConnection.objects.get(user=bob)
    disconnected.clear_tokens()
    disconnected.save()
    out = io.StringIO()

    call_command("reencrypt_tokens", stdout=out)

    assert "Re-encrypted the tokens of 1 connections." in out.getvalue()
    row = TikTokConnection.objects.get(user=alice)
    settings.TOKEN_ENCRYPTION_KEYS = [old_key]
    with pytest.raises(crypto.InvalidToken):
        row.access_token  # noqa: B018
    with pytest.raises(crypto.InvalidToken):
        row.refresh_token  # noqa: B018
    settings.TOKEN_ENCRYPTION_KEYS = [new_key]
    assert (row.access_token, row.refresh_token) == ("act.alice-1", "rft.alice-1")


@pytest.mark.django_db
def test_the_command_stops_on_tokens_no_key_can_read(alice, settings):
    settings.TOKEN_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]

    with pytest.raises(CommandError, match="no configured key can decrypt"):
        call_command("reencrypt_tokens", stdout=io.StringIO())


@pytest.mark.django_db
def test_rotation_never_overwrites_tokens_a_refresh_just_stored(alice, settings):
    settings.TOKEN_ENCRYPTION_KEYS = [
        Fernet.generate_key().decode(),
        *settings.TOKEN_ENCRYPTION_KEYS,
    ]
    stale = TikTokConnection.objects.get(user=alice)
    fresh = TikTokConnection.objects.get(user=alice)
    fresh.set_tokens(
        client.TokenSet("act.alice-2", "rft.alice-2", "oid-alice", [], 86400, 31536000)
    )
    fresh.save()

    assert stale.reencrypt() is False
    assert TikTokConnection.objects.get(user=alice).refresh_token == "rft.alice-2"


@pytest.mark.django_db
def test_it_asks_only_for_fields_of_granted_scopes(alice):
    conn = alice.tiktok
    conn.scopes = ["user.info.basic", "video.list"]

    assert conn.user_info_fields() == scopes.USER_INFO_FIELDS_BY_SCOPE["user.info.basic"]
    assert conn.missing_scopes() == ["user.info.profile", "user.info.stats"]
    assert not conn.needs_video_access


@pytest.mark.django_db
def test_a_fresh_token_is_used_as_is(alice, tiktok):
    user_answer(tiktok)

    profile = alice.tiktok.call(client.user_info, ["open_id"])

    assert profile == {"open_id": "oid-alice"}
    assert [c.request.url.split("?")[0] for c in tiktok.calls] == [USER_URL]
    assert ApiCall.objects.get().user == alice


@pytest.mark.django_db
def test_an_expired_token_is_refreshed_before_the_call(alice, tiktok):
    rotating_tiktok(tiktok)
    user_answer(tiktok)
    expire_access(alice)
    conn = TikTokConnection.objects.get(user=alice)

    conn.call(client.user_info, ["open_id"])

    conn.refresh_from_db()
    assert conn.access_token == "act.alice-2" and conn.refresh_token == "rft.alice-2"
    assert tiktok.calls[1].request.headers["Authorization"] == "Bearer act.alice-2"
    assert conn.access_expires_at > timezone.now() + timedelta(hours=23)


@pytest.mark.django_db
def test_a_rejected_token_is_refreshed_once_and_the_call_retried_once(alice, tiktok):
    rotating_tiktok(tiktok)
    user_answer(tiktok)
    conn = TikTokConnection.objects.get(user=alice)
    conn.access_token_encrypted = crypto.encrypt("act.alice-1-revoked")
    conn.save()

    assert conn.call(client.user_info, ["open_id"]) == {"open_id": "oid-alice"}

    endpoints = [c.request.url.split("?")[0] for c in tiktok.calls]
    assert endpoints == [USER_URL, TOKEN_URL, USER_URL]


@pytest.mark.django_db
def test_a_removed_app_moves_the_connection_to_needs_reconnect(alice, tiktok):
    tiktok.get(USER_URL, json=envelope(code="access_token_invalid"), status=401)
    tiktok.post(
        TOKEN_URL, json={"error": "invalid_grant", "error_description": "revoked", "log_id": "L9"}
    )
    conn = alice.tiktok

    with pytest.raises(ReconnectNeeded) as caught:
        conn.call(client.user_info, ["open_id"])

    assert caught.value.log_id == "L9"
    conn.refresh_from_db()
    assert conn.status == "needs_reconnect" and not conn.can_sync
    assert conn.access_token == "" and conn.refresh_token == ""
    assert "L9" in conn.last_error


@pytest.mark.django_db
def test_a_connection_needing_reconnect_makes_no_call(alice, tiktok):
    TikTokConnection.objects.filter(user=alice).update(status="needs_reconnect")

    with pytest.raises(ReconnectNeeded):
        TikTokConnection.objects.get(user=alice).call(client.user_info, ["open_id"])

    assert len(tiktok.calls) == 0


@pytest.mark.django_db
def test_tiktok_being_down_does_not_break_the_connection(alice, tiktok):
    tiktok.post(TOKEN_URL, body="<html>502</html>", status=502)
    expire_access(alice)
    conn = TikTokConnection.objects.get(user=alice)

    with pytest.raises(client.ServerError):
        conn.call(client.user_info, ["open_id"])

    conn.refresh_from_db()
    assert conn.status == "active" and conn.refresh_token == "rft.alice-1"
    assert ApiCall.objects.filter(endpoint="oauth.token", http_status=502).exists()


@pytest.mark.django_db
def test_an_expired_refresh_token_asks_for_reconnect_without_a_call(alice, tiktok):
    TikTokConnection.objects.filter(user=alice).update(
        access_expires_at=timezone.now() - timedelta(days=1),
        refresh_expires_at=timezone.now() - timedelta(seconds=1),
    )

    with pytest.raises(ReconnectNeeded):
        TikTokConnection.objects.get(user=alice).call(client.user_info, ["open_id"])

    assert TikTokConnection.objects.get(user=alice).status == "needs_reconnect"
    assert len(tiktok.calls) == 0


@pytest.mark.django_db
def test_the_top_up_refreshes_tokens_before_they_run_out(alice, bob, tiktok, settings):
    settings.TIKTOK_TOKEN_TOP_UP_DAYS = 30
    rotating_tiktok(tiktok)
    TikTokConnection.objects.filter(user=alice).update(
        refresh_expires_at=timezone.now() + timedelta(days=10),
        last_refreshed_at=timezone.now() - timedelta(days=170),
    )

    assert refresh_expiring_tokens() == 1

    alice_conn = TikTokConnection.objects.get(user=alice)
    assert alice_conn.refresh_token == "rft.alice-2"
    assert alice_conn.refresh_expires_at > timezone.now() + timedelta(days=300)
    assert TikTokConnection.objects.get(user=bob).refresh_token == "rft.bob-1"
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        assert refresh_expiring_tokens() == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the refresh race needs concurrent database connections: run with DATABASE_URL=postgres://…",
)
def test_two_processes_refreshing_at_once_spend_the_refresh_token_once(alice, tiktok):
    in_flight = threading.Event()

    def hold():
        # The first refresh waits at TikTok while the other worker reaches the lock.
        if not in_flight.is_set():
            in_flight.set()
            time.sleep(0.5)

    rotating_tiktok(tiktok, hold=hold)
    user_answer(tiktok)
    expire_access(alice)
    workers = [TikTokConnection.objects.get(user=alice) for _ in range(2)]
    results, errors = [], []

    def work(conn, wait_for=None):
        try:
            if wait_for:
                wait_for.wait(5)
            conn.call(client.user_info, ["open_id"])
            results.append(conn.access_token)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [
        threading.Thread(target=work, args=(workers[0],)),
        threading.Thread(target=work, args=(workers[1], in_flight)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)

    assert errors == []
    assert results == ["act.alice-2", "act.alice-2"]
    token_calls = [c for c in tiktok.calls if c.request.url == TOKEN_URL]
    assert len(token_calls) == 1
    conn = TikTokConnection.objects.get(user=alice)
    assert conn.status == "active" and conn.refresh_token == "rft.alice-2"


@pytest.mark.django_db
def test_a_refresh_already_running_elsewhere_is_waited_for_and_its_tokens_used(
    alice, tiktok, monkeypatch
):
    user_answer(tiktok)
    expire_access(alice)
    TikTokConnection.objects.filter(user=alice).update(
        refresh_lease_until=timezone.now() + timedelta(seconds=30)
    )
    conn = TikTokConnection.objects.get(user=alice)

    def other_process_finishes(seconds):
        winner = TikTokConnection.objects.get(user=alice)
        winner.set_tokens(
            client.TokenSet("act.alice-2", "rft.alice-2", "oid-alice", conn.scopes, 86400, 0)
        )
        winner.refresh_lease_until = None
        winner.save()

    monkeypatch.setattr("sources.tiktok.models.time.sleep", other_process_finishes)

    conn.call(client.user_info, ["open_id"])

    assert [c.request.url.split("?")[0] for c in tiktok.calls] == [USER_URL]
    assert tiktok.calls[0].request.headers["Authorization"] == "Bearer act.alice-2"
