"""Fault injection: TikTok misbehaves on purpose, exactly as many times as asked."""

import json

import pytest

from sandbox import testing

from .calls import CONTROL, REVOKE, TOKEN, refresh, user_info, video_list

pytestmark = pytest.mark.django_db


def arm(client, **fault):
    response = client.post(f"{CONTROL}faults", fault, content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()


def test_rate_limit_fault_answers_429_for_the_next_calls_only(client, alice):
    tokens = testing.grant("alice")
    arm(client, endpoint="video.list", kind="rate_limit", times=2)
    for _ in range(2):
        response = video_list(client, tokens["access_token"])
        assert response.status_code == 429
        assert response.json()["error"]["code"] == "rate_limit_exceeded"
    assert video_list(client, tokens["access_token"]).status_code == 200
    # Every call counts, the failed ones too.
    assert testing.stats()["calls"]["video.list"] == 3


def test_a_fault_on_one_endpoint_leaves_the_others_alone(client, alice):
    tokens = testing.grant("alice")
    arm(client, endpoint="video.list", kind="server_error")
    assert user_info(client, tokens["access_token"]).status_code == 200


def test_server_error_fault_answers_internal_error(client, alice):
    tokens = testing.grant("alice")
    arm(client, endpoint="user.info", kind="server_error")
    response = user_info(client, tokens["access_token"])
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"


def test_token_invalid_fault_answers_access_token_invalid(client, alice):
    tokens = testing.grant("alice")
    arm(client, endpoint="user.info", kind="token_invalid")
    response = user_info(client, tokens["access_token"])
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "access_token_invalid"
    assert user_info(client, tokens["access_token"]).status_code == 200


def test_malformed_fault_answers_an_html_502_then_truncated_json(client, alice):
    tokens = testing.grant("alice")
    arm(client, endpoint="user.info", kind="malformed", times=2)
    first = user_info(client, tokens["access_token"])
    assert first.status_code == 502
    assert first["Content-Type"].startswith("text/html")
    assert b"502 Bad Gateway" in first.content
    second = user_info(client, tokens["access_token"])
    assert second.status_code == 200
    assert second["Content-Type"] == "application/json"
    assert second.content.startswith(b'{"data"')
    with pytest.raises(json.JSONDecodeError):
        json.loads(second.content)


def test_malformed_fault_can_be_asked_for_truncated_json_directly(client, alice):
    tokens = testing.grant("alice")
    arm(client, endpoint="video.list", kind="malformed", variant="truncated")
    response = video_list(client, tokens["access_token"])
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)


def test_slow_fault_waits_then_answers_correctly(client, alice, monkeypatch):
    slept = []
    monkeypatch.setattr("sandbox.answers.time.sleep", slept.append)
    tokens = testing.grant("alice")
    arm(client, endpoint="user.info", kind="slow", delay=2.5)
    response = user_info(client, tokens["access_token"])
    assert response.status_code == 200
    assert response.json()["data"]["user"]["display_name"] == "Alice Martin"
    assert slept == [2.5]


def test_slow_fault_really_waits(client, alice):
    tokens = testing.grant("alice")
    arm(client, endpoint="user.info", kind="slow", delay=0.01)
    assert user_info(client, tokens["access_token"]).status_code == 200


def test_timeout_fault_sleeps_the_configured_bound_then_gives_up(
    client, alice, settings, monkeypatch
):
    settings.TIKTOK_SANDBOX_TIMEOUT_SECONDS = 0.01
    tokens = testing.grant("alice")
    arm(client, endpoint="video.list", kind="timeout")
    response = video_list(client, tokens["access_token"])
    assert response.status_code == 504
    assert video_list(client, tokens["access_token"]).status_code == 200


def test_timeout_lasts_longer_than_the_products_read_timeout_by_default():
    from linkinbio import settings as project_settings

    assert project_settings.TIKTOK_SANDBOX_TIMEOUT_SECONDS > project_settings.TIKTOK_READ_TIMEOUT


def test_a_fault_on_the_token_endpoint_keeps_its_flat_shape(client, alice, app_credentials):
    tokens = testing.grant("alice")
    arm(client, endpoint="oauth.token", kind="rate_limit")
    arm(client, endpoint="oauth.token", kind="server_error")
    arm(client, endpoint="oauth.token", kind="token_invalid")
    first = refresh(client, tokens["refresh_token"])
    assert first.status_code == 429 and first.json()["error"] == "rate_limit_exceeded"
    second = refresh(client, tokens["refresh_token"])
    assert second.status_code == 500 and second.json()["log_id"]
    third = refresh(client, tokens["refresh_token"])
    assert third.status_code == 200 and third.json()["error"] == "invalid_grant"
    # The refresh token was never spent by the failed calls.
    assert "access_token" in refresh(client, tokens["refresh_token"]).json()


def test_a_fault_on_revoke(client, alice, app_credentials):
    tokens = testing.grant("alice")
    arm(client, endpoint="oauth.revoke", kind="server_error")
    response = client.post(REVOKE, {**app_credentials, "token": tokens["access_token"]})
    assert response.status_code == 500
    assert user_info(client, tokens["access_token"]).status_code == 200


