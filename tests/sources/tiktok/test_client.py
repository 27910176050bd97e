"""The TikTok client against TikTok's documented answers, including every way it fails."""

import contextlib
import json
import logging
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
import requests
import responses
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from sources.tiktok import budget, client
from sources.tiktok.models import ApiCall
from tests.helpers import (
    API,
    REVOKE_URL,
    TOKEN_URL,
    USER_URL,
    FakeTikTok,
    envelope,
    give_page,
    make_creator,
    page_of,
    png,
    sync,
    token_answer,
)

pytestmark = pytest.mark.django_db

LIST_URL = f"{API}/v2/video/list/"
QUERY_URL = f"{API}/v2/video/query/"


def test_it_exchanges_a_code_with_the_form_body_tiktok_expects(tiktok):
    tiktok.post(TOKEN_URL, json=token_answer(scope="user.info.basic,video.list"))

    tokens = client.exchange_code("code-1", redirect_uri="http://127.0.0.1/cb/", code_verifier="v1")

    assert tokens.access_token == "act.alice-1"
    assert tokens.refresh_token == "rft.alice-1"
    assert tokens.open_id == "oid-alice"
    assert tokens.scopes == ["user.info.basic", "video.list"]
    assert (tokens.expires_in, tokens.refresh_expires_in) == (86400, 31536000)
    sent = tiktok.calls[0].request
    assert sent.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert parse_qs(sent.body) == {
        "client_key": ["sandbox-linkinbio"],
        "client_secret": ["sandbox-linkinbio-secret"],
        "code": ["code-1"],
        "grant_type": ["authorization_code"],
        "redirect_uri": ["http://127.0.0.1/cb/"],
        "code_verifier": ["v1"],
    }
    assert "Authorization" not in sent.headers


def test_it_records_each_call_without_the_token(tiktok):
    tiktok.post(TOKEN_URL, json=token_answer())

    client.exchange_code("code-1", redirect_uri="http://127.0.0.1/cb/")

    call = ApiCall.objects.get()
    assert (call.endpoint, call.http_status, call.error_code) == ("oauth.token", 200, "ok")
    assert call.open_id == "oid-alice"
    assert call.user is None
    row = json.dumps(list(ApiCall.objects.values()), default=str)
    assert "act.alice-1" not in row and "rft.alice-1" not in row


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        ("invalid_grant", client.InvalidGrant),
        ("invalid_request", client.OAuthError),
        ("invalid_client", client.OAuthError),
        ("access_denied", client.OAuthError),
    ],
)
def test_it_treats_an_http_200_error_body_as_an_error(tiktok, error, expected):
    body = {"error": error, "error_description": "Code expired", "log_id": "log-err-7"}
    tiktok.post(TOKEN_URL, json=body, status=200)

    with pytest.raises(expected) as caught:
        client.exchange_code("used-code", redirect_uri="http://127.0.0.1/cb/")

    assert caught.value.code == error
    assert caught.value.log_id == "log-err-7"
    assert caught.value.http_status == 200
    assert caught.value.message == "Code expired"
    call = ApiCall.objects.get()
    assert (call.error_code, call.log_id) == (error, "log-err-7")


def test_it_refreshes_with_the_refresh_grant_and_reads_the_rotated_token(tiktok):
    tiktok.post(TOKEN_URL, json=token_answer(access="act.2", refresh="rft.2"))

    tokens = client.refresh_access_token("rft.1")

    assert (tokens.access_token, tokens.refresh_token) == ("act.2", "rft.2")
    assert parse_qs(tiktok.calls[0].request.body)["grant_type"] == ["refresh_token"]
    assert parse_qs(tiktok.calls[0].request.body)["refresh_token"] == ["rft.1"]


@pytest.mark.parametrize("missing", ["access_token", "refresh_token", "open_id", "expires_in"])
def test_it_refuses_a_token_answer_with_keys_missing(tiktok, missing):
    body = token_answer()
    del body[missing]
    tiktok.post(TOKEN_URL, json=body)

    with pytest.raises(client.BadResponse) as caught:
        client.exchange_code("c", redirect_uri="http://127.0.0.1/cb/")

    assert caught.value.code == "missing_keys"


def test_it_revokes_with_the_access_token_in_the_body(tiktok):
    tiktok.post(REVOKE_URL, json={})

    client.revoke("act.alice-1", user=None)

    assert parse_qs(tiktok.calls[0].request.body)["token"] == ["act.alice-1"]
    assert ApiCall.objects.get().endpoint == "oauth.revoke"


