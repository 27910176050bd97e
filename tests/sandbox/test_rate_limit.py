"""TikTok's sliding one-minute window, per app and per endpoint."""

import pytest
import time_machine
from django.utils import timezone

from sandbox import testing

from .calls import TOKEN, user_info, video_list

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_limit(settings):
    settings.TIKTOK_SANDBOX_RATE_LIMIT = 3


def test_over_the_limit_calls_get_429_rate_limit_exceeded(client, alice):
    tokens = testing.grant("alice")
    for _ in range(3):
        assert user_info(client, tokens["access_token"]).status_code == 200
    response = user_info(client, tokens["access_token"])
    assert response.status_code == 429
    body = response.json()
    assert body["error"]["code"] == "rate_limit_exceeded"
    assert body["error"]["log_id"]
    assert "Retry-After" not in response


def test_each_endpoint_has_its_own_window(client, alice):
    tokens = testing.grant("alice")
    for _ in range(3):
        user_info(client, tokens["access_token"])
    assert user_info(client, tokens["access_token"]).status_code == 429
    assert video_list(client, tokens["access_token"]).status_code == 200


def test_each_app_has_its_own_window_shared_by_all_its_users(client, alice, bob):
    testing.register_client("https://other.example/cb", client_key="other", client_secret="s")
    alices, bobs = testing.grant("alice"), testing.grant("bob")
    for _ in range(2):
        user_info(client, alices["access_token"])
    user_info(client, bobs["access_token"])
    assert user_info(client, bobs["access_token"]).status_code == 429
    other = testing.grant("alice", client_key="other")
    assert user_info(client, other["access_token"]).status_code == 200


def test_the_window_slides(client, alice):
    tokens = testing.grant("alice")
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        user_info(client, tokens["access_token"])
        traveller.shift(30)
        user_info(client, tokens["access_token"])
        user_info(client, tokens["access_token"])
        assert user_info(client, tokens["access_token"]).status_code == 429
        traveller.shift(31)  # the first call left the window
        assert user_info(client, tokens["access_token"]).status_code == 200
        assert user_info(client, tokens["access_token"]).status_code == 429


def test_the_token_endpoint_is_limited_too(client, alice, app_credentials):
    for _ in range(3):
        client.post(TOKEN, {**app_credentials, "grant_type": "refresh_token", "refresh_token": "x"})
    response = client.post(
        TOKEN, {**app_credentials, "grant_type": "refresh_token", "refresh_token": "x"}
    )
    assert response.status_code == 429
    assert response.json()["error"] == "rate_limit_exceeded"


def test_refused_calls_still_show_in_the_counters(client, alice):
    tokens = testing.grant("alice")
    for _ in range(5):
        user_info(client, tokens["access_token"])
    assert testing.stats()["calls"]["user.info"] == 5


def test_a_stranger_naming_the_app_without_its_secret_uses_up_none_of_its_limit(
    client, alice, app_credentials
):
    from sandbox.models import RateWindow

    stranger = {"client_key": app_credentials["client_key"], "client_secret": "guessed"}
    for made_up in ["sandbox-linkinbio"] * 10 + [f"junk-{n}" for n in range(5)]:
        answer = client.post(TOKEN, {**stranger, "client_key": made_up, "grant_type": "x"})
        assert answer.json()["error"] == "invalid_client"
    real = client.post(
        TOKEN, {**app_credentials, "grant_type": "refresh_token", "refresh_token": "x"}
    )
    assert real.json()["error"] == "invalid_grant"  # answered, not rate limited
    assert not RateWindow.objects.filter(client_key__startswith="junk-").exists()
