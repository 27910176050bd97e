"""Alice meets the consent screen: what she sees, what she grants, where she goes."""

from urllib.parse import urlencode

import pytest
from django.test import Client as Browser

from sandbox import testing

from .calls import AUTHORIZE, CALLBACK

pytestmark = pytest.mark.django_db


VERIFIER = "a-verifier-of-forty-three-characters-or-more-123"


def authorize_path(**overrides):
    params = {
        "client_key": "sandbox-linkinbio",
        "scope": "user.info.basic,user.info.profile,user.info.stats,video.list",
        "response_type": "code",
        "redirect_uri": CALLBACK,
        "state": "s-123",
        "code_challenge": testing.pkce_challenge(VERIFIER),
        "code_challenge_method": "S256",
        **overrides,
    }
    params = {k: v for k, v in params.items() if v is not None}
    return f"{AUTHORIZE}?{urlencode(params)}"


def test_alice_sees_a_consent_screen_naming_the_app_and_what_each_scope_reveals(client, alice, bob):
    response = client.get(authorize_path())
    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>linkinbio</strong> would like to access your TikTok account" in html
    assert 'value="alice"' in html and 'value="bob"' in html
    assert "Alice Martin" in html
    assert "Your profile picture and display name" in html
    assert "Your number of followers, following, likes and videos" in html
    assert "Your public videos" in html
    assert "Required" in html
    # Optional scopes are switches she can turn off; the basic one is not.
    assert html.count('type="checkbox" name="scope"') == 3
    assert 'type="checkbox" name="scope" value="user.info.basic"' not in html
    assert 'value="allow"' in html and 'value="deny"' in html


def test_consent_screen_shows_only_the_scopes_asked_for(client, alice):
    html = client.get(authorize_path(scope="user.info.basic")).content.decode()
    assert "Your profile picture and display name" in html
    assert "Your public videos" not in html


def test_consent_form_lets_the_browser_return_to_the_app(client, alice):
    response = client.get(authorize_path(redirect_uri=CALLBACK))
    policy = response.headers["Content-Security-Policy"]
    assert "form-action 'self' http://127.0.0.1:8000" in policy


def test_allow_sends_alice_back_with_a_code_all_granted_scopes_and_the_state(alice):
    browser = Browser(enforce_csrf_checks=True)
    response = browser.post(
        authorize_path(),
        {
            "account": "alice",
            "scope": ["user.info.profile", "user.info.stats", "video.list"],
            "decision": "allow",
        },
    )
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(CALLBACK + "?")
    params = testing.callback_params(location)
    assert params["state"] == "s-123"
    assert params["scopes"] == "user.info.basic,user.info.profile,user.info.stats,video.list"
    assert len(params["code"]) > 20


def test_alice_can_switch_off_her_videos_and_stats(client, alice):
    response = client.post(
        authorize_path(), {"account": "alice", "scope": ["user.info.profile"], "decision": "allow"}
    )
    params = testing.callback_params(response["Location"])
    assert params["scopes"] == "user.info.basic,user.info.profile"


def test_alice_can_switch_off_every_optional_scope(client, alice):
    response = client.post(
        authorize_path(), {"account": "alice", "scope": ["user.info.basic"], "decision": "allow"}
    )
    assert testing.callback_params(response["Location"])["scopes"] == "user.info.basic"


def test_the_basic_scope_is_granted_even_when_the_form_leaves_it_out(client, alice):
    response = client.post(
        authorize_path(), {"account": "alice", "scope": ["video.list"], "decision": "allow"}
    )
    assert testing.callback_params(response["Location"])["scopes"] == "user.info.basic,video.list"


def test_a_scripted_allow_without_scope_fields_keeps_the_screens_defaults(client, alice):
    response = client.post(authorize_path(), {"account": "alice", "decision": "allow"})
    assert testing.callback_params(response["Location"])["scopes"] == (
        "user.info.basic,user.info.profile,user.info.stats,video.list"
    )


def test_deny_sends_alice_back_with_access_denied(client, alice):
    response = client.post(authorize_path(), {"account": "alice", "decision": "deny"})
    assert response.status_code == 302
    params = testing.callback_params(response["Location"])
    assert params["error"] == "access_denied"
    assert params["error_description"]
    assert params["state"] == "s-123"
    assert "code" not in params


def test_an_unknown_account_keeps_alice_on_the_consent_screen(client, alice):
    response = client.post(authorize_path(), {"account": "mallory", "decision": "allow"})
    assert response.status_code == 400
    assert "Choose an account to continue." in response.content.decode()


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_unknown_client_key_is_an_error_page_that_never_redirects(client, alice, method):
    response = getattr(client, method)(authorize_path(client_key="someone-else"))
    assert response.status_code == 400
    assert "client_key is unknown" in response.content.decode()
    assert "Location" not in response


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "https://evil.example/callback/",
        CALLBACK + "?next=/",
        CALLBACK.rstrip("/"),
        "",
    ],
)
def test_an_unregistered_redirect_uri_is_an_error_page_that_never_redirects(
    client, alice, redirect_uri
):
    response = client.post(
        authorize_path(redirect_uri=redirect_uri), {"account": "alice", "decision": "allow"}
    )
    assert response.status_code == 400
    assert "redirect_uri does not match" in response.content.decode()
    assert "Location" not in response


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"scope": "user.info.basic,video.upload"}, "invalid_scope"),
        ({"scope": ""}, "invalid_scope"),
        ({"code_challenge": "abc", "code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge": None}, "invalid_request"),
        ({"code_challenge_method": None}, "invalid_request"),
        ({"code_challenge": None, "code_challenge_method": None}, "invalid_request"),
    ],
)
def test_other_bad_requests_go_back_to_the_app_with_an_error(client, alice, overrides, error):
    response = client.get(authorize_path(**overrides))
    assert response.status_code == 302
    params = testing.callback_params(response["Location"])
    assert params["error"] == error
    assert params["state"] == "s-123"


def test_an_app_that_was_not_approved_for_a_scope_cannot_ask_for_it(client, alice):
    testing.register_client(
        "https://shop.example/cb", client_key="shop", client_secret="x", scopes=["user.info.basic"]
    )
    response = client.get(
        authorize_path(
            client_key="shop", redirect_uri="https://shop.example/cb", scope="video.list"
        )
    )
    assert testing.callback_params(response["Location"])["error"] == "invalid_scope"


def test_without_sandbox_accounts_the_screen_says_how_to_make_one(client):
    html = client.get(authorize_path()).content.decode()
    assert "There are no sandbox accounts yet" in html


def test_a_web_login_without_pkce_is_refused_like_tiktok_does(client, alice):
    response = client.get(authorize_path(code_challenge=None, code_challenge_method=None))
    params = testing.callback_params(response["Location"])
    assert params["error"] == "invalid_request"
    assert "code_challenge" in params["error_description"]


def test_pkce_can_be_made_optional_for_an_old_client(client, alice, settings):
    settings.TIKTOK_SANDBOX_PKCE = "optional"
    response = client.get(authorize_path(code_challenge=None, code_challenge_method=None))
    assert response.status_code == 200 and "Authorize" in response.content.decode()
