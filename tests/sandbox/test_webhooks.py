"""The sandbox removes an app's access as TikTok does, and tells the app by a signed webhook.

The app's callback URL is a `responses` mock here: each test reads what
arrived there, and checks the signature the way TikTok's page says.
"""

import hashlib
import hmac
import json
from datetime import timedelta

import pytest
import responses
import time_machine
from django.utils import timezone

from sandbox import testing
from sandbox.models import Token, WebhookDelivery

from .calls import CONTROL, user_info

pytestmark = pytest.mark.django_db

HOOK = "http://127.0.0.1:8000/webhooks/tiktok/"
SECRET = "sandbox-linkinbio-secret"


@pytest.fixture
def app():
    """The app's webhook callback: answers `statuses` in turn (then 200)."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.statuses = []

        def answer(request):
            return (mock.statuses.pop(0) if mock.statuses else 200, {}, "{}")

        mock.add_callback(responses.POST, HOOK, callback=answer)
        yield mock


def arrived(app):
    return [call.request for call in app.calls]


def signed_by_the_app_secret(request):
    parts = dict(part.split("=", 1) for part in request.headers["TikTok-Signature"].split(","))
    payload = parts["t"].encode() + b"." + request.body
    wanted = hmac.new(SECRET.encode(), payload, hashlib.sha256).hexdigest()
    return hmac.compare_digest(parts["s"], wanted)


def later(seconds):
    return time_machine.travel(timezone.now() + timedelta(seconds=seconds), tick=False)


def test_removing_access_revokes_the_tokens_and_sends_the_signed_event(client, alice, app):
    tokens = testing.grant("alice")
    testing.remove_access("alice", reason=1)

    assert testing.deliver_webhooks() == ["200"]
    (request,) = arrived(app)
    assert signed_by_the_app_secret(request)
    body = json.loads(request.body)
    assert body["event"] == "authorization.removed"
    assert body["client_key"] == "sandbox-linkinbio"
    assert body["user_openid"] == testing.open_id("alice")
    assert json.loads(body["content"]) == {"reason": 1}
    assert user_info(client, tokens["access_token"]).json()["error"]["code"] == (
        "access_token_invalid"
    )
    assert testing.deliver_webhooks() == []  # delivered: never again


def test_an_app_that_does_not_answer_200_is_tried_again_later_and_later(alice, app):
    app.statuses = [500, 503, 500]
    testing.remove_access("alice", reason=2)

    assert testing.deliver_webhooks() == ["500"]
    assert testing.deliver_webhooks() == []  # not yet
    with later(5):
        assert testing.deliver_webhooks() == ["503"]
    with later(5 + 9):
        assert testing.deliver_webhooks() == []  # twice as long now
    with later(5 + 10):
        assert testing.deliver_webhooks() == ["500"]
    with later(5 + 10 + 20):
        assert testing.deliver_webhooks() == ["200"]
    bodies = {request.body for request in arrived(app)}
    assert len(bodies) == 1  # the same event each time, signed again


def test_deliveries_stop_after_72_hours(alice, app):
    app.statuses = [500] * 100
    (delivery,) = testing.remove_access("alice", reason=1)
    attempts = 0
    for hours in range(0, 80):
        with later(hours * 3600):
            attempts += len(testing.deliver_webhooks())
    delivery.refresh_from_db()
    assert delivery.dropped and delivery.delivered_at is None
    assert 10 < attempts < 40


def test_the_twice_fault_delivers_the_same_event_twice(alice, app):
    testing.remove_access("alice", reason=1, fault="twice")

    assert testing.deliver_webhooks() == ["200", "200"]
    first, second = arrived(app)
    assert first.body == second.body
    assert signed_by_the_app_secret(first) and signed_by_the_app_secret(second)


def test_the_late_fault_holds_the_first_delivery(alice, app):
    testing.remove_access("alice", reason=1, fault="late", delay=30)

    assert testing.deliver_webhooks() == []
    with later(31):
        assert testing.deliver_webhooks() == ["200"]


def test_the_bad_signature_fault_signs_the_first_attempt_with_a_wrong_key(alice, app):
    app.statuses = [401]
    testing.remove_access("alice", reason=1, fault="bad_signature")

    assert testing.deliver_webhooks() == ["401"]
    with later(5):
        assert testing.deliver_webhooks() == ["200"]
    first, second = arrived(app)
    assert not signed_by_the_app_secret(first)
    assert signed_by_the_app_secret(second)


def test_the_control_api_removes_access_with_a_reason(client, alice, app, monkeypatch):
    from sandbox import webhooks

    monkeypatch.setattr(webhooks, "start_delivering", lambda: None)
    testing.grant("alice")
    answer = client.post(
        f"{CONTROL}accounts/alice/remove_access",
        {"reason": 4},
        content_type="application/json",
    )

    assert answer.status_code == 200
    assert answer.json()["revoked"] == 2
    assert not Token.objects.filter(revoked=False).exists()
    listed = client.get(f"{CONTROL}webhooks").json()["deliveries"]
    assert [json.loads(json.loads(d["body"])["content"]) for d in listed] == [{"reason": 4}]
    assert client.post(f"{CONTROL}webhooks", {}, content_type="application/json").json() == {
        "attempts": ["200"]
    }


@pytest.mark.parametrize("body", [{"reason": 9}, {"reason": "1"}, {"fault": "sideways"}])
def test_the_control_api_refuses_a_reason_or_fault_tiktok_does_not_have(client, alice, body):
    answer = client.post(
        f"{CONTROL}accounts/alice/remove_access", body, content_type="application/json"
    )
    assert answer.status_code == 400
    assert not WebhookDelivery.objects.exists()


def test_the_profile_page_has_the_remove_access_button_only_with_the_controls(
    client, alice, settings
):
    assert "Remove access" in client.get("/sandbox/tiktok/@alice").content.decode()
    settings.TIKTOK_SANDBOX_CONTROL = False
    assert "Remove access" not in client.get("/sandbox/tiktok/@alice").content.decode()
    assert client.post("/sandbox/tiktok/@alice/remove-access", {"reason": 1}).status_code == 404
