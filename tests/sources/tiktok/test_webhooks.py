"""TikTok tells us a creator's access ended: the signed webhook and what each reason does.

Deliveries are signed here the way TikTok's "Check the signature" page says
(HMAC-SHA256 with the client secret over "<t>.<raw body>"), not with the
product's or the sandbox's own code, so that both cannot be wrong together.
"""

import hashlib
import hmac
import html
import json
import logging
import time
from datetime import timedelta

import pytest
import time_machine
from django.tasks import default_task_backend
from django.test import Client
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from accounts.models import User
from pages.models import Page
from sources.tiktok.models import TikTokConnection, WebhookEvent
from sources.tiktok.removals import erase_deleted_accounts
from sources.tiktok.tasks import handle_webhook_event
from sources.tiktok.webhooks import BadSignature, parse_header, verify
from tests.helpers import USER_URL, envelope, make_creator, page_of

SECRET = "the-client-secret"
URL = "/webhooks/tiktok/"


@pytest.fixture(autouse=True)
def app(settings):
    settings.TIKTOK_CLIENT_KEY = "our-client-key"
    settings.TIKTOK_CLIENT_SECRET = SECRET
    settings.TIKTOK_WEBHOOK_TOLERANCE_SECONDS = 300
    settings.TIKTOK_DELETED_ACCOUNT_GRACE_DAYS = 30
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    default_task_backend.clear()


@pytest.fixture
def alice(db):
    return make_creator("alice", page=True)


def removed(open_id="oid-alice", reason=1, create_time=None, event="authorization.removed"):
    return json.dumps(
        {
            "client_key": "our-client-key",
            "event": event,
            "create_time": int(create_time or time.time()),
            "user_openid": open_id,
            "content": json.dumps({"reason": reason}),
        }
    ).encode()