def test_it_asks_user_info_for_exactly_the_fields_given(tiktok, alice):
    profile = {"open_id": "oid-alice", "display_name": "Alice"}
    tiktok.get(USER_URL, json=envelope({"user": profile}, log_id="log-u"))

    answer = client.user_info("act.alice-1", ["open_id", "display_name"], user=alice, page_id=7)

    assert answer == profile
    request = tiktok.calls[0].request
    assert request.headers["Authorization"] == "Bearer act.alice-1"
    assert parse_qs(request.url.split("?", 1)[1]) == {"fields": ["open_id,display_name"]}
    call = ApiCall.objects.get()
    assert (call.user, call.page_id, call.log_id, call.error_code) == (alice, 7, "log-u", "ok")


@pytest.mark.parametrize(
    ("code", "status", "expected"),
    [
        ("access_token_invalid", 401, client.TokenInvalid),
        ("scope_not_authorized", 401, client.ScopeNotAuthorized),
        ("scope_permission_missed", 400, client.ScopeMissing),
        ("invalid_params", 400, client.BadResponse),
        ("rate_limit_exceeded", 429, client.RateLimited),
        ("internal_error", 500, client.ServerError),
    ],
)
def test_it_maps_each_documented_error_code(tiktok, code, status, expected):
    tiktok.get(USER_URL, json=envelope(code=code, message="nope", log_id="log-x"), status=status)

    with pytest.raises(expected) as caught:
        client.user_info("act", ["open_id"])

    assert (caught.value.code, caught.value.http_status, caught.value.log_id) == (
        code,
        status,
        "log-x",
    )
    assert ApiCall.objects.get().error_code == code


def test_it_calls_a_429_without_a_body_rate_limited(tiktok):
    tiktok.get(USER_URL, body="Too Many Requests", status=429)

    with pytest.raises(client.RateLimited):
        client.user_info("act", ["open_id"])


def test_it_calls_an_html_502_a_server_error(tiktok):
    tiktok.get(USER_URL, body="<html><body>Bad Gateway</body></html>", status=502)

    with pytest.raises(client.ServerError) as caught:
        client.user_info("act", ["open_id"])

    assert caught.value.http_status == 502
    assert ApiCall.objects.get().http_status == 502


def test_it_calls_a_timeout_a_server_error(tiktok):
    tiktok.get(USER_URL, body=requests.ReadTimeout("slow"))

    with pytest.raises(client.ServerError) as caught:
        client.user_info("act", ["open_id"])

    assert caught.value.code == "timeout"
    assert ApiCall.objects.get().error_code == "timeout"


def test_it_calls_a_refused_connection_a_server_error(tiktok):
    tiktok.get(USER_URL, body=requests.ConnectionError("refused"))

    with pytest.raises(client.ServerError) as caught:
        client.user_info("act", ["open_id"])

    assert caught.value.code == "connection_error"


def test_it_uses_the_configured_timeouts(tiktok, settings):
    settings.TIKTOK_CONNECT_TIMEOUT, settings.TIKTOK_READ_TIMEOUT = 1.5, 4.0
    seen = {}

    def answer(request):
        seen["timeout"] = request.req_kwargs["timeout"]
        return (200, {}, json.dumps(envelope({"user": {"open_id": "o"}})))

    tiktok.add_callback(responses.GET, USER_URL, callback=answer)
    client.user_info("act", ["open_id"])

    assert seen["timeout"] == (1.5, 4.0)


@pytest.mark.parametrize(
    "body",
    ['{"data": {"user": {"open_id": "o"}}, "error": {"co', "", "null", "[]", '{"data": {}}'],
)
def test_it_refuses_malformed_answers(tiktok, body):
    tiktok.get(USER_URL, body=body, status=200)

    with pytest.raises(client.BadResponse):
        client.user_info("act", ["open_id"])


def test_it_refuses_an_ok_answer_without_the_user(tiktok):
    tiktok.get(USER_URL, json=envelope({}))

    with pytest.raises(client.BadResponse) as caught:
        client.user_info("act", ["open_id"])

    assert caught.value.code == "missing_keys"
    assert ApiCall.objects.get().error_code == "missing_keys"


def test_it_pages_videos_with_the_millisecond_cursor(tiktok):
    videos = [{"id": "7300000000000000001", "title": "One"}]
    tiktok.post(
        LIST_URL,
        json=envelope({"videos": videos, "cursor": 1699999999000, "has_more": True}),
    )

    page = client.video_list("act", ["id", "title"], cursor=1700000000000, max_count=20)

    assert page.videos == videos and page.cursor == 1699999999000 and page.has_more
    request = tiktok.calls[0].request
    assert json.loads(request.body) == {"max_count": 20, "cursor": 1700000000000}
    assert request.headers["Content-Type"] == "application/json"
    assert parse_qs(request.url.split("?", 1)[1]) == {"fields": ["id,title"]}


