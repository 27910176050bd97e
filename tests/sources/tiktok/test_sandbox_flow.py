"""Sign in with TikTok end to end against the TikTok sandbox on a live server.

The product runs in-process (Django's test client plays Alice's browser);
TikTok is the sandbox behind live_server, reached over real HTTP by both the
"browser" (consent form) and the TikTok client (tokens, user info, revoke).
"""

import json
import logging
import threading
from urllib.parse import urlsplit

import pytest
from allauth.socialaccount.models import SocialAccount

from accounts.models import User
from linkinbio.demo import connect_demo_creator
from pages.models import Page
from sandbox import testing as sandbox
from sources.tiktok import client as tiktok
from sources.tiktok.client import ReconnectNeeded
from sources.tiktok.models import ApiCall, TikTokConnection
from tests.helpers import closing_session

pytestmark = pytest.mark.django_db(transaction=True)


browser = closing_session()
BASIC = ["user.info.basic", "user.info.profile", "user.info.stats"]


@pytest.fixture(autouse=True)
def sandbox_tiktok(live_server, settings, monkeypatch):
    base = live_server.url + "/sandbox/tiktok"
    settings.SITE_URL = live_server.url
    settings.TIKTOK_API_BASE = settings.TIKTOK_AUTH_BASE = base
    settings.TIKTOK_CLIENT_KEY = "sandbox-linkinbio"
    settings.TIKTOK_CLIENT_SECRET = "sandbox-linkinbio-secret"
    sandbox.register_live_server(live_server.url)
    sandbox.create_account(
        "alice.dances",
        display_name="Alice <b>Dances</b>",
        bio_description="Choreo every Friday",
        follower_count=5400,
        video_count=3,
    )
    monkeypatch.setattr(tiktok, "session", closing_session())
    yield base
    # A request TikTok is still "working on" (the timeout fault) ends before the next test.
    for thread in threading.enumerate():
        if "process_request_thread" in thread.name:
            thread.join(5)


def go_to_tiktok(browser, path="/accounts/tiktok/login/", data=None):
    response = browser.post(path, data or {"next": "/dashboard/"})
    assert response.status_code == 302, response.content
    return response["Location"]


