"""The one module that speaks HTTP to TikTok (Login Kit and the Display API).

Every function takes plain values and returns plain values or dataclasses;
every failure is a TikTokError subclass with TikTok's error code, log_id and
the HTTP status. Each API call writes an ApiCall row (the creator's request
history and the admin's budget view). Tokens never appear in URLs, log lines,
exception messages or ApiCall rows.
"""

import contextlib
import logging
import socket
import threading
import time
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import requests
from django.conf import settings

logger = logging.getLogger(__name__)

session = requests.Session()
session.headers["User-Agent"] = "linkinbio"

_IMAGE_REDIRECTS = 3

VIDEO_FIELDS = [
    "id",
    "create_time",
    "cover_image_url",
    "share_url",
    "video_description",
    "duration",
    "height",
    "width",
    "title",
    "embed_link",
    "like_count",
    "comment_count",
    "share_count",
    "view_count",
]

MAX_VIDEO_IDS = 20


class TikTokError(Exception):
    """A call to TikTok failed. .code is TikTok's error code or our own."""

    def __init__(self, code, message="", *, log_id=None, http_status=None):
        self.code = code or "unknown"
        self.message = message or ""
        self.log_id = log_id or None
        self.http_status = http_status
        super().__init__(f"{self.code}: {self.message}" if self.message else self.code)


class TokenInvalid(TikTokError):
    """access_token_invalid: expired, revoked, or the user removed the app."""


class ScopeNotAuthorized(TikTokError):
    """The user did not grant the scope behind a requested field."""


class RateLimited(TikTokError):
    """HTTP 429 / rate_limit_exceeded."""


class ServerError(TikTokError):
    """TikTok failed or could not be reached: 5xx, internal_error, timeout, connection error."""


class BadResponse(TikTokError):
    """An answer we cannot use: not JSON, keys missing, invalid_params."""


class ScopeMissing(TikTokError):
    """scope_permission_missed: this creator's token lacks a scope some requested
    fields need (TikTok describes it at token level): theirs to grant again."""


# TikTok's OAuth error categories ("OAuth error handling"). These refuse the
# grant for good: a refresh refused with one of them will not work later, so
# the creator must sign in again. TikTok documents no code of its own for an
# expired or revoked refresh token (its only refresh error example is
# invalid_request), hence the whole list, not invalid_grant alone.
FINAL_OAUTH_ERRORS = frozenset(
    {
        "invalid_grant",
        "invalid_request",
        "invalid_client",
        "access_denied",
        "unauthorized_client",
        "unsupported_grant_type",
        "invalid_scope",
    }
)
# TikTok is down or busy: the same request may work later.
TRANSIENT_OAUTH_ERRORS = frozenset({"server_error", "temporarily_unavailable", "internal_error"})


class OAuthError(TikTokError):
    """The token or revoke endpoint answered with an error body; .code is its "error"."""

    @property
    def final(self):
        """True for the codes that refuse for good; False for a code TikTok never documented."""
        return self.code in FINAL_OAUTH_ERRORS


class InvalidGrant(OAuthError):
    """The code or refresh token is used, expired, revoked or rotated away."""


class ReconnectNeeded(TikTokError):
    """The connection has no usable tokens left: the creator must sign in with TikTok again."""

    def __init__(self, message="Reconnect TikTok to keep your page up to date.", **kwargs):
        super().__init__("reconnect_needed", message, **kwargs)


@dataclass
class TokenSet:
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    open_id: str
    scopes: list[str]
    expires_in: int
    refresh_expires_in: int


@dataclass
class VideoPage:
    videos: list[dict]
    cursor: int | None
    has_more: bool


def parse_scopes(value):
    """A scope list from TikTok's comma-separated string (spaces tolerated)."""
    if isinstance(value, list | tuple):
        items = value
    else:
        items = str(value or "").replace(" ", ",").split(",")
    scopes = []
    for item in items:
        item = str(item).strip()
        if item and item not in scopes:
            scopes.append(item)
    return scopes