def test_it_asks_for_the_newest_videos_without_a_cursor(tiktok):
    tiktok.post(LIST_URL, json=envelope({"videos": [], "cursor": 0, "has_more": False}))

    page = client.video_list("act", client.VIDEO_FIELDS)

    assert json.loads(tiktok.calls[0].request.body) == {"max_count": 20}
    assert page.videos == [] and not page.has_more


def test_it_queries_known_videos_by_id(tiktok):
    tiktok.post(QUERY_URL, json=envelope({"videos": [{"id": "1"}]}))

    videos = client.video_query("act", ["id"], ["1"])

    assert videos == [{"id": "1"}]
    assert json.loads(tiktok.calls[0].request.body) == {"filters": {"video_ids": ["1"]}}
    with pytest.raises(ValueError):
        client.video_query("act", ["id"], [str(i) for i in range(21)])


def test_it_downloads_an_image_within_the_size_limit(tiktok):
    tiktok.get("http://127.0.0.1:9/cdn/a.webp", body=b"x" * 100, content_type="image/webp")
    tiktok.get("http://127.0.0.1:9/cdn/big.webp", body=b"x" * 101, content_type="image/webp")
    tiktok.get("http://127.0.0.1:9/cdn/gone.webp", status=403)
    tiktok.get("http://127.0.0.1:9/cdn/down.webp", status=503)

    assert client.download("http://127.0.0.1:9/cdn/a.webp", max_bytes=100) == b"x" * 100
    with pytest.raises(client.BadResponse):
        client.download("http://127.0.0.1:9/cdn/big.webp", max_bytes=100)
    with pytest.raises(client.BadResponse):
        client.download("http://127.0.0.1:9/cdn/gone.webp")
    with pytest.raises(client.ServerError):
        client.download("http://127.0.0.1:9/cdn/down.webp")
    with pytest.raises(client.BadResponse):
        client.download("file:///etc/passwd")


def test_no_token_reaches_the_log(tiktok, caplog):
    caplog.set_level(logging.DEBUG)
    tiktok.post(TOKEN_URL, json={"error": "invalid_grant", "error_description": "x", "log_id": "l"})
    tiktok.get(USER_URL, json=envelope(code="access_token_invalid"), status=401)

    with pytest.raises(client.InvalidGrant):
        client.refresh_access_token("rft.secret-refresh")
    with pytest.raises(client.TokenInvalid):
        client.user_info("act.secret-access", ["open_id"])

    assert "TikTok oauth.token failed" in caplog.text
    assert "secret-refresh" not in caplog.text
    assert "secret-access" not in caplog.text
    assert "sandbox-linkinbio-secret" not in caplog.text


@pytest.mark.parametrize(
    "data",
    [{}, {"videos": None, "has_more": False}, {"videos": {"id": "1"}, "has_more": False}],
    ids=["no-keys", "null-videos", "not-a-list"],
)
def test_it_refuses_a_video_list_without_its_videos(tiktok, data):
    """An "ok" answer without a list of videos must not read as "no videos"."""
    tiktok.post(LIST_URL, json=envelope(data))

    with pytest.raises(client.BadResponse) as caught:
        client.video_list("act", client.VIDEO_FIELDS)

    assert caught.value.code == "missing_keys"
    assert ApiCall.objects.get().error_code == "missing_keys"


@pytest.mark.parametrize("cursor", [None, "soon"], ids=["missing", "unreadable"])
def test_it_refuses_a_video_list_with_more_to_come_but_no_cursor(tiktok, cursor):
    """ "There is more" without a way to get it would read as the end of the list."""
    data = {"videos": [{"id": "1"}], "has_more": True}
    if cursor is not None:
        data["cursor"] = cursor
    tiktok.post(LIST_URL, json=envelope(data))

    with pytest.raises(client.BadResponse) as caught:
        client.video_list("act", client.VIDEO_FIELDS)

    assert caught.value.code == "missing_keys"


def test_it_refuses_a_video_query_without_its_videos(tiktok):
    tiktok.post(QUERY_URL, json=envelope({}))

    with pytest.raises(client.BadResponse) as caught:
        client.video_query("act", ["id"], ["1"])

    assert caught.value.code == "missing_keys"


