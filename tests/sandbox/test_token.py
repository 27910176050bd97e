"""The product exchanges Alice's code for tokens, refreshes them, and revokes them."""

import base64
import hashlib

import pytest
import time_machine
from django.utils import timezone

from sandbox import testing

from .calls import CALLBACK, REVOKE, TOKEN, exchange, refresh, user_info

pytestmark = pytest.mark.django_db


def assert_oauth_error(response, error):
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"error", "error_description", "log_id"}
    assert body["error"] == error
    assert body["log_id"]
    return body


def test_a_code_buys_tokens_in_tiktoks_flat_shape(client, alice):
    code = testing.issue_code("alice", ["user.info.basic", "video.list"], CALLBACK)
    response = exchange(client, code)
    assert response.status_code == 200
    body = response.json()
    assert list(body) == [
        "access_token",
        "expires_in",
        "open_id",
        "refresh_expires_in",
        "refresh_token",
        "scope",
        "token_type",
    ]
    assert body["access_token"].startswith("act.")
    assert body["refresh_token"].startswith("rft.")
    assert body["expires_in"] == 2 * 3600  # TikTok's newer pages: two hours
    assert body["refresh_expires_in"] == 180 * 86400  # and 180 days
    assert body["open_id"] == testing.open_id("alice")
    assert body["scope"] == "user.info.basic,video.list"
    assert body["token_type"] == "Bearer"
    assert response["X-Tt-Logid"]


def test_token_lifetimes_follow_the_settings(client, alice, settings):
    """TikTok's older pages: 24 hours and 365 days."""
    settings.TIKTOK_SANDBOX_ACCESS_TOKEN_SECONDS = 86400
    settings.TIKTOK_SANDBOX_REFRESH_TOKEN_SECONDS = 31536000
    body = exchange(client, testing.issue_code("alice")).json()
    assert (body["expires_in"], body["refresh_expires_in"]) == (86400, 31536000)


def test_open_id_differs_between_apps_and_between_users(alice, bob):
    testing.register_client("https://other.example/cb", client_key="other", client_secret="s")
    assert testing.open_id("alice") != testing.open_id("bob")
    assert testing.open_id("alice") != testing.open_id("alice", client_key="other")


def test_a_code_works_once_and_a_second_use_kills_the_tokens_it_bought(client, alice):
    code = testing.issue_code("alice")
    first = exchange(client, code).json()
    assert user_info(client, first["access_token"]).status_code == 200

    body = assert_oauth_error(exchange(client, code), "invalid_grant")
    assert "used" in body["error_description"]
    assert user_info(client, first["access_token"]).json()["error"]["code"] == (
        "access_token_invalid"
    )
    assert_oauth_error(refresh(client, first["refresh_token"]), "invalid_grant")


def test_a_code_expires_after_minutes(client, alice, settings):
    settings.TIKTOK_SANDBOX_CODE_SECONDS = 300
    code = testing.issue_code("alice")
    with time_machine.travel(timezone.now() + timezone.timedelta(seconds=301)):
        assert_oauth_error(exchange(client, code), "invalid_grant")


def test_a_code_is_bound_to_its_redirect_uri(client, alice):
    testing.register_client("http://127.0.0.1:9000/accounts/tiktok/login/callback/")
    code = testing.issue_code("alice", redirect_uri=CALLBACK)
    body = assert_oauth_error(
        exchange(
            client, code, redirect_uri="http://127.0.0.1:9000/accounts/tiktok/login/callback/"
        ),
        "invalid_request",
    )
    assert "redirect_uri" in body["error_description"]
    # The failed attempt did not spend it.
    assert "access_token" in exchange(client, code).json()


def test_a_code_is_bound_to_its_app(client, alice):
    testing.register_client("https://other.example/cb", client_key="other", client_secret="s")
    code = testing.issue_code("alice", redirect_uri="https://other.example/cb", client_key="other")
    assert_oauth_error(
        exchange(client, code, redirect_uri="https://other.example/cb"), "invalid_grant"
    )


def test_an_unknown_code_is_invalid_grant(client, alice):
    assert_oauth_error(exchange(client, "not-a-code"), "invalid_grant")


@pytest.mark.parametrize(
    "credentials",
    [
        {"client_secret": "wrong"},
        {"client_key": "nobody"},
        {"client_secret": ""},
    ],
)
def test_wrong_app_credentials_are_invalid_client(client, alice, credentials):
    code = testing.issue_code("alice")
    assert_oauth_error(exchange(client, code, **credentials), "invalid_client")


def test_an_unknown_grant_type_is_refused(client, alice):
    response = exchange(client, testing.issue_code("alice"), grant_type="password")
    assert_oauth_error(response, "unsupported_grant_type")


def test_a_missing_code_is_invalid_request(client, alice):
    assert_oauth_error(exchange(client, ""), "invalid_request")


def test_pkce_with_tiktoks_hex_challenge(client, alice):
    verifier = "a-verifier-of-forty-three-characters-or-more-123"
    code = testing.issue_code("alice", code_challenge=testing.pkce_challenge(verifier))
    assert "access_token" in exchange(client, code, code_verifier=verifier).json()


