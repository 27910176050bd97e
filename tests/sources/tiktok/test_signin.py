"""Alice signs in with TikTok (TikTok mocked at the HTTP boundary): success, refusals, faults."""

import hashlib
import html
import json
import logging
import re
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from allauth.socialaccount.models import SocialAccount, SocialToken
from django.test import Client
from django_tasks_db.models import DBTaskResult
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accounts.models import User
from pages.models import Page
from sources.tiktok.models import ApiCall, TikTokConnection
from tests.helpers import (
    CALLBACK,
    REVOKE_URL,
    TOKEN_URL,
    USER_URL,
    back_from_tiktok,
    envelope,
    give_page,
    start_sign_in,
    token_answer,
)

pytestmark = pytest.mark.django_db


ALICE = {
    "open_id": "oid-alice",
    "union_id": "uid-alice",
    "display_name": "Alice ✨",
    "avatar_url": "http://127.0.0.1:9/cdn/alice.webp",
    "username": "alice",
    "bio_description": "Dancer",
    "is_verified": True,
    "follower_count": 1200,
}


def answer_tiktok(tiktok, *, scope=None, profile=None, access="act.alice-1"):
    tiktok.post(TOKEN_URL, json=token_answer(access=access, scope=scope))
    tiktok.get(USER_URL, json=envelope({"user": profile or ALICE}, log_id="log-user"))


def sign_in(client, tiktok, **kwargs):
    query = start_sign_in(client)
    answer_tiktok(tiktok, **kwargs)
    return back_from_tiktok(client, query)


def test_the_authorize_url_is_what_tiktok_expects(client, settings):
    query = start_sign_in(client)

    assert query["client_key"] == settings.TIKTOK_CLIENT_KEY
    assert query["scope"] == "user.info.basic,user.info.profile,user.info.stats,video.list"
    assert query["response_type"] == "code"
    assert query["redirect_uri"] == settings.SITE_URL + CALLBACK
    assert query["code_challenge_method"] == "S256"
    assert len(query["code_challenge"]) == 64
    assert int(query["code_challenge"], 16) >= 0
    assert len(query["state"]) >= 16
    assert "client_id" not in query and "client_secret" not in query


def test_pkce_can_use_base64url_or_be_off(client, settings):
    settings.TIKTOK_PKCE = "base64url"
    assert len(start_sign_in(client)["code_challenge"]) == 43
    settings.TIKTOK_PKCE = "off"
    assert "code_challenge" not in start_sign_in(client)


def test_leaving_for_tiktok_needs_a_post_with_csrf(client, settings):
    assert client.get("/accounts/tiktok/login/")["Location"] == "/signin/"
    strict = type(client)(enforce_csrf_checks=True)
    assert strict.post("/accounts/tiktok/login/").status_code == 403


def test_alice_signs_in_and_gets_her_page(client, tiktok, django_capture_on_commit_callbacks):
    query = start_sign_in(client)
    answer_tiktok(tiktok)

    with django_capture_on_commit_callbacks(execute=True):
        response = back_from_tiktok(client, query)

    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    user = User.objects.get()
    assert not user.has_usable_password() and user.email == ""
    assert client.get("/dashboard/data/").status_code == 200
    connection = TikTokConnection.objects.get(user=user)
    assert connection.open_id == "oid-alice" and connection.union_id == "uid-alice"
    assert connection.access_token == "act.alice-1" and connection.status == "active"
    page = Page.objects.get(user=user)
    assert page.slug == "alice"
    task = DBTaskResult.objects.get(task_path="pages.sync.tasks.sync_page")
    assert task.args_kwargs["args"][0] == page.pk
    assert SocialAccount.objects.get(user=user).uid == "oid-alice"
    assert SocialToken.objects.count() == 0
    assert set(ApiCall.objects.values_list("user", flat=True)) == {user.pk}


def test_the_code_verifier_matches_the_challenge(client, tiktok):
    query = start_sign_in(client)
    answer_tiktok(tiktok)

    back_from_tiktok(client, query)

    sent = parse_qs(tiktok.calls[0].request.body)
    verifier = sent["code_verifier"][0]
    assert hashlib.sha256(verifier.encode()).hexdigest() == query["code_challenge"]
    assert sent["redirect_uri"] == [query["redirect_uri"]]


def test_the_same_tiktok_account_always_lands_in_the_same_user(client, tiktok):
    sign_in(client, tiktok)
    client.post("/accounts/logout/")
    tiktok.reset()

    sign_in(client, tiktok, access="act.alice-again")

    assert User.objects.count() == 1 and Page.objects.count() == 1
    assert TikTokConnection.objects.get().access_token == "act.alice-again"