def _timeout():
    return (settings.TIKTOK_CONNECT_TIMEOUT, settings.TIKTOK_READ_TIMEOUT)


class _Call:
    """One request to TikTok: sends it, then records it exactly once."""

    def __init__(self, endpoint, *, user=None, page_id=None):
        self.endpoint = endpoint
        self.user_id = getattr(user, "pk", user)
        self.page_id = page_id
        self.started = time.monotonic()
        self.response = None
        self.log_id = None

    @property
    def status(self):
        return self.response.status_code if self.response is not None else None

    def send(self, method, url, **kwargs):
        """Send the request; returns the JSON body, or None when it is not JSON."""
        try:
            self.response = session.request(method, url, timeout=_timeout(), **kwargs)
        except requests.Timeout as exc:
            self.fail(ServerError("timeout", "TikTok did not answer in time."), cause=exc)
        except requests.RequestException as exc:
            self.fail(ServerError("connection_error", "Could not connect to TikTok."), cause=exc)
        self.log_id = self.response.headers.get("x-tt-logid") or None
        try:
            return self.response.json()
        except ValueError:
            return None

    def error(self, error_class, code, message):
        return error_class(code, message, log_id=self.log_id, http_status=self.status)

    def status_error(self):
        """The error for an answer without a usable body, judged by its HTTP status."""
        status = self.status
        if status == 429:
            return self.error(RateLimited, "rate_limit_exceeded", "Too many requests.")
        if status >= 500:
            return self.error(ServerError, "server_error", f"TikTok answered HTTP {status}.")
        if status == 401:
            return self.error(TokenInvalid, "access_token_invalid", "The token was refused.")
        return self.error(BadResponse, "malformed_response", "TikTok's answer could not be read.")

    def record(self, code, open_id=""):
        from sources.tiktok.models import ApiCall  # a real cycle: the models call this module

        ApiCall.objects.create(
            endpoint=self.endpoint,
            user_id=self.user_id,
            page_id=self.page_id,
            open_id=open_id or "",
            http_status=self.status,
            error_code=(code or "")[:64],
            log_id=(self.log_id or "")[:128],
            duration_ms=max(0, round((time.monotonic() - self.started) * 1000)),
        )

    def ok(self, open_id=""):
        self.record("ok", open_id)

    def fail(self, error, cause=None):
        """Record the failed call, log it without secrets, raise the error."""
        self.record(error.code)
        serious = error.code in ("invalid_client", "invalid_params")
        logger.log(
            logging.ERROR if serious else logging.WARNING,
            "TikTok %s failed: code=%s http_status=%s log_id=%s",
            self.endpoint,
            error.code,
            error.http_status,
            error.log_id,
        )
        raise error from cause


DATA_ERRORS = {
    "access_token_invalid": TokenInvalid,
    "scope_not_authorized": ScopeNotAuthorized,
    "rate_limit_exceeded": RateLimited,
    "internal_error": ServerError,
    "invalid_params": BadResponse,
    "scope_permission_missed": ScopeMissing,
}


def _data_call(call, method, path, access_token, **kwargs):
    """Call a Display API endpoint; returns its `data` dict (envelope checked, not yet recorded)."""
    headers = {"Authorization": f"Bearer {access_token}"}
    body = call.send(method, settings.TIKTOK_API_BASE + path, headers=headers, **kwargs)
    envelope = body.get("error") if isinstance(body, dict) else None
    if not isinstance(envelope, dict):
        call.fail(call.status_error())
    call.log_id = str(envelope.get("log_id") or "") or call.log_id
    code = str(envelope.get("code") or "")
    if code != "ok":
        error_class = DATA_ERRORS.get(code)
        if error_class is None:
            error = call.status_error()
            error.code = code or error.code
        else:
            error = call.error(error_class, code, "")
        error.message = str(envelope.get("message") or "") or error.message
        call.fail(error)
    data = body.get("data")
    if not isinstance(data, dict):
        call.fail(call.error(BadResponse, "missing_keys", "TikTok's answer had no data."))
    return data


