"""Every OAuth error TikTok can answer, at each place it can answer it: signing
in, refreshing a token behind a page's sync, revoking on disconnect. What the
creator sees and what state the connection is left in, one test per row."""

import pytest
from django.test import Client

from accounts.models import User
from pages.models import Page
from sources.tiktok import budget
from sources.tiktok.client import OAuthError
from sources.tiktok.models import MAX_REFUSALS, TikTokConnection
from sources.tiktok.signin import TIKTOK_ERRORS
from tests.helpers import (
    REVOKE_URL,
    TOKEN_URL,
    back_from_tiktok,
    expire_access,
    give_page,
    page_of,
    start_sign_in,
    sync,
    token_answer,
)

pytestmark = pytest.mark.django_db

FINAL = [
    "invalid_request",
    "invalid_grant",
    "invalid_client",
    "unauthorized_client",
    "unsupported_grant_type",
    "invalid_scope",
    "access_denied",
]
TRANSIENT = ["server_error", "temporarily_unavailable"]
UNKNOWN = "token_gone_fishing"  # a code TikTok never documented
BUSY = "TikTok is not answering right now. Please try again in a minute."
RECONNECT = "TikTok no longer accepts our access. Reconnect TikTok to resume updates."
NOT_ANSWERING = "TikTok did not answer properly. Your page keeps its current content"


def oauth_error(code):
    return {"error": code, "error_description": f"about {code}", "log_id": "log-oauth"}


# Signing in: the code exchange is refused.


@pytest.mark.parametrize("code", [*FINAL, *TRANSIENT, UNKNOWN])
def test_a_refused_sign_in_names_its_cause_and_saves_nothing(client, tiktok, code):
    query = start_sign_in(client)
    tiktok.post(TOKEN_URL, json=oauth_error(code))

    response = back_from_tiktok(client, query)

    text = response.content.decode()
    if code in TRANSIENT:
        assert response.status_code == 503 and BUSY in text
    else:
        assert response.status_code == 400
        assert TIKTOK_ERRORS.get(code, "TikTok did not complete the sign-in.") in text
    assert code in text and "log-oauth" in text  # what support needs
    assert User.objects.count() == 0 and TikTokConnection.objects.count() == 0


# Refreshing: the access token ran out and the refresh behind a sync is refused.


@pytest.fixture
def stale_alice(alice):
    give_page(alice)
    expire_access(alice)
    budget.reset()
    return alice


def dashboard_of(user):
    browser = Client()
    browser.force_login(user)
    return browser.get("/dashboard/").content.decode()


def test_a_refresh_refused_for_good_asks_alice_to_reconnect_and_keeps_her_page(stale_alice, tiktok):
    code = "invalid_grant"
    tiktok.post(TOKEN_URL, json=oauth_error(code))

    assert sync(stale_alice) == "reconnect"

    connection = TikTokConnection.objects.get(user=stale_alice)
    assert connection.status == "needs_reconnect" and connection.refresh_token == ""
    assert code in connection.last_error
    assert page_of(stale_alice).last_sync_error == RECONNECT
    assert "Reconnect TikTok" in dashboard_of(stale_alice)
    assert Page.objects.filter(user=stale_alice).exists()
    assert [call.request.url for call in tiktok.calls] == [TOKEN_URL]  # no data call after


@pytest.mark.parametrize("code", TRANSIENT)
def test_a_refresh_refused_for_now_is_retried_later_without_bothering_alice(
    stale_alice, tiktok, code
):
    tiktok.post(TOKEN_URL, json=oauth_error(code))

    assert sync(stale_alice) == "failed"

    connection = TikTokConnection.objects.get(user=stale_alice)
    assert connection.status == "active" and connection.refresh_token == "rft.alice-1"
    page = page_of(stale_alice)
    assert page.last_sync_error.startswith(NOT_ANSWERING) and page.sync_backoff_until
    assert "Reconnect TikTok" not in dashboard_of(stale_alice)


@pytest.mark.parametrize("code", [*[c for c in FINAL if c != "invalid_grant"], UNKNOWN])
def test_a_refusal_that_may_be_ours_is_retried_then_asks_alice_to_reconnect(
    stale_alice, tiktok, code
):
    """invalid_request, invalid_client…: one creator's, or ours (a wrong secret
    refuses every creator: refusal_guard.py); only a repeat is hers."""
    tiktok.post(TOKEN_URL, json=oauth_error(code))

    for attempt in range(1, MAX_REFUSALS):
        assert sync(stale_alice) == "failed"
        connection = TikTokConnection.objects.get(user=stale_alice)
        assert connection.status == "active" and connection.refresh_refusals == attempt
        Page.objects.filter(user=stale_alice).update(sync_backoff_until=None)

    assert sync(stale_alice) == "reconnect"
    connection = TikTokConnection.objects.get(user=stale_alice)
    assert connection.status == "needs_reconnect" and code in connection.last_error
    assert "Reconnect TikTok" in dashboard_of(stale_alice)
    assert len([call for call in tiktok.calls if call.request.url == TOKEN_URL]) == 3


def test_a_success_in_between_starts_the_count_again(stale_alice, tiktok):
    tiktok.post(TOKEN_URL, json=oauth_error(UNKNOWN))
    tiktok.post(TOKEN_URL, json=token_answer(access="act.alice-2", refresh="rft.alice-2"))
    connection = TikTokConnection.objects.get(user=stale_alice)

    with pytest.raises(OAuthError):
        connection.valid_access_token()
    assert TikTokConnection.objects.get(user=stale_alice).refresh_refusals == 1
    assert connection.valid_access_token() == "act.alice-2"

    assert TikTokConnection.objects.get(user=stale_alice).refresh_refusals == 0


# Revoking: Alice disconnects and TikTok answers with an error.


@pytest.mark.parametrize("code", [*FINAL, *TRANSIENT, UNKNOWN])
def test_a_refused_revoke_still_forgets_the_tokens_and_says_so(alice, tiktok, code):
    give_page(alice)
    tiktok.post(REVOKE_URL, json=oauth_error(code))
    browser = Client()
    browser.force_login(alice)

    response = browser.post("/dashboard/data/disconnect/", follow=True)

    connection = TikTokConnection.objects.get(user=alice)
    assert connection.status == "revoked" and connection.access_token_encrypted == ""
    assert "TikTok did not confirm the revocation" in response.content.decode()


@pytest.mark.parametrize("body", [b"", b"{}"])
def test_an_empty_revoke_answer_means_revoked(alice, tiktok, body):
    give_page(alice)
    tiktok.post(REVOKE_URL, body=body, status=200)
    browser = Client()
    browser.force_login(alice)

    response = browser.post("/dashboard/data/disconnect/", follow=True)

    assert "we revoked our access" in response.content.decode()
    assert "did not confirm" not in response.content.decode()
