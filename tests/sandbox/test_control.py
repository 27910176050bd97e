"""The control API that tests and demos use to shape the sandbox."""

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.urls import Resolver404, clear_url_caches, resolve

from sandbox import testing
from sandbox.models import Account, Client, Fault

from .calls import CALLBACK, CONTROL, TOKEN, exchange, user_info, video_list

pytestmark = pytest.mark.django_db

HOSTILE_BIO = '<script>alert("x")</script> مرحبا 👩‍🍳 ' + "x" * 10_000


def post(client, path, body=None):
    return client.post(f"{CONTROL}{path}", body or {}, content_type="application/json")


def test_stats_count_every_call_per_endpoint_rejected_ones_included(client, alice):
    tokens = testing.grant("alice")
    user_info(client, tokens["access_token"])
    user_info(client, "act.bogus")
    video_list(client, tokens["access_token"])
    client.post(TOKEN, {"client_key": "nobody"})
    assert client.get(f"{CONTROL}stats").json() == {
        "calls": {
            "oauth.token": 1,
            "oauth.revoke": 0,
            "user.info": 2,
            "video.list": 1,
            "video.query": 0,
        }
    }


def test_reset_clears_counters_faults_and_tokens_but_keeps_accounts(client, alice):
    tokens = testing.grant("alice")
    user_info(client, tokens["access_token"])
    testing.add_fault("video.list", "server_error")
    assert post(client, "reset").status_code == 200
    assert testing.stats()["calls"]["user.info"] == 0
    assert client.get(f"{CONTROL}faults").json() == {"faults": []}
    assert user_info(client, tokens["access_token"]).status_code == 401
    assert Account.objects.filter(username="alice").exists()
    fresh = testing.grant("alice")
    assert video_list(client, fresh["access_token"]).status_code == 200


def test_a_test_creates_a_creator_with_hostile_text_kept_as_is(client):
    response = post(
        client,
        "accounts",
        {
            "username": "mallory",
            "display_name": "<img src=x onerror=alert(1)>",
            "bio_description": HOSTILE_BIO,
            "is_verified": True,
            "follower_count": 7,
            "videos": [
                {
                    "title": "\u202eevil RTL",
                    "video_description": "<b>bold</b> #tag",
                    "create_time": 1_700_000_000,
                    "duration": 33,
                }
            ],
        },
    )
    assert response.status_code == 201
    open_id = response.json()["open_id"]
    tokens = testing.grant("mallory")
    assert tokens["open_id"] == open_id
    user = user_info(client, tokens["access_token"], "display_name,bio_description,is_verified")
    assert user.json()["data"]["user"] == {
        "display_name": "<img src=x onerror=alert(1)>",
        "bio_description": HOSTILE_BIO,
        "is_verified": True,
    }
    fields = "title,video_description,create_time,duration"
    [video] = video_list(client, tokens["access_token"], {}, fields).json()["data"]["videos"]
    assert video == {
        "title": "\u202eevil RTL",
        "video_description": "<b>bold</b> #tag",
        "create_time": 1_700_000_000,
        "duration": 33,
    }


def test_posting_an_existing_creator_updates_the_profile(client, alice):
    response = post(client, "accounts", {"username": "alice", "display_name": "Alice M."})
    assert response.status_code == 200
    assert response.json()["open_id"] == testing.open_id("alice")
    alice.refresh_from_db()
    assert alice.display_name == "Alice M."
    assert alice.videos.count() == 5


def test_video_count_generates_that_many_videos_over_past_months(client):
    post(client, "accounts", {"username": "chef", "video_count": 65})
    account = Account.objects.get(username="chef")
    assert account.videos.count() == 65
    assert len({v.title for v in account.videos.all()}) > 20
    detail = client.get(f"{CONTROL}accounts/chef").json()
    assert detail["video_count"] == 65
    assert len(detail["videos"]) == 65


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"username": ""},
        {"username": "a/b"},
        {"username": "x", "follower_count": "many"},
        {"username": "x", "is_verified": "yes"},
        {"username": "x", "videos": "lots"},
        {"username": "x", "videos": [{"title": 5}]},
        {"username": "x", "videos": [{"create_time": "yesterday"}]},
        {"username": "x", "video_count": -1},
    ],
)
def test_bad_accounts_are_refused(client, body):
    response = post(client, "accounts", body)
    assert response.status_code == 400
    assert response.json()["error"]
    assert not Account.objects.filter(username="x").exists()


def test_accounts_are_listed(client, alice, bob):
    listed = client.get(f"{CONTROL}accounts").json()["accounts"]
    assert [a["username"] for a in listed] == ["alice", "bob"]