def _oauth_error_class(error, status):
    """The class of an OAuth error: the body's code decides; the HTTP status
    (undocumented, seen as 200, 4xx and 5xx) only for a code TikTok never listed."""
    if error == "rate_limit_exceeded":
        return RateLimited
    if error in TRANSIENT_OAUTH_ERRORS:
        return ServerError
    if error == "invalid_grant":
        return InvalidGrant
    if error in FINAL_OAUTH_ERRORS:
        return OAuthError
    if status == 429:
        return RateLimited
    if status >= 500:
        return ServerError
    return OAuthError


def _oauth_call(call, path, form, *, empty_ok=False):
    """POST to the token or revoke endpoint; returns the flat JSON answer (not yet recorded).

    empty_ok: an HTTP 200 with an empty body is a success (revoke: "response
    struct will be empty").
    """
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cache-Control": "no-cache"}
    body = call.send("POST", settings.TIKTOK_API_BASE + path, headers=headers, data=form)
    if body is None and empty_ok and call.status == 200 and not call.response.content.strip():
        return {}
    if not isinstance(body, dict):
        call.fail(call.status_error())
    error = body.get("error")
    call.log_id = str(body.get("log_id") or "") or call.log_id
    description = str(body.get("error_description") or "")
    if isinstance(error, dict):
        # Tolerate the data endpoints' envelope: {"error": {"code": ..., "message": ...}}.
        call.log_id = str(error.get("log_id") or "") or call.log_id
        description = str(error.get("message") or "")
        error = "" if error.get("code") in ("ok", None, "") else str(error.get("code"))
    if error:
        call.fail(call.error(_oauth_error_class(str(error), call.status), str(error), description))
    if call.status >= 400:
        call.fail(call.status_error())
    return body


def _token_set(call, body):
    if "access_token" not in body and isinstance(body.get("data"), dict):
        body = body["data"]
    try:
        token_set = TokenSet(
            access_token=str(body["access_token"] or ""),
            refresh_token=str(body["refresh_token"] or ""),
            open_id=str(body["open_id"] or ""),
            scopes=parse_scopes(body.get("scope")),
            expires_in=int(body["expires_in"]),
            refresh_expires_in=int(body.get("refresh_expires_in") or 0),
        )
    except (KeyError, TypeError, ValueError):
        token_set = None
    if not (token_set and token_set.access_token and token_set.refresh_token and token_set.open_id):
        call.fail(call.error(BadResponse, "missing_keys", "TikTok's token answer was incomplete."))
    call.ok(open_id=token_set.open_id)
    return token_set


def exchange_code(code, *, redirect_uri, code_verifier=None, user=None):
    """Exchange an authorization code for tokens (a code is single use)."""
    form = {
        "client_key": settings.TIKTOK_CLIENT_KEY,
        "client_secret": settings.TIKTOK_CLIENT_SECRET,
        "code": code,
        "grant_type": "authorization_code",
        "redirect_uri": redirect_uri,
    }
    if code_verifier:
        form["code_verifier"] = code_verifier
    call = _Call("oauth.token", user=user)
    return _token_set(call, _oauth_call(call, "/v2/oauth/token/", form))


def refresh_access_token(refresh_token, *, user=None):
    """Spend a refresh token. The answer may carry a new one: the old one is then dead."""
    form = {
        "client_key": settings.TIKTOK_CLIENT_KEY,
        "client_secret": settings.TIKTOK_CLIENT_SECRET,
        "grant_type": "refresh_token",
        "refresh_token": refresh_token,
    }
    call = _Call("oauth.token", user=user)
    return _token_set(call, _oauth_call(call, "/v2/oauth/token/", form))


@dataclass
class CredentialCheck:
    """What TikTok answered to a code exchange with a code that cannot be valid."""

    code: str  # TikTok's error code, or our own when it did not answer
    log_id: str | None
    seconds: float  # the answer's time
    tiktok_date: object  # TikTok's Date header as an aware datetime, or None


IMPOSSIBLE_CODE = "linkinbio-go-live-check"