@pytest.mark.parametrize(
    ("status", "error", "expected"),
    [
        (500, "invalid_grant", "InvalidGrant"),  # the body decides, not the status
        (503, "invalid_request", "OAuthError"),
        (200, "temporarily_unavailable", "ServerError"),
        (503, "some_new_code", "ServerError"),  # an unknown code: then the status
        (429, "some_new_code", "RateLimited"),
        (400, "some_new_code", "OAuthError"),
    ],
)
def test_an_oauth_error_is_read_from_its_code_before_its_status(tiktok, status, error, expected):
    tiktok.post(TOKEN_URL, json={"error": error, "log_id": "log-x"}, status=status)
    with pytest.raises(getattr(client, expected)) as raised:
        client.refresh_access_token("rft.1")
    assert raised.value.code == error and type(raised.value).__name__ == expected


# Avatars and covers come from TikTok's image CDN, never from a host inside
# our network that TikTok's answer (or whatever stands in its place) names.


class _InsideService(BaseHTTPRequestHandler):
    """A service inside our network (a metadata endpoint, an admin port)."""

    hits = []
    drip = False

    def do_GET(self):  # noqa: N802
        type(self).hits.append(self.path)
        body = png()
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        if type(self).drip:  # one byte at a time, never quite stopping
            self.end_headers()
            with contextlib.suppress(OSError):
                for _ in range(300):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.1)
            return
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def inside_service():
    _InsideService.hits, _InsideService.drip = [], False
    server = ThreadingHTTPServer(("127.0.0.1", 0), _InsideService)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], _InsideService
    server.shutdown()
    server.server_close()


def test_a_cover_address_inside_our_network_is_never_fetched_by_a_sync(
    inside_service, monkeypatch, settings
):
    """Alice's sync reads covers TikTok's answer names at an address inside
    our network: no request goes there, and her page still syncs."""
    port, service = inside_service
    fake = FakeTikTok()
    fake.profile["avatar_url_100"] = f"http://127.0.0.1:{port}/latest/meta-data/avatar"
    for n, item in enumerate(fake.videos):
        item["cover_image_url"] = f"http://127.0.0.1:{port}/latest/meta-data/{n}?x-expires=1"
    monkeypatch.setattr(client, "user_info", fake.user_info)
    monkeypatch.setattr(client, "video_list", fake.video_list)
    budget.reset()
    alice = make_creator("alice")
    give_page(alice)

    sync(alice)

    assert service.hits == []
    assert page_of(alice).videos.count() == len(fake.videos)


@hypothesis_settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    scheme=st.sampled_from(["http", "https", "HTTP"]),
    host=st.sampled_from(["127.0.0.1", "localhost", "127.1", "0.0.0.0", "[::1]"]),
    path=st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789/_-.", max_size=30),
)
def test_an_image_is_never_downloaded_from_a_host_that_is_not_tiktoks(
    inside_service, scheme, host, path
):
    """Whatever local address an avatar or cover names, the download refuses
    it before sending anything (the sandbox's own origin aside)."""
    port, service = inside_service
    before = len(service.hits)
    with contextlib.suppress(client.TikTokError):
        client.download(f"{scheme}://{host}:{port}/{path}", max_bytes=100_000)
    assert len(service.hits) == before


def test_an_image_on_tiktoks_cdn_is_downloaded_but_a_redirect_off_it_is_not_followed(
    tiktok, inside_service
):
    port, service = inside_service
    tiktok.add_passthru(f"http://127.0.0.1:{port}")
    cdn = "https://p16-sign-va.tiktokcdn.com/obj/cover.jpeg?x-expires=1"
    tiktok.get(cdn, body=b"jpeg", content_type="image/jpeg")
    moved = "https://p16-sign.tiktokcdn-us.com/obj/moved.jpeg?x-expires=1"
    tiktok.get(moved, status=302, headers={"Location": f"http://127.0.0.1:{port}/admin"})

    assert client.download(cdn) == b"jpeg"
    with pytest.raises(client.BadResponse):
        client.download(moved)
    with pytest.raises(client.BadResponse):
        client.download("https://tiktokcdn.com.evil.example/cover.jpeg")
    assert service.hits == []


def test_a_cdn_that_drips_an_image_slowly_does_not_hold_the_worker(inside_service, settings):
    """The sandbox (our stand-in for TikTok's CDN) sends a cover a byte at a
    time: the download gives up at its deadline instead of waiting it out."""
    port, service = inside_service
    service.drip = True
    settings.TIKTOK_API_BASE = f"http://127.0.0.1:{port}/sandbox/tiktok"
    settings.TIKTOK_IMAGE_DEADLINE_SECONDS = 0.5

    with pytest.raises(client.ServerError):
        client.download(f"http://127.0.0.1:{port}/sandbox/tiktok/cover.jpeg")
    assert len(service.hits) == 1