def test_a_wildcard_fault_hits_whichever_endpoint_comes_next(client, alice):
    tokens = testing.grant("alice")
    arm(client, endpoint="*", kind="server_error")
    assert video_list(client, tokens["access_token"]).status_code == 500
    assert user_info(client, tokens["access_token"]).status_code == 200


def test_faults_can_be_listed_and_cleared(client, alice):
    tokens = testing.grant("alice")
    arm(client, endpoint="user.info", kind="server_error", times=5)
    listed = client.get(f"{CONTROL}faults").json()
    assert listed == {
        "faults": [{"endpoint": "user.info", "kind": "server_error", "times": 5, "delay": 2.0}]
    }
    assert client.delete(f"{CONTROL}faults").status_code == 200
    assert user_info(client, tokens["access_token"]).status_code == 200
    assert client.get(f"{CONTROL}faults").json() == {"faults": []}


@pytest.mark.parametrize(
    "fault",
    [
        {"endpoint": "video.upload", "kind": "rate_limit"},
        {"endpoint": "video.list", "kind": "meteor"},
        {"endpoint": "video.list", "kind": "slow", "delay": "long"},
        {"endpoint": "video.list", "kind": "rate_limit", "times": 0},
        {"endpoint": "video.list", "kind": "malformed", "variant": "xml"},
    ],
)
def test_bad_faults_are_refused(client, fault):
    response = client.post(f"{CONTROL}faults", fault, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]


def test_the_token_endpoint_fault_applies_before_the_credentials_are_checked(client, db):
    arm(client, endpoint="oauth.token", kind="server_error")
    assert client.post(TOKEN, {"client_key": "nobody"}).status_code == 500


@pytest.mark.parametrize(
    ("error", "status"),
    [("invalid_request", 200), ("server_error", 500), ("temporarily_unavailable", 503)],
)
def test_oauth_error_fault_answers_the_code_asked_for(client, alice, error, status):
    tokens = testing.grant("alice")
    fault = arm(
        client, endpoint="oauth.token", kind="oauth_error", error=error, status=status, times=1
    )
    assert (fault["error"], fault["status"]) == (error, status)

    response = refresh(client, tokens["refresh_token"])

    assert response.status_code == status
    body = response.json()
    assert set(body) == {"error", "error_description", "log_id"} and body["error"] == error
    # Only once: the refresh token was not spent by the fault.
    assert "access_token" in refresh(client, tokens["refresh_token"]).json()


def test_empty_body_fault_revokes_and_answers_nothing(client, alice, app_credentials):
    tokens = testing.grant("alice")
    arm(client, endpoint="oauth.revoke", kind="empty_body")

    response = client.post(REVOKE, {**app_credentials, "token": tokens["access_token"]})

    assert response.status_code == 200 and response.content == b""
    assert user_info(client, tokens["access_token"]).json()["error"]["code"] == (
        "access_token_invalid"
    )


@pytest.mark.parametrize(
    "fault",
    [
        {"endpoint": "user.info", "kind": "oauth_error", "error": "invalid_request"},
        {"endpoint": "oauth.token", "kind": "oauth_error"},
        {"endpoint": "oauth.token", "kind": "oauth_error", "error": "x", "status": 99},
        {"endpoint": "oauth.token", "kind": "empty_body"},
    ],
)
def test_oauth_faults_only_where_tiktok_has_oauth_answers(client, fault):
    response = client.post(f"{CONTROL}faults", fault, content_type="application/json")
    assert response.status_code == 400 and response.json()["error"]


def test_a_fault_for_one_account_answers_its_calls_only(client, alice, bob):
    alices, bobs = testing.grant("alice"), testing.grant("bob")
    armed = arm(
        client,
        endpoint="user.info",
        kind="api_error",
        error="scope_permission_missed",
        account="alice",
        times=2,
    )
    assert armed["account"] == "alice" and armed["error"] == "scope_permission_missed"

    assert user_info(client, bobs["access_token"]).status_code == 200
    refused = user_info(client, alices["access_token"])
    assert refused.json()["error"]["code"] == "scope_permission_missed"
    assert refused.json()["error"]["log_id"] == refused["X-Tt-Logid"]
    assert video_list(client, alices["access_token"]).status_code == 200  # another endpoint
    assert user_info(client, alices["access_token"]).status_code != 200
    assert user_info(client, alices["access_token"]).status_code == 200  # used up


@pytest.mark.parametrize(
    ("fault", "status"),
    [
        ({"endpoint": "oauth.token", "kind": "api_error", "error": "internal_error"}, 400),
        ({"endpoint": "user.info", "kind": "api_error"}, 400),
        ({"endpoint": "user.info", "kind": "api_error", "error": "ok"}, 400),
        ({"endpoint": "user.info", "kind": "slow", "account": "alice"}, 400),
        ({"endpoint": "user.info", "kind": "rate_limit", "account": "nobody"}, 404),
    ],
)
def test_api_and_account_faults_only_where_they_mean_something(client, alice, fault, status):
    response = client.post(f"{CONTROL}faults", fault, content_type="application/json")
    assert response.status_code == status and response.json()["error"]