def test_declined_optional_scopes_still_sign_in_and_only_granted_fields_are_asked(client, tiktok):
    query = start_sign_in(client)
    answer_tiktok(
        tiktok,
        scope="user.info.basic",
        profile={"open_id": "oid-alice", "display_name": "Alice Dances"},
    )

    response = back_from_tiktok(client, query, scopes="user.info.basic")

    assert response["Location"] == "/dashboard/"
    fields = parse_qs(urlsplit(tiktok.calls[1].request.url).query)["fields"][0].split(",")
    assert "username" not in fields and "follower_count" not in fields
    assert "display_name" in fields
    connection = TikTokConnection.objects.get()
    assert connection.scopes == ["user.info.basic"] and connection.needs_video_access
    assert Page.objects.get().slug == "alice_dances"


def test_a_profile_without_username_falls_back_to_the_display_name(client, tiktok):
    sign_in(client, tiktok, profile={"open_id": "oid-alice", "display_name": "Sunny Side"})

    assert Page.objects.get().slug == "sunny_side"
    assert User.objects.get().username == "sunny_side"  # never allauth's "user"


def test_a_second_creator_with_the_same_display_name_gets_a_name_of_their_own(client, tiktok):
    User.objects.create(username="sunny_side")
    sign_in(client, tiktok, profile={"open_id": "oid-alice", "display_name": "Sunny Side"})

    assert User.objects.get(socialaccount__uid="oid-alice").username == "sunny_side2"


def test_a_display_name_with_no_letters_gives_creator_not_user(client, tiktok):
    sign_in(client, tiktok, profile={"open_id": "oid-alice", "display_name": "✨✨"})

    assert User.objects.get().username == "creator"


def test_the_name_follows_the_tiktok_username_once_the_profile_scope_is_granted(client, tiktok):
    query = start_sign_in(client)
    answer_tiktok(
        tiktok, scope="user.info.basic", profile={"open_id": "oid-alice", "display_name": "Sunny"}
    )
    back_from_tiktok(client, query, scopes="user.info.basic")
    assert User.objects.get().username == "sunny"
    client.post("/accounts/logout/")
    tiktok.reset()

    sign_in(client, tiktok)  # all scopes: TikTok now shares @alice

    assert User.objects.get().username == "alice"
    tiktok.reset()
    client.post("/accounts/logout/")
    sign_in(client, tiktok)
    assert User.objects.get().username == "alice"  # unchanged when it already follows


def test_saying_no_on_tiktok_gives_a_friendly_page_and_creates_nothing(client):
    query = start_sign_in(client)

    response = client.get(
        CALLBACK,
        {"error": "access_denied", "error_description": "User cancelled", "state": query["state"]},
    )

    assert response.status_code == 200
    assert b"You did not connect TikTok" in response.content
    assert b"Try again" in response.content
    assert User.objects.count() == 0


@pytest.mark.parametrize("state", ["", "tampered-state-value"])
def test_a_missing_or_tampered_state_is_refused(client, tiktok, state):
    start_sign_in(client)
    answer_tiktok(tiktok)

    response = client.get(CALLBACK, {"code": "code-1", "state": state})

    assert response.status_code == 400
    assert b"This sign-in link is not valid" in response.content
    assert len(tiktok.calls) == 0
    assert User.objects.count() == 0


def test_a_state_from_another_browser_is_refused(client, tiktok):
    query = start_sign_in(client)
    answer_tiktok(tiktok)

    response = type(client)().get(CALLBACK, {"code": "code-1", "state": query["state"]})

    assert response.status_code == 400 and len(tiktok.calls) == 0


def test_replaying_the_callback_url_is_refused(client, tiktok):
    query = start_sign_in(client)
    answer_tiktok(tiktok)
    back_from_tiktok(client, query)
    client.post("/accounts/logout/")

    response = back_from_tiktok(client, query)

    assert response.status_code == 400
    assert b"This sign-in link is not valid" in response.content
    assert User.objects.count() == 1


def test_a_used_or_expired_code_gives_a_clear_page_with_the_log_id(client, tiktok, caplog):
    query = start_sign_in(client)
    body = {"error": "invalid_grant", "error_description": "Code expired", "log_id": "log-123"}
    tiktok.post(TOKEN_URL, json=body)

    response = back_from_tiktok(client, query)

    assert response.status_code == 400
    assert b"expired or was already used" in response.content
    assert b"log-123" in response.content
    assert "invalid_grant" in caplog.text
    assert User.objects.count() == 0 and TikTokConnection.objects.count() == 0


