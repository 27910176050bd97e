"""An app written only from the TikTok docs signs Alice in and reads her data, over real HTTP."""

import hashlib
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests

pytestmark = pytest.mark.django_db(transaction=True)

CALLBACK_PATH = "/accounts/tiktok/login/callback/"
VIDEO_FIELDS = "id,create_time,cover_image_url,share_url,title,view_count"


class DocsClient:
    """TikTok Login Kit + Display API, as tiktok-api.md describes them; nothing sandbox-specific."""

    def __init__(self, auth_base, api_base, client_key, client_secret, redirect_uri):
        self.auth_base, self.api_base = auth_base, api_base
        self.client_key, self.client_secret = client_key, client_secret
        self.redirect_uri = redirect_uri
        # One connection per call (no session): the live server's threads are done
        # with the shared test database by the time the test ends.
        self.http = requests

    def authorize_url(self, scopes, state, verifier):
        challenge = hashlib.sha256(verifier.encode()).hexdigest()
        query = urlencode(
            {
                "client_key": self.client_key,
                "scope": ",".join(scopes),
                "response_type": "code",
                "redirect_uri": self.redirect_uri,
                "state": state,
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            }
        )
        return f"{self.auth_base}/v2/auth/authorize/?{query}"

    def token(self, **form):
        form = {"client_key": self.client_key, "client_secret": self.client_secret, **form}
        body = self.http.post(f"{self.api_base}/v2/oauth/token/", data=form, timeout=5).json()
        if "error" in body:
            raise RuntimeError(body["error"])
        return body

    def exchange(self, code, verifier):
        return self.token(
            code=code,
            grant_type="authorization_code",
            redirect_uri=self.redirect_uri,
            code_verifier=verifier,
        )

    def refresh(self, refresh_token):
        return self.token(grant_type="refresh_token", refresh_token=refresh_token)

    def revoke(self, access_token):
        form = {"client_key": self.client_key, "client_secret": self.client_secret}
        url = f"{self.api_base}/v2/oauth/revoke/"
        return self.http.post(url, data={**form, "token": access_token}, timeout=5).json()

    def call(self, method, path, access_token, fields, body=None):
        response = self.http.request(
            method,
            f"{self.api_base}{path}",
            params={"fields": fields},
            json=body,
            headers={"Authorization": f"Bearer {access_token}"},
            timeout=5,
        )
        answer = response.json()
        return response.status_code, answer["error"]["code"], answer["data"]

    def user_info(self, access_token, fields):
        return self.call("GET", "/v2/user/info/", access_token, fields)

    def all_videos(self, access_token):
        videos, cursor = [], None
        while True:
            body = {"max_count": 20} if cursor is None else {"max_count": 20, "cursor": cursor}
            _, code, data = self.call("POST", "/v2/video/list/", access_token, VIDEO_FIELDS, body)
            assert code == "ok"
            videos += data["videos"]
            if not data["has_more"]:
                return videos
            cursor = data["cursor"]


@pytest.fixture
def tiktok(live_server, settings):
    base = f"{live_server.url}/sandbox/tiktok"
    control = f"{base}/_sandbox"
    redirect_uri = f"{live_server.url}{CALLBACK_PATH}"
    registered = requests.post(
        f"{control}/clients",
        json={
            "client_key": "docs-app",
            "client_secret": "docs-secret",
            "redirect_uris": [redirect_uri],
        },
        timeout=5,
    )
    assert registered.status_code == 201
    creator = requests.post(
        f"{control}/accounts",
        json={"username": "alice", "display_name": "Alice Martin", "video_count": 45},
        timeout=5,
    )
    assert creator.status_code == 201
    return DocsClient(base, base, "docs-app", "docs-secret", redirect_uri)


def test_a_docs_only_client_completes_the_whole_journey(tiktok, live_server):
    state, verifier = secrets.token_urlsafe(16), secrets.token_urlsafe(48)
    scopes = ["user.info.basic", "user.info.profile", "user.info.stats", "video.list"]
    url = tiktok.authorize_url(scopes, state, verifier)

    # Alice sees the consent screen and presses Authorize.
    consent = requests.get(url, timeout=5)
    assert consent.status_code == 200 and "Alice Martin" in consent.text
    decision = requests.post(
        url,
        data={"account": "alice", "scope": scopes[1:], "decision": "allow"},
        allow_redirects=False,
        timeout=5,
    )
    assert decision.status_code == 302
    callback = urlsplit(decision.headers["Location"])
    assert f"{callback.scheme}://{callback.netloc}{callback.path}" == tiktok.redirect_uri
    params = {k: v[0] for k, v in parse_qs(callback.query).items()}
    assert params["state"] == state
    assert params["scopes"] == ",".join(scopes)

    tokens = tiktok.exchange(params["code"], verifier)
    assert tokens["token_type"] == "Bearer"

    status, code, data = tiktok.user_info(
        tokens["access_token"], "open_id,display_name,video_count"
    )
    assert (status, code) == (200, "ok")
    assert data["user"] == {
        "open_id": tokens["open_id"],
        "display_name": "Alice Martin",
        "video_count": 45,
    }

    videos = tiktok.all_videos(tokens["access_token"])
    assert len(videos) == 45 == len({v["id"] for v in videos})
    cover = requests.get(videos[0]["cover_image_url"], timeout=5)
    assert cover.status_code == 200 and cover.headers["Content-Type"] == "image/jpeg"

    _, code, data = tiktok.call(
        "POST",
        "/v2/video/query/",
        tokens["access_token"],
        "id,title",
        {"filters": {"video_ids": [videos[3]["id"]]}},
    )
    assert code == "ok" and data["videos"][0]["id"] == videos[3]["id"]

    rotated = tiktok.refresh(tokens["refresh_token"])
    with pytest.raises(RuntimeError, match="invalid_grant"):
        tiktok.refresh(tokens["refresh_token"])
    assert tiktok.user_info(rotated["access_token"], "open_id")[1] == "ok"

    assert tiktok.revoke(rotated["access_token"]) == {}
    assert tiktok.user_info(rotated["access_token"], "open_id")[:2] == (401, "access_token_invalid")
    with pytest.raises(RuntimeError, match="invalid_grant"):
        tiktok.refresh(rotated["refresh_token"])

    stats = requests.get(f"{live_server.url}/sandbox/tiktok/_sandbox/stats", timeout=5).json()
    assert stats["calls"]["oauth.token"] == 4
    assert stats["calls"]["oauth.revoke"] == 1