def tiktok_signature(body, secret=SECRET, at=None):
    at = int(at if at is not None else time.time())
    digest = hmac.new(secret.encode(), f"{at}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={at},s={digest}"


def deliver(client, body, signature=None):
    """TikTok POSTs the event; answers the response."""
    return client.post(
        URL,
        body,
        content_type="application/json",
        headers={"TikTok-Signature": signature or tiktok_signature(body)},
    )


def tiktok_tells(client, body, captured):
    """A delivery, then the worker runs what it queued."""
    with captured(execute=True):
        answer = deliver(client, body)
    assert answer.status_code == 200
    for result in list(default_task_backend.results):
        handle_webhook_event.call(*result.args)
    default_task_backend.clear()
    return answer


def connection_of(user):
    return TikTokConnection.objects.get(user=user)


def dashboard_text(client, user):
    client.force_login(user)
    return html.unescape(client.get("/dashboard/").content.decode())


@pytest.mark.parametrize(
    "reason, words",
    [
        (1, "You removed linkinbio's access in TikTok's settings."),
        (5, "linkinbio's access to your TikTok account was revoked."),
        (0, "TikTok told us linkinbio's access to your account ended."),
    ],
)
def test_a_creator_who_leaves_from_tiktoks_side_keeps_her_page_and_reads_why(
    client, alice, django_capture_on_commit_callbacks, reason, words
):
    tiktok_tells(client, removed(reason=reason), django_capture_on_commit_callbacks)

    connection = connection_of(alice)
    assert connection.status == TikTokConnection.Status.REVOKED
    assert connection.access_token_encrypted == connection.refresh_token_encrypted == ""
    assert client.get(f"/@{page_of(alice).slug}").status_code == 200
    assert words in dashboard_text(client, alice)
    assert not Page.objects.syncable().filter(user=alice).exists()


def test_a_deleted_tiktok_account_takes_the_page_down_at_once_and_the_data_after_the_grace(
    client, alice, django_capture_on_commit_callbacks
):
    slug = page_of(alice).slug
    tiktok_tells(client, removed(reason=2), django_capture_on_commit_callbacks)

    assert client.get(f"/@{slug}").status_code == 410
    erase_on = connection_of(alice).erase_after
    assert erase_on - timezone.now() > timedelta(days=29)
    assert f"will be deleted on {erase_on:%-d %B %Y}" in dashboard_text(client, alice)
    assert "deleted 30 days later" in client.get("/privacy/").content.decode()

    with time_machine.travel(timezone.now() + timedelta(days=29), tick=False):
        assert erase_deleted_accounts() == 0
    assert User.objects.filter(pk=alice.pk).exists()
    with time_machine.travel(timezone.now() + timedelta(days=30, minutes=1), tick=False):
        assert erase_deleted_accounts() == 1
    assert not User.objects.filter(pk=alice.pk).exists()
    assert not Page.objects.filter(slug=slug).exists()


@pytest.mark.parametrize("reason, why", [(3, "age changed"), (4, "banned")])
def test_an_age_change_or_a_ban_suspends_the_page_for_the_admins_review(
    client, alice, django_capture_on_commit_callbacks, reason, why
):
    tiktok_tells(client, removed(reason=reason), django_capture_on_commit_callbacks)

    page = page_of(alice)
    assert page.is_suspended
    assert why in page.suspended_reason and "pending review" in page.suspended_reason
    assert client.get(f"/@{page.slug}").status_code == 410
    assert connection_of(alice).erase_after is None  # nothing is deleted without the admin
    assert connection_of(alice).status == TikTokConnection.Status.REVOKED


@pytest.mark.parametrize("reason", [2, 3, 4])
def test_a_creator_whose_tiktok_account_was_closed_is_not_told_she_broke_our_rules(
    client, alice, django_capture_on_commit_callbacks, reason
):
    """Deleted, held or banned on TikTok: her page is hidden, but that is
    TikTok's doing, not a suspension of ours she could appeal."""
    slug = page_of(alice).slug
    tiktok_tells(client, removed(reason=reason), django_capture_on_commit_callbacks)

    dashboard = dashboard_text(client, alice)
    assert "TikTok told us your " in dashboard
    for accusation in ("Your page is suspended", "breach", "appeal", "pending review", "TikTok: "):
        assert accusation not in dashboard
    client.post("/dashboard/appeal/", {"message": "I did nothing wrong"})
    assert not page_of(alice).appeals.exists()

    visitor = Client()
    answer = visitor.get(f"/@{slug}")
    assert answer.status_code == 410
    words = html.unescape(answer.content.decode())
    assert "This page is not available" in words
    assert "rules" not in words and "taken down" not in words

    page = page_of(alice)  # the admins still read what happened, and why
    assert page.is_suspended and page.get_suspended_for_display() == "Account closed at its source"
    assert page.suspended_reason.startswith("TikTok: ")


def test_a_delivery_seen_twice_changes_nothing_twice(
    client, alice, django_capture_on_commit_callbacks
):
    body = removed(reason=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(client, body).status_code == 200
        assert deliver(client, body).status_code == 200  # TikTok retried: at least once

    event = WebhookEvent.objects.get()
    assert event.deliveries == 2
    assert len(default_task_backend.results) == 1
    assert handle_webhook_event.call(event.pk) == "revoked"
    assert handle_webhook_event.call(event.pk) == "handled already"


def test_a_replayed_delivery_is_refused(client, alice):
    """A delivery captured on the way and sent again ten minutes later."""
    body = removed(reason=1, create_time=time.time() - 600)
    answer = deliver(client, body, tiktok_signature(body, at=time.time() - 600))

    assert answer.status_code == 401
    assert not WebhookEvent.objects.exists()
    assert connection_of(alice).status == TikTokConnection.Status.ACTIVE


def test_a_delivery_signed_with_another_secret_is_refused(client, alice, caplog):
    body = removed(reason=2)
    with caplog.at_level(logging.WARNING):
        answer = deliver(client, body, tiktok_signature(body, secret="someone-else"))

    assert answer.status_code == 401
    assert not WebhookEvent.objects.exists()
    assert client.get(f"/@{page_of(alice).slug}").status_code == 200
    assert "TikTok webhook refused: the signature does not match" in caplog.text
    assert SECRET not in caplog.text


def test_a_signed_body_changed_on_the_way_is_refused(client, alice):
    body = removed(open_id="oid-bob", reason=2)
    signature = tiktok_signature(body)
    answer = deliver(client, body.replace(b"oid-bob", b"oid-alice"), signature)

    assert answer.status_code == 401
    assert connection_of(alice).status == TikTokConnection.Status.ACTIVE


def test_events_of_products_we_do_not_use_are_acknowledged_and_ignored(client, alice, caplog):
    with caplog.at_level(logging.INFO):
        answer = deliver(client, removed(event="video.publish.completed"))

    assert answer.status_code == 200
    assert not WebhookEvent.objects.exists()
    assert "'video.publish.completed' acknowledged and ignored" in caplog.text


def test_a_late_event_does_not_undo_a_reconnection(
    client, alice, django_capture_on_commit_callbacks
):
    """Alice removed the app, then signed in again; TikTok's retry arrives after."""
    tiktok_tells(
        client, removed(reason=1, create_time=time.time() - 600), django_capture_on_commit_callbacks
    )

    assert connection_of(alice).status == TikTokConnection.Status.ACTIVE
    assert WebhookEvent.objects.get().outcome == "older than the creator's sign-in"


@pytest.mark.parametrize("reason", [1, 2, 4])
def test_a_refresh_just_before_the_removal_on_a_clock_ahead_does_not_hide_it(
    client, db, django_capture_on_commit_callbacks, reason
):
    """Alice signed in an hour ago; a sync refreshed her tokens, our clock two
    seconds ahead of TikTok's; then she deleted her account (or TikTok banned it)."""
    signed_in = timezone.now() - timedelta(hours=1)
    with time_machine.travel(signed_in, tick=False):
        alice = make_creator("alice", page=True)
    deleted_at = time.time()
    connection = connection_of(alice)
    connection.last_refreshed_at = timezone.now() + timedelta(seconds=2)
    connection.save()

    tiktok_tells(
        client, removed(reason=reason, create_time=deleted_at), django_capture_on_commit_callbacks
    )

    assert connection_of(alice).status == TikTokConnection.Status.REVOKED
    assert connection_of(alice).removed_reason == reason


def test_an_event_for_someone_we_do_not_know_is_acknowledged(
    client, alice, django_capture_on_commit_callbacks
):
    tiktok_tells(client, removed(open_id="oid-stranger"), django_capture_on_commit_callbacks)

    assert WebhookEvent.objects.get().outcome == "no such creator"
    assert connection_of(alice).status == TikTokConnection.Status.ACTIVE


def test_only_a_post_is_a_delivery(client):
    assert client.get(URL).status_code == 405


headers = st.one_of(
    st.text(max_size=200),
    st.builds(
        lambda t, s: f"t={t},s={s}",
        st.one_of(st.integers(), st.text(max_size=15)),
        st.text(max_size=80),
    ),
)


@given(header=headers, body=st.binary(max_size=300))
def test_no_drawn_signature_header_is_accepted_or_breaks_the_check(header, body):
    now = time.time()
    with pytest.raises(BadSignature):
        verify(body, header, secret=SECRET, now=now)


def test_the_header_is_read_as_tiktok_writes_it():
    digest = "0f" * 32
    assert parse_header(f"t=1633174587,s={digest}") == (1633174587, [digest])
    body = b'{"event":"authorization.removed"}'
    verify(body, " " + tiktok_signature(body, at=1633174587), secret=SECRET, now=1633174600)


@given(signed=st.text(min_size=1, max_size=80))
def test_a_fresh_header_with_any_signature_text_is_refused_never_an_error(signed):
    # compare_digest raises TypeError on non-ASCII text: anyone could have
    # turned the callback into a 500 (and an error report) without the secret.
    now = time.time()
    with pytest.raises(BadSignature):
        verify(b"{}", f"t={int(now)},s={signed}", secret=SECRET, now=now)


def test_anyone_sending_a_non_ascii_signature_is_told_401(client, alice):
    answer = client.post(
        URL,
        data=removed(reason=2),
        content_type="application/json",
        headers={"TikTok-Signature": f"t={int(time.time())},s=\u00e9\u00e9"},
    )
    assert answer.status_code == 401
    assert not WebhookEvent.objects.exists()
    assert page_of(alice).is_suspended is False


@pytest.mark.parametrize("reason", [-1, 6, 2**40])
def test_a_reason_tiktok_never_sends_is_kept_as_unknown(
    client, alice, reason, django_capture_on_commit_callbacks
):
    tiktok_tells(client, removed(reason=reason), django_capture_on_commit_callbacks)
    assert WebhookEvent.objects.get().reason is None


@pytest.mark.parametrize("reason", [2, 3, 4])
def test_a_closed_account_is_told_what_happened_never_offered_a_reconnect(
    client, alice, django_capture_on_commit_callbacks, reason
):
    tiktok_tells(client, removed(reason=reason), django_capture_on_commit_callbacks)

    for path in ("/dashboard/", "/dashboard/data/"):
        client.force_login(alice)
        text = html.unescape(client.get(path).content.decode())
        assert "Reconnect TikTok" not in text
        assert "TikTok told us your" in text
    answer = client.post("/dashboard/refresh/", follow=True)
    assert "TikTok told us your" in html.unescape(answer.content.decode())


def test_a_creator_who_disconnected_on_tiktok_may_reconnect(
    client, alice, django_capture_on_commit_callbacks
):
    tiktok_tells(client, removed(reason=1), django_capture_on_commit_callbacks)

    client.force_login(alice)
    for path in ("/dashboard/", "/dashboard/data/"):
        assert "Reconnect TikTok" in client.get(path).content.decode()


@pytest.mark.parametrize("seconds_after_the_removal", [70, 0, -50])
def test_a_creator_who_reconnects_a_minute_after_removing_the_app_stays_connected(
    client, db, tiktok, django_capture_on_commit_callbacks, seconds_after_the_removal
):
    """Alice removed linkinbio in TikTok's settings by mistake and signed in
    again about a minute later (our clock and TikTok's cannot tell the order
    closer than CLOCK_SKEW); TikTok's event arrives after her sign-in: TikTok
    still answers with her new token, so her new connection stays."""
    alice = make_creator("alice", page=True)
    removed_at = connection_of(alice).granted_at.timestamp() - seconds_after_the_removal
    tiktok.get(USER_URL, json=envelope({"user": {"open_id": "oid-alice"}}))

    tiktok_tells(
        client, removed(reason=1, create_time=removed_at), django_capture_on_commit_callbacks
    )

    assert connection_of(alice).status == TikTokConnection.Status.ACTIVE
    assert "You removed linkinbio's access" not in dashboard_text(client, alice)


def test_a_removal_just_after_a_sign_in_whose_token_tiktok_refuses_is_heard(
    client, db, tiktok, django_capture_on_commit_callbacks
):
    """Alice signed in, then removed the app a minute later: TikTok refuses
    her token, so the removal ends her connection."""
    alice = make_creator("alice", page=True)
    removed_at = connection_of(alice).granted_at.timestamp() + 60
    tiktok.get(USER_URL, json=envelope(code="access_token_invalid", message="revoked"), status=401)

    tiktok_tells(
        client, removed(reason=1, create_time=removed_at), django_capture_on_commit_callbacks
    )

    assert connection_of(alice).status == TikTokConnection.Status.REVOKED
    assert "You removed linkinbio's access" in dashboard_text(client, alice)