@pytest.mark.parametrize(
    ("token_reply", "user_reply", "expected"),
    [
        ({"body": requests.ReadTimeout("slow")}, None, b"not answering"),
        ({"body": "<html>Bad gateway</html>", "status": 502}, None, b"not answering"),
        ({"body": '{"access_token": "act.x", "expi'}, None, b"could not use"),
        (
            {"json": token_answer()},
            {"body": "<html>oops</html>", "status": 500},
            b"not answering",
        ),
        ({"json": token_answer()}, {"json": envelope({})}, b"could not use"),
        (
            {"json": token_answer()},
            {"json": envelope(code="rate_limit_exceeded"), "status": 429},
            b"not answering",
        ),
    ],
)
def test_tiktok_faults_during_sign_in_leave_nothing_half_made(
    client, tiktok, token_reply, user_reply, expected
):
    query = start_sign_in(client)
    tiktok.post(TOKEN_URL, **token_reply)
    if user_reply:
        tiktok.get(USER_URL, **user_reply)

    response = back_from_tiktok(client, query)

    assert response.status_code in (502, 503)
    assert expected in response.content
    assert User.objects.count() == 0
    assert TikTokConnection.objects.count() == 0 and Page.objects.count() == 0
    assert SocialAccount.objects.count() == 0


def test_another_error_from_tiktok_is_shown_by_its_code(client):
    query = start_sign_in(client)

    response = client.get(CALLBACK, {"error": "invalid_scope", "state": query["state"]})

    assert response.status_code == 400
    assert b"invalid_scope" in response.content