def check_credentials(redirect_uri):
    """Exchange a made-up code: `invalid_grant` says the key and secret are
    right (TikTok checked them, then the code), `invalid_client` that they are
    not. It issues nothing and costs nothing but one call."""
    form = {
        "client_key": settings.TIKTOK_CLIENT_KEY,
        "client_secret": settings.TIKTOK_CLIENT_SECRET,
        "code": IMPOSSIBLE_CODE,
        "grant_type": "authorization_code",
        "redirect_uri": redirect_uri,
    }
    call = _Call("oauth.token")
    try:
        _oauth_call(call, "/v2/oauth/token/", form)
        code = "accepted"  # a made-up code accepted: not TikTok's token endpoint
        call.record(code)
    except TikTokError as exc:
        code = exc.code
    seconds = time.monotonic() - call.started
    date = None
    if call.response is not None and call.response.headers.get("Date"):
        try:
            date = parsedate_to_datetime(call.response.headers["Date"])
        except (TypeError, ValueError):
            date = None
    return CredentialCheck(code=code, log_id=call.log_id, seconds=seconds, tiktok_date=date)


def revoke(access_token, *, user=None):
    """Revoke every token of this user for this app at TikTok."""
    form = {
        "client_key": settings.TIKTOK_CLIENT_KEY,
        "client_secret": settings.TIKTOK_CLIENT_SECRET,
        "token": access_token,
    }
    call = _Call("oauth.revoke", user=user)
    _oauth_call(call, "/v2/oauth/revoke/", form, empty_ok=True)
    call.ok()


def user_info(access_token, fields, *, user=None, page_id=None):
    """The data.user dict with the requested fields (ask only for fields of granted scopes)."""
    call = _Call("user.info", user=user, page_id=page_id)
    data = _data_call(
        call, "GET", "/v2/user/info/", access_token, params={"fields": ",".join(fields)}
    )
    profile = data.get("user")
    if not isinstance(profile, dict):
        call.fail(call.error(BadResponse, "missing_keys", "TikTok's user info had no user."))
    call.ok(open_id=str(profile.get("open_id") or ""))
    return profile


def video_list(access_token, fields, *, cursor=None, max_count=20, user=None, page_id=None):
    """One page of the user's public videos, newest first; pass .cursor on for older ones."""
    payload = {"max_count": max_count}
    if cursor is not None:
        payload["cursor"] = cursor
    call = _Call("video.list", user=user, page_id=page_id)
    data = _data_call(
        call,
        "POST",
        "/v2/video/list/",
        access_token,
        params={"fields": ",".join(fields)},
        json=payload,
    )
    # An answer without its list must never read as "no videos": the sync
    # would then delete the creator's videos and their settings.
    videos = _video_items(call, data, "TikTok's video list had no list of videos.")
    has_more = bool(data.get("has_more"))
    try:
        next_cursor = int(data["cursor"]) if data.get("cursor") is not None else None
    except (TypeError, ValueError):
        next_cursor = None
    if has_more and next_cursor is None:
        call.fail(call.error(BadResponse, "missing_keys", "TikTok said more videos, no cursor."))
    call.ok()
    return VideoPage(videos=videos, cursor=next_cursor, has_more=has_more)


def _video_items(call, data, message):
    """The `videos` list of an answer, or BadResponse when it is missing or malformed."""
    videos = data.get("videos")
    if not isinstance(videos, list) or not all(isinstance(v, dict) for v in videos):
        call.fail(call.error(BadResponse, "missing_keys", message))
    return videos


def video_query(access_token, fields, video_ids, *, user=None, page_id=None):
    """Fresh metadata (and cover URLs) of up to 20 known videos."""
    video_ids = [str(v) for v in video_ids]
    if len(video_ids) > MAX_VIDEO_IDS:
        raise ValueError(f"video_query takes at most {MAX_VIDEO_IDS} ids")
    call = _Call("video.query", user=user, page_id=page_id)
    body = {"filters": {"video_ids": video_ids}}
    data = _data_call(
        call,
        "POST",
        "/v2/video/query/",
        access_token,
        params={"fields": ",".join(fields)},
        json=body,
    )
    videos = _video_items(call, data, "TikTok's video query had no list of videos.")
    call.ok()
    return videos