def consent(authorize_url, *, scopes=None, decision="allow", account="alice.dances"):
    """Alice on TikTok's consent screen; returns the redirect back to the product."""
    page = browser.get(authorize_url, timeout=10)
    assert page.status_code == 200
    answer = browser.post(
        authorize_url,
        data={"account": account, "scope": scopes or [], "decision": decision},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302
    return answer.headers["Location"]


def back(browser, location):
    """The browser follows TikTok's redirect back to the product's callback."""
    url = urlsplit(location)
    return browser.get(f"{url.path}?{url.query}")


def sign_in(browser, scopes=None):
    location = consent(go_to_tiktok(browser), scopes=scopes or BASIC + ["video.list"])
    return back(browser, location)


def test_alice_signs_in_declines_videos_grants_them_later_exports_disconnects_and_deletes(
    client, django_capture_on_commit_callbacks, caplog
):
    caplog.set_level(logging.DEBUG)
    tokens = set()
    # Sign in with video access switched off on TikTok's consent screen.
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_in(client, scopes=BASIC)
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    alice = User.objects.get()
    connection = TikTokConnection.objects.get(user=alice)
    assert connection.scopes == BASIC and connection.needs_video_access
    assert Page.objects.get(user=alice).slug == "alicedances"
    tokens |= {connection.access_token, connection.refresh_token}
    assert "Show your videos: grant video access" in client.get("/dashboard/").content.decode()
    data_page = client.get("/dashboard/data/").content.decode()
    assert "Grant the rest on TikTok" in data_page
    assert "Alice <b>" not in data_page

    # Grant video access later, keeping what was granted before.
    authorize = go_to_tiktok(client, "/dashboard/data/grant/", {})
    assert "video.list" in authorize
    back(client, consent(authorize, scopes=BASIC + ["video.list"]))
    connection.refresh_from_db()
    assert connection.scopes == BASIC + ["video.list"] and not connection.needs_video_access
    tokens |= {connection.access_token, connection.refresh_token}
    assert "grant video access" not in client.get("/dashboard/").content.decode()
    videos = connection.call(tiktok.video_list, ["id", "title"])
    assert len(videos.videos) == 3

    # Export: everything but the tokens.
    export = client.get("/dashboard/data/export/").content.decode()
    data = json.loads(export)
    assert {c["endpoint"] for c in data["request_history"]} >= {"oauth.token", "user.info"}
    assert connection.access_token not in export and connection.refresh_token not in export

    # Disconnect: revoked at TikTok, the page stays, reconnecting works.
    old_token = connection.access_token
    client.post("/dashboard/data/disconnect/")
    assert sandbox.stats()["calls"]["oauth.revoke"] == 1
    with pytest.raises(tiktok.TokenInvalid):
        tiktok.user_info(old_token, ["open_id"], user=alice)
    assert Page.objects.filter(user=alice).exists()
    back(client, consent(go_to_tiktok(client), scopes=BASIC))
    assert TikTokConnection.objects.get(user=alice).status == "active"
    assert User.objects.count() == 1

    # Delete: revoked again, nothing of Alice left.
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/dashboard/data/delete/", {"confirm": "yes"})
    assert sandbox.stats()["calls"]["oauth.revoke"] == 2
    assert User.objects.count() == 0 and Page.objects.count() == 0
    assert TikTokConnection.objects.count() == 0 and ApiCall.objects.count() == 0
    assert SocialAccount.objects.count() == 0
    assert all(token and token not in caplog.text for token in tokens)


def test_alice_removing_the_app_on_tiktok_asks_her_to_reconnect(client):
    sign_in(client)
    sandbox.revoke_app("alice.dances")
    connection = TikTokConnection.objects.get()

    with pytest.raises(ReconnectNeeded):
        connection.call(tiktok.user_info, connection.user_info_fields())

    connection.refresh_from_db()
    assert connection.status == "needs_reconnect"
    assert b"Reconnect TikTok" in client.get("/dashboard/data/").content
    assert Page.objects.count() == 1


def test_saying_no_on_tiktok_creates_nothing(client):
    location = consent(go_to_tiktok(client), decision="deny")

    response = back(client, location)

    assert b"You did not connect TikTok" in response.content
    assert User.objects.count() == 0


def test_a_code_used_twice_is_refused_with_tiktoks_log_id(client):
    location = consent(go_to_tiktok(client), scopes=BASIC)
    back(client, location)
    client.post("/accounts/logout/")
    bob_browser = type(client)()
    state = go_to_tiktok(bob_browser).split("state=")[1].split("&")[0]
    code = location.split("code=")[1].split("&")[0]

    response = bob_browser.get(
        "/accounts/tiktok/login/callback/", {"code": code, "state": state, "scopes": "x"}
    )

    assert response.status_code == 400
    assert b"expired or was already used" in response.content
    assert b"TikTok log ID" in response.content
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    ("endpoint", "kind", "variant", "status"),
    [
        # TikTok down or behind a failing gateway: "not answering, try again in a minute".
        ("oauth.token", "server_error", "", 503),
        ("user.info", "malformed", "html", 503),
        # TikTok answered, but with JSON we cannot read.
        ("oauth.token", "malformed", "truncated", 502),
        ("user.info", "malformed", "truncated", 502),
    ],
)
def test_tiktok_failing_during_sign_in_leaves_nothing_half_made(
    client, endpoint, kind, variant, status
):
    location = consent(go_to_tiktok(client))
    sandbox.add_fault(endpoint, kind, variant=variant)

    response = back(client, location)

    assert response.status_code == status
    assert b"Try again" in response.content
    assert User.objects.count() == 0 and TikTokConnection.objects.count() == 0
    assert Page.objects.count() == 0


def test_tiktok_timing_out_during_sign_in_gives_a_clear_page(client, settings):
    settings.TIKTOK_READ_TIMEOUT = 0.5
    settings.TIKTOK_SANDBOX_TIMEOUT_SECONDS = 1.5
    location = consent(go_to_tiktok(client))
    sandbox.add_fault("oauth.token", "timeout")

    response = back(client, location)

    assert response.status_code == 503
    assert b"not answering" in response.content
    assert User.objects.count() == 0


def test_the_demo_creator_is_made_through_the_real_path(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        user = connect_demo_creator("alice.dances")

    connection = TikTokConnection.objects.get(user=user)
    assert connection.status == "active" and connection.has_scope("video.list")
    assert Page.objects.get(user=user).slug == "alicedances"
    assert SocialAccount.objects.get(user=user).uid == connection.open_id
    assert ApiCall.objects.filter(user=user, endpoint="oauth.token").exists()
    assert connect_demo_creator("alice.dances") == user
    assert User.objects.count() == 1