def test_pkce_mismatch_is_refused(client, alice):
    verifier = "a-verifier-of-forty-three-characters-or-more-123"
    code = testing.issue_code("alice", code_challenge=testing.pkce_challenge(verifier))
    body = assert_oauth_error(
        exchange(client, code, code_verifier=verifier + "x"), "invalid_request"
    )
    assert body["error_description"] == "Code verifier or code challenge is invalid."
    assert_oauth_error(exchange(client, code), "invalid_request")


def rfc7636_challenge(verifier):
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def test_a_base64url_challenge_is_refused_by_default_like_tiktok(client, alice):
    verifier = "a-verifier-of-forty-three-characters-or-more-123"
    code = testing.issue_code("alice", code_challenge=rfc7636_challenge(verifier))
    assert_oauth_error(exchange(client, code, code_verifier=verifier), "invalid_request")


def test_a_base64url_challenge_is_accepted_when_the_setting_says_so(client, alice, settings):
    settings.TIKTOK_SANDBOX_PKCE = "base64url"
    verifier = "a-verifier-of-forty-three-characters-or-more-123"
    code = testing.issue_code("alice", code_challenge=rfc7636_challenge(verifier))
    assert "access_token" in exchange(client, code, code_verifier=verifier).json()


def test_refresh_rotates_the_refresh_token_and_kills_the_old_one(client, alice):
    first = exchange(client, testing.issue_code("alice", ["user.info.basic"])).json()
    second = refresh(client, first["refresh_token"]).json()
    assert second["access_token"] != first["access_token"]
    assert second["refresh_token"] != first["refresh_token"]
    assert second["scope"] == "user.info.basic"
    assert second["open_id"] == first["open_id"]
    assert user_info(client, second["access_token"]).json()["error"]["code"] == "ok"

    assert_oauth_error(refresh(client, first["refresh_token"]), "invalid_grant")
    third = refresh(client, second["refresh_token"]).json()
    assert third["refresh_token"] not in (first["refresh_token"], second["refresh_token"])


def test_an_expired_refresh_token_is_invalid_grant(client, alice, settings):
    settings.TIKTOK_SANDBOX_REFRESH_TOKEN_SECONDS = 60
    tokens = exchange(client, testing.issue_code("alice")).json()
    with time_machine.travel(timezone.now() + timezone.timedelta(seconds=61)):
        assert_oauth_error(refresh(client, tokens["refresh_token"]), "invalid_grant")


def test_a_refresh_token_belongs_to_its_app(client, alice):
    testing.register_client("https://other.example/cb", client_key="other", client_secret="s")
    tokens = testing.grant("alice")
    response = refresh(client, tokens["refresh_token"], client_key="other", client_secret="s")
    assert_oauth_error(response, "invalid_grant")


def test_an_access_token_is_not_a_refresh_token(client, alice):
    tokens = testing.grant("alice")
    assert_oauth_error(refresh(client, tokens["access_token"]), "invalid_grant")


def test_revoke_ends_every_token_of_alice_for_the_app(client, alice, app_credentials):
    old = testing.grant("alice")
    current = testing.grant("alice")
    response = client.post(REVOKE, {**app_credentials, "token": current["access_token"]})
    assert response.status_code == 200
    assert response.json() == {}
    for tokens in (old, current):
        assert user_info(client, tokens["access_token"]).status_code == 401
        assert_oauth_error(refresh(client, tokens["refresh_token"]), "invalid_grant")


def test_revoke_leaves_bob_and_other_apps_alone(client, alice, bob, app_credentials):
    testing.register_client("https://other.example/cb", client_key="other", client_secret="s")
    bobs = testing.grant("bob")
    alices_other = testing.grant("alice", client_key="other")
    client.post(REVOKE, {**app_credentials, "token": testing.grant("alice")["access_token"]})
    assert user_info(client, bobs["access_token"]).status_code == 200
    assert user_info(client, alices_other["access_token"]).status_code == 200


def test_revoke_needs_the_app_credentials(client, alice):
    tokens = testing.grant("alice")
    response = client.post(
        REVOKE, {"client_key": "sandbox-linkinbio", "client_secret": "no", "token": "x"}
    )
    assert_oauth_error(response, "invalid_client")
    assert user_info(client, tokens["access_token"]).status_code == 200


def test_revoke_without_a_token_is_invalid_request(client, alice, app_credentials):
    assert_oauth_error(client.post(REVOKE, app_credentials), "invalid_request")


def test_the_token_endpoint_only_takes_post(client):
    assert client.get(TOKEN).json()["error"] == "invalid_request"


def test_a_refresh_does_not_restart_the_refresh_tokens_180_days(client, alice):
    first = exchange(client, testing.issue_code("alice", ["user.info.basic"])).json()
    assert first["refresh_expires_in"] == 180 * 86400
    with time_machine.travel(timezone.now() + timezone.timedelta(days=100)):
        second = refresh(client, first["refresh_token"]).json()
    # What is left of the first 180 days, not a new life.
    assert 80 * 86400 - 60 <= second["refresh_expires_in"] <= 80 * 86400
    with time_machine.travel(timezone.now() + timezone.timedelta(days=181)):
        assert_oauth_error(refresh(client, second["refresh_token"]), "invalid_grant")


def test_codes_carry_the_star_and_bang_of_tiktoks_and_still_work(client, alice):
    code = testing.issue_code("alice", ["user.info.basic"])
    assert "*" in code and "!" in code
    assert "access_token" in exchange(client, code).json()