def image_host_allowed(url):
    """Whether `url` is on TikTok's image CDN (https, a host under one of
    TIKTOK_IMAGE_HOSTS) or, with the sandbox standing in for TikTok, at the
    exact origin (scheme, host and port) of TIKTOK_API_BASE."""
    try:
        parts = urlsplit(str(url))
        scheme, host, port = parts.scheme.lower(), (parts.hostname or "").lower(), parts.port
    except ValueError:
        return False
    if scheme not in ("http", "https") or not host or parts.username or parts.password:
        return False
    if settings.TIKTOK_SANDBOX:
        base = urlsplit(settings.TIKTOK_API_BASE)
        if (scheme, host, port) == (base.scheme.lower(), (base.hostname or "").lower(), base.port):
            return True
    if scheme != "https" or port not in (None, 443):
        return False
    return any(
        host == suffix or host.endswith("." + suffix)
        for suffix in (item.strip(".").lower() for item in settings.TIKTOK_IMAGE_HOSTS)
        if suffix
    )


def _cut(response):
    """The deadline passed: end the connection under whatever read waits on it."""
    sock = getattr(getattr(response.raw, "connection", None), "sock", None)
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def download(url, *, max_bytes=5_000_000):
    """The bytes of an image on TikTok's CDN (avatars, covers), at most max_bytes.

    Only TikTok's image hosts are asked (image_host_allowed), a redirect only
    to another of them, and the whole download ends by
    TIKTOK_IMAGE_DEADLINE_SECONDS however slowly the bytes come."""
    deadline = time.monotonic() + settings.TIKTOK_IMAGE_DEADLINE_SECONDS
    for _hop in range(_IMAGE_REDIRECTS + 1):
        if not image_host_allowed(url):
            raise BadResponse("bad_url", "Not an address on TikTok's image CDN.")
        status, location, body = _download_once(url, max_bytes, deadline)
        if status in (301, 302, 303, 307, 308) and location:
            url = urljoin(url, location)
            continue
        return body
    raise BadResponse("too_many_redirects", "The image kept moving.", http_status=status)


def _download_once(url, max_bytes, deadline):
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise ServerError("timeout", "The image did not arrive in time.")
    timeout = tuple(min(part, remaining) for part in _timeout())
    watchdog = None
    try:
        with session.get(url, timeout=timeout, stream=True, allow_redirects=False) as response:
            watchdog = threading.Timer(max(deadline - time.monotonic(), 0), _cut, (response,))
            watchdog.daemon = True
            watchdog.start()
            if response.status_code in (301, 302, 303, 307, 308):
                return response.status_code, response.headers.get("Location", ""), b""
            if response.status_code >= 500 or response.status_code == 429:
                raise ServerError(
                    "server_error", f"HTTP {response.status_code}", http_status=response.status_code
                )
            if response.status_code != 200:
                raise BadResponse(
                    "http_error", f"HTTP {response.status_code}", http_status=response.status_code
                )
            chunks, size = [], 0
            for chunk in response.iter_content(64 * 1024):
                size += len(chunk)
                if size > max_bytes:
                    raise BadResponse("too_large", f"More than {max_bytes} bytes.", http_status=200)
                chunks.append(chunk)
                if time.monotonic() >= deadline:
                    raise ServerError("timeout", "The image did not arrive in time.")
            if time.monotonic() >= deadline:  # a cut connection ends its body early
                raise ServerError("timeout", "The image did not arrive in time.")
            return 200, "", b"".join(chunks)
    except requests.Timeout as exc:
        raise ServerError("timeout", "The image did not arrive in time.") from exc
    except requests.RequestException as exc:
        if time.monotonic() >= deadline:
            raise ServerError("timeout", "The image did not arrive in time.") from exc
        raise ServerError("connection_error", "Could not fetch the image.") from exc
    finally:
        if watchdog is not None:
            watchdog.cancel()