def test_the_creator_posts_new_videos(client, alice):
    tokens = testing.grant("alice")
    response = post(client, "accounts/alice/videos", {"videos": [{"title": "Brand new"}]})
    assert response.status_code == 201
    [new_id] = response.json()["ids"]
    data = video_list(client, tokens["access_token"], {}, "id,title").json()["data"]
    assert data["videos"][0] == {"id": new_id, "title": "Brand new"}
    assert post(client, "accounts/alice/videos", {"video_count": 3}).status_code == 201
    assert alice.videos.count() == 9


def test_the_creator_deletes_a_video_on_tiktok(client, alice):
    tokens = testing.grant("alice")
    video_id = alice.videos.first().video_id
    response = client.delete(f"{CONTROL}accounts/alice/videos/{video_id}")
    assert response.status_code == 200
    data = video_list(client, tokens["access_token"], {}, "id").json()["data"]
    assert video_id not in [v["id"] for v in data["videos"]]
    assert client.delete(f"{CONTROL}accounts/alice/videos/{video_id}").status_code == 404


def test_the_user_removes_the_app_from_tiktok(client, alice):
    tokens = testing.grant("alice")
    response = post(client, "accounts/alice/revoke")
    assert response.status_code == 200
    assert response.json() == {"revoked": 2}
    assert user_info(client, tokens["access_token"]).json()["error"]["code"] == (
        "access_token_invalid"
    )
    refreshed = client.post(
        TOKEN,
        {
            "client_key": "sandbox-linkinbio",
            "client_secret": "sandbox-linkinbio-secret",
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
        },
    ).json()
    assert refreshed["error"] == "invalid_grant"


def test_expire_makes_access_tokens_expire_now_but_refresh_still_works(client, alice):
    tokens = testing.grant("alice")
    assert post(client, "accounts/alice/expire").json() == {"expired": 1}
    assert user_info(client, tokens["access_token"]).status_code == 401
    refreshed = client.post(
        TOKEN,
        {
            "client_key": "sandbox-linkinbio",
            "client_secret": "sandbox-linkinbio-secret",
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
        },
    ).json()
    assert user_info(client, refreshed["access_token"]).status_code == 200


def test_expire_can_also_end_refresh_tokens(client, alice):
    testing.grant("alice")
    assert post(client, "accounts/alice/expire", {"refresh": True}).json() == {"expired": 2}


def test_unknown_accounts_are_404(client):
    assert post(client, "accounts/nobody/revoke").status_code == 404
    assert client.get(f"{CONTROL}accounts/nobody").status_code == 404


def test_another_app_is_registered_and_can_run_the_code_flow(client, alice):
    response = post(
        client,
        "clients",
        {
            "client_key": "shop",
            "client_secret": "shop-secret",
            "redirect_uris": ["https://shop.example/cb"],
        },
    )
    assert response.status_code == 201
    assert response.json()["redirect_uris"] == ["https://shop.example/cb"]
    code = testing.issue_code("alice", redirect_uri="https://shop.example/cb", client_key="shop")
    body = exchange(
        client,
        code,
        redirect_uri="https://shop.example/cb",
        client_key="shop",
        client_secret="shop-secret",
    ).json()
    assert body["open_id"] == testing.open_id("alice", client_key="shop")


def test_a_redirect_uri_is_added_to_the_products_own_app(client):
    response = post(client, "clients", {"redirect_uris": ["http://127.0.0.1:9999/cb"]})
    assert response.status_code in (200, 201)
    assert response.json()["redirect_uris"] == [CALLBACK, "http://127.0.0.1:9999/cb"]
    listed = client.get(f"{CONTROL}clients").json()["clients"]
    assert listed[0]["client_key"] == "sandbox-linkinbio"
    assert "client_secret" not in listed[0]


def test_control_api_needs_no_csrf_token(alice):
    from django.test import Client as Browser

    browser = Browser(enforce_csrf_checks=True)
    assert browser.post(f"{CONTROL}reset", {}, content_type="application/json").status_code == 200


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_another_sites_page_cannot_drive_the_control_api(client, alice, content_type):
    # What a page elsewhere can send without a CORS preflight.
    body = '{"username": "x", "video_count": 5}'
    for path in ("accounts", "reset", "faults", "clients"):
        response = client.post(f"{CONTROL}{path}", body, content_type=content_type)
        assert response.status_code == 415, path
    assert testing.stats()["calls"] == {name: 0 for name in testing.stats()["calls"]}
    assert [a["username"] for a in client.get(f"{CONTROL}accounts").json()["accounts"]] == ["alice"]


@pytest.mark.parametrize(
    "body",
    [
        {"username": "huge", "video_count": 100_000_000},
        {"username": "huge", "follower_count": 2**63},
        {"username": "huge", "videos": [{"view_count": 10**30}]},
    ],
)
def test_sizes_that_would_exhaust_the_machine_are_refused(client, body):
    response = client.post(f"{CONTROL}accounts", body, content_type="application/json")
    assert response.status_code == 400 and response.json()["error"]