def test_a_failure_while_saving_leaves_nothing_half_made(client, tiktok, monkeypatch):
    from django.db import DatabaseError

    def broken(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr("pages.models.Page.create_for", broken)
    response = sign_in(client, tiktok)

    assert response.status_code == 500
    assert b"Nothing was saved" in response.content
    assert User.objects.count() == 0 and SocialAccount.objects.count() == 0
    assert TikTokConnection.objects.count() == 0


def test_no_token_reaches_the_logs_the_session_or_a_page(client, tiktok, caplog):
    caplog.set_level(logging.DEBUG)
    query = start_sign_in(client)
    answer_tiktok(tiktok, access="act.very-secret")

    back_from_tiktok(client, query)
    pages = [client.get(url).content for url in ("/dashboard/", "/dashboard/data/", "/signin/")]
    export = client.get("/dashboard/data/export/").content

    for text in [caplog.text, *map(bytes.decode, pages), export.decode()]:
        assert "act.very-secret" not in text and "rft.alice-1" not in text
    session = client.session
    assert "very-secret" not in json.dumps(dict(session.items()), default=str)


# The same account on grant and reconnect.


def alice_signed_in(client, alice):
    give_page(alice)
    SocialAccount.objects.create(user=alice, provider="tiktok", uid="oid-alice")
    TikTokConnection.objects.filter(user=alice).update(scopes=["user.info.basic"])
    client.force_login(alice)


def comes_back_as_bob(client, tiktok, query):
    tiktok.post(TOKEN_URL, json=token_answer(access="act.bob-new", open_id="oid-bob"))
    bob = {"open_id": "oid-bob", "display_name": "Bob", "username": "bob.runs"}
    tiktok.get(USER_URL, json=envelope({"user": bob}))
    tiktok.post(REVOKE_URL, json={})
    return back_from_tiktok(client, query)


@pytest.mark.parametrize("action", ["grant", "reconnect"])
def test_a_grant_or_reconnect_answered_for_another_account_changes_nothing(
    client, alice, tiktok, action
):
    alice_signed_in(client, alice)
    if action == "grant":
        response = client.post("/dashboard/data/grant/")
        query = {k: v[0] for k, v in parse_qs(urlsplit(response["Location"]).query).items()}
    else:
        query = start_sign_in(client)

    response = comes_back_as_bob(client, tiktok, query)

    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    page = client.get("/dashboard/")
    text = page.content.decode()
    assert page.wsgi_request.user == alice  # still Alice
    assert "another account (@bob.runs), not for yours (@alice)" in text
    assert "still signed in as alice" in text and "choose @alice" in text
    connection = TikTokConnection.objects.get(user=alice)
    assert connection.open_id == "oid-alice" and connection.access_token == "act.alice-1"
    assert connection.scopes == ["user.info.basic"]
    assert User.objects.count() == 1 and not TikTokConnection.objects.filter(open_id="oid-bob")
    revoked = [call for call in tiktok.calls if call.request.url == REVOKE_URL]
    assert [parse_qs(call.request.body)["token"] for call in revoked] == [["act.bob-new"]]


def test_another_creators_grant_is_never_revoked_by_alices_mistake(client, alice, bob, tiktok):
    alice_signed_in(client, alice)
    query = start_sign_in(client)

    comes_back_as_bob(client, tiktok, query)

    assert not [call for call in tiktok.calls if call.request.url == REVOKE_URL]
    assert TikTokConnection.objects.get(user=bob).access_token == "act.bob-1"
    assert TikTokConnection.objects.get(user=alice).access_token == "act.alice-1"


def test_the_same_account_coming_back_is_stored_as_before(client, alice, tiktok):
    alice_signed_in(client, alice)
    query = start_sign_in(client)
    answer_tiktok(tiktok, access="act.alice-2")

    back_from_tiktok(client, query)

    assert TikTokConnection.objects.get(user=alice).access_token == "act.alice-2"


def test_a_cancelled_grant_brings_alice_back_to_her_dashboard_unchanged(client, alice, tiktok):
    alice_signed_in(client, alice)
    query = start_sign_in(client)

    response = back_from_tiktok(client, query, code=None, error="access_denied")

    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    text = client.get("/dashboard/").content.decode()
    assert "Nothing changed: your page keeps working as before." in text
    assert TikTokConnection.objects.get(user=alice).access_token == "act.alice-1"


def test_a_failed_reconnect_says_why_on_alices_dashboard(client, alice, tiktok):
    alice_signed_in(client, alice)
    query = start_sign_in(client)
    tiktok.post(TOKEN_URL, json={"error": "temporarily_unavailable", "log_id": "log-busy"})

    response = back_from_tiktok(client, query)

    assert response["Location"] == "/dashboard/"
    text = client.get("/dashboard/").content.decode()
    assert "TikTok is not answering right now" in text and "log-busy" in text
    assert "Nothing changed" in text


def test_a_stray_grant_of_a_disconnected_creator_is_given_back(client, alice, bob, tiktok):
    TikTokConnection.objects.filter(user=bob).update(status="revoked")
    alice_signed_in(client, alice)
    query = start_sign_in(client)

    comes_back_as_bob(client, tiktok, query)

    assert [call for call in tiktok.calls if call.request.url == REVOKE_URL]


def test_request_parameters_cannot_replace_the_redirect_uri_or_the_state(client, settings):
    extra = "redirect_uri=https://evil.example/cb&state=fixed&client_key=other"
    response = client.post("/accounts/tiktok/login/", {"next": "/dashboard/", "auth_params": extra})

    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["redirect_uri"] == [settings.SITE_URL + CALLBACK]
    assert query["state"] != ["fixed"] and query["client_key"] == [settings.TIKTOK_CLIENT_KEY]


def test_the_follower_count_stays_off_until_alice_switches_it_on(client, tiktok):
    """The sign-in page promises the count is shown "only if you switch it
    on": granting every scope and changing nothing shows no count."""
    sign_in(client, tiktok)  # every scope, 1200 followers
    page = Page.objects.get()
    page.follower_count = 1200  # as the first sync stores it
    page.save()

    public = client.get("/@alice").content.decode()
    appearance = client.get("/dashboard/appearance/").content.decode()

    assert page.follower_count == 1200 and "followers" not in public
    assert 'name="show_follower_count" id="id_show_follower_count">' in appearance  # unticked


def next_in_form(client, signin_url):
    form = client.get(signin_url).content.decode()
    return html.unescape(re.search(r'name="next" value="([^"]*)"', form).group(1))


def test_signed_out_alice_lands_where_she_was_going_after_signing_in(client, tiktok):
    asked = client.get("/dashboard/data/delete/")
    assert asked["Location"] == "/signin/?next=/dashboard/data/delete/"

    going = next_in_form(client, asked["Location"])
    query = start_sign_in(client, next=going)
    answer_tiktok(tiktok)

    assert going == "/dashboard/data/delete/"
    assert back_from_tiktok(client, query)["Location"] == "/dashboard/data/delete/"


@pytest.mark.parametrize(
    "elsewhere",
    [
        "https://evil.example/",
        "//evil.example",
        "///evil.example",
        "/\\evil.example",
        "\t//evil.example",
        "javascript:alert(1)",
        "dashboard/",
    ],
)
def test_sign_in_never_carries_her_to_another_site(client, elsewhere):
    assert next_in_form(client, f"/signin/?{urlencode({'next': elsewhere})}") == "/dashboard/"


@hypothesis_settings(max_examples=40, deadline=None)
@given(st.text(max_size=40))
def test_whatever_the_next_it_is_a_path_of_this_site(next_url):
    client = Client()
    going = next_in_form(client, f"/signin/?{urlencode({'next': next_url})}")

    assert going.startswith("/") and not going.startswith(("//", "/\\"))
    assert not urlsplit(going.replace("\\", "/")).netloc
