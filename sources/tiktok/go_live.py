"""What an operator checks before opening sign-ups to real TikTok (`manage.py tiktok_check`).

Each check gives a Row: "ok", "info" (something to do or know), or "FAIL".
Only the credentials check calls TikTok: a code exchange with a made-up
code, which TikTok refuses either for the client (the key or secret is
wrong) or for the code (they are right).
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.conf import settings

from sources.tiktok import client
from sources.tiktok.scopes import USER_INFO_FIELDS_BY_SCOPE

OK, INFO, FAIL = "ok", "info", "FAIL"
SANDBOX_KEYS = ("sandbox-linkinbio",)
CALLBACK_PATH = "/accounts/tiktok/login/callback/"
WEBHOOK_PATH = "/webhooks/tiktok/"
SLOW_SECONDS = 2.0
CLOCK_SKEW_SECONDS = 30
PKCE_MODES = {
    "hex": "hex: the challenge is the lowercase hex SHA-256 of the verifier, as TikTok's "
    "users report (no TikTok page says hex, and the web page calls PKCE conditional)",
    "base64url": "base64url: RFC 7636's form of the challenge",
    "off": "off: no challenge is sent (TikTok documents the verifier for mobile and desktop apps)",
}
SCOPE_BRINGS = {
    **{scope: ", ".join(fields) for scope, fields in USER_INFO_FIELDS_BY_SCOPE.items()},
    "video.list": "the video/list and video/query endpoints (the videos grid)",
}


@dataclass
class Row:
    check: str
    status: str
    detail: str


def client_key():
    key = settings.TIKTOK_CLIENT_KEY
    if not key or key in SANDBOX_KEYS:
        return Row("client key", FAIL, "TIKTOK_CLIENT_KEY is the sandbox's: set your app's key")
    return Row("client key", OK, f"{key} (not the sandbox's)")


def site_url():
    url = settings.SITE_URL
    if urlsplit(url).scheme != "https":
        return Row("site", FAIL, f"SITE_URL is {url}: TikTok accepts only https redirect URIs")
    return Row("site", OK, url)


def redirect_uri():
    return settings.SITE_URL + CALLBACK_PATH


def registrations():
    return [
        Row("redirect URI", INFO, f"register exactly: {redirect_uri()}"),
        Row(
            "webhook URL", INFO, f"register as the callback URL: {settings.SITE_URL}{WEBHOOK_PATH}"
        ),
    ]


def scopes():
    rows = []
    for scope in settings.TIKTOK_SCOPES:
        brings = SCOPE_BRINGS.get(scope)
        if brings is None:
            rows.append(Row("scope", FAIL, f"{scope}: not a scope linkinbio knows"))
        else:
            rows.append(Row("scope", OK, f"{scope}: {brings}"))
    if "user.info.basic" not in settings.TIKTOK_SCOPES:
        rows.append(Row("scope", FAIL, "user.info.basic is required (sign-in needs open_id)"))
    return rows


def pkce():
    mode = settings.TIKTOK_PKCE
    if mode not in PKCE_MODES:
        return Row("PKCE", FAIL, f"TIKTOK_PKCE is {mode!r}: use hex, base64url or off")
    return Row(
        "PKCE",
        OK,
        f'{PKCE_MODES[mode]}; if sign-ins come back with invalid_request ("Code verifier or '
        'code challenge is invalid"), TikTok wants the other form: try TIKTOK_PKCE=base64url',
    )


def tiktok(now=None):
    """The credentials, TikTok's answer time and the clock, from one call."""
    answer = client.check_credentials(redirect_uri())
    reference = f" (log_id {answer.log_id})" if answer.log_id else ""
    if answer.code == "invalid_grant":
        credentials = Row(
            "credentials",
            OK,
            f"invalid_grant for a made-up code: key and secret are right{reference}",
        )
    elif answer.code == "invalid_client":
        credentials = Row(
            "credentials",
            FAIL,
            f"invalid_client: TikTok refuses the key or the secret{reference}",
        )
    else:
        credentials = Row(
            "credentials", FAIL, f"{answer.code}: not TikTok's answer to a made-up code{reference}"
        )
    took = f"{answer.seconds * 1000:.0f} ms"
    speed = Row("answer time", FAIL if answer.seconds > SLOW_SECONDS else OK, took)
    if answer.tiktok_date is None:
        clock = Row("clock", FAIL, "TikTok's answer had no Date header to compare with")
    else:
        now = now or datetime.now(UTC)
        # The Date header has whole seconds: up to one second is no skew.
        skew = (now - answer.tiktok_date).total_seconds()
        drift = max(abs(skew) - 1, 0)
        status = FAIL if drift > CLOCK_SKEW_SECONDS else OK
        clock = Row("clock", status, f"{skew:+.1f} s from TikTok's Date header")
    return [credentials, speed, clock]


def run():
    """Every check, in the order an operator reads them."""
    return [client_key(), site_url(), *registrations(), *scopes(), pkce(), *tiktok()]