def test_control_api_refuses_bad_json_and_bad_methods(client):
    bad = client.post(f"{CONTROL}accounts", "{nope", content_type="application/json")
    assert bad.status_code == 400
    assert client.get(f"{CONTROL}reset").status_code == 405


def test_nothing_of_the_sandbox_is_served_when_it_is_off(settings):
    import linkinbio.urls

    settings.TIKTOK_SANDBOX = False
    try:
        clear_url_caches()
        importlib.reload(linkinbio.urls)
        for path in ("/sandbox/tiktok/_sandbox/stats", "/sandbox/tiktok/v2/oauth/token/"):
            with pytest.raises(Resolver404):
                resolve(path)
    finally:
        settings.TIKTOK_SANDBOX = True
        importlib.reload(linkinbio.urls)
        clear_url_caches()
    assert resolve("/sandbox/tiktok/_sandbox/stats")


CONTROL_CALLS = [
    ("get", "stats"),
    ("post", "reset"),
    ("get", "faults"),
    ("post", "faults"),
    ("delete", "faults"),
    ("get", "accounts"),
    ("post", "accounts"),
    ("get", "accounts/alice"),
    ("post", "accounts/alice/videos"),
    ("delete", "accounts/alice/videos/1"),
    ("post", "accounts/alice/revoke"),
    ("post", "accounts/alice/expire"),
    ("get", "clients"),
    ("post", "clients"),
]


def test_a_public_demo_hides_the_control_api_but_keeps_tiktok_working(client, alice, settings):
    """A stranger on a public demo cannot reset, break, revoke or add redirect URIs."""
    settings.DEBUG = False
    settings.TIKTOK_SANDBOX_ALLOW_PRODUCTION = True
    settings.TIKTOK_SANDBOX_CONTROL = False
    tokens = testing.grant("alice")
    for method, path in CONTROL_CALLS:
        body = {"redirect_uris": ["https://evil.example/cb"], "endpoint": "*", "kind": "timeout"}
        response = getattr(client, method)(
            f"{CONTROL}{path}", body, content_type="application/json"
        )
        assert response.status_code == 404, (method, path)
    assert Client.ensure_default().redirect_uris == [CALLBACK]
    assert not Fault.objects.exists()
    assert alice.tokens.filter(revoked=False).exists()
    assert alice.videos.count() == 5
    # Sign-in and the Display API are untouched.
    code = testing.issue_code("alice")
    assert exchange(client, code).status_code == 200
    assert user_info(client, tokens["access_token"]).json()["data"]["user"]["display_name"]
    assert video_list(client, tokens["access_token"]).status_code == 200


def test_the_control_api_is_off_by_default_in_production():
    def control_default(**env):
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("DEBUG", "TIKTOK_"))}
        result = subprocess.run(
            [
                sys.executable,
                "-c",
                "import linkinbio.settings as s; print(s.TIKTOK_SANDBOX_CONTROL)",
            ],
            cwd=Path(__file__).resolve().parents[2],
            env={**clean, **env},
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    production = {
        "DEBUG": "False",
        "SECRET_KEY": "x" * 50,
        "TOKEN_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    }
    assert control_default() == "True"
    assert control_default(**production) == "False"
    assert control_default(**production, TIKTOK_SANDBOX_CONTROL="True") == "True"


def test_a_public_demo_refuses_the_controls_even_when_they_are_switched_on(client, alice, settings):
    """An operator starts a public demo with TIKTOK_SANDBOX_CONTROL left on:
    a stranger still cannot reset, break or revoke anything, nor end another
    guest's access from a profile page."""
    settings.DEBUG = False
    settings.TIKTOK_SANDBOX_ALLOW_PRODUCTION = True
    settings.PUBLIC_DEMO = True
    settings.TIKTOK_SANDBOX_CONTROL = True
    testing.grant("alice")
    for method, path in [*CONTROL_CALLS, ("post", "accounts/alice/remove_access")]:
        body = {"redirect_uris": ["https://evil.example/cb"], "endpoint": "*", "kind": "timeout"}
        response = getattr(client, method)(
            f"{CONTROL}{path}", body, content_type="application/json"
        )
        assert response.status_code == 404, (method, path)
    assert "Remove access" not in client.get("/sandbox/tiktok/@alice").content.decode()
    assert client.post("/sandbox/tiktok/@alice/remove-access", {"reason": 1}).status_code == 404
    assert Client.ensure_default().redirect_uris == [CALLBACK]
    assert not Fault.objects.exists()
    assert alice.tokens.filter(revoked=False).exists()
    assert alice.videos.count() == 5
