"""Helpers for tests that use the TikTok sandbox without going through its HTTP control API.

from sandbox import testing
testing.create_account("alice", display_name="Alice", video_count=30)
tokens = testing.grant("alice")                 # TikTok's token answer, no browser needed
testing.add_fault("video.list", "rate_limit", times=2)
testing.stats()["calls"]["video.list"]
"""

import hashlib
from urllib.parse import parse_qs, urlencode, urlsplit

from django.conf import settings

from sandbox import creators, webhooks
from sandbox.models import SCOPES, Account, AuthCode, CallCounter, Client, Fault, Token

ALL_SCOPES = list(SCOPES)
CALLBACK_PATH = "/accounts/tiktok/login/callback/"
WEBHOOK_PATH = "/webhooks/tiktok/"


def register_client(
    redirect_uri, client_key=None, client_secret=None, scopes=None, webhook_url=None
):
    """Add a redirect URI to an app (the product's own app by default); returns the Client."""
    if client_key is None or client_key == settings.TIKTOK_CLIENT_KEY:
        Client.ensure_default()
        client_key = settings.TIKTOK_CLIENT_KEY
        client_secret = client_secret or settings.TIKTOK_CLIENT_SECRET
    return Client.register(
        client_key, client_secret, [redirect_uri], scopes=scopes, webhook_url=webhook_url
    )


def register_live_server(live_server_url):
    """Register `<live_server_url>/accounts/tiktok/login/callback/` for the product's app,
    and `<live_server_url>/webhooks/tiktok/` as its webhook callback URL."""
    base = live_server_url.rstrip("/")
    return register_client(base + CALLBACK_PATH, webhook_url=base + WEBHOOK_PATH)


def create_account(username, *, videos=None, video_count=None, **profile):
    """Create (or replace) a sandbox creator; same fields as POST _sandbox/accounts."""
    data = {"username": username, **profile}
    if videos is not None:
        data["videos"] = videos
    if video_count is not None:
        data["video_count"] = video_count
    account, _ = creators.upsert(data)
    return account


def add_videos(username, videos=None, video_count=0):
    """The creator posted new videos; returns the Video rows."""
    return creators.add_videos(Account.objects.get(username=username), videos, video_count)


def change_cover(username, video_id):
    """The creator chose another cover for the video; returns its version."""
    return creators.change_cover(Account.objects.get(username=username), video_id)


def delete_video(username, video_id):
    Account.objects.get(username=username).videos.filter(video_id=video_id).delete()


def open_id(username, client_key=None):
    account = Account.objects.get(username=username)
    return account.open_id_for(client_key or settings.TIKTOK_CLIENT_KEY)


def issue_code(username, scopes=None, redirect_uri=None, code_challenge="", client_key=None):
    """An authorization code as if the user had pressed Authorize (granted `scopes`)."""
    client = Client.lookup(client_key or settings.TIKTOK_CLIENT_KEY)
    redirect_uri = redirect_uri or client.redirect_uris[0]
    account = Account.objects.get(username=username)
    return AuthCode.issue(client, account, redirect_uri, scopes or ALL_SCOPES, code_challenge).code


def grant(username, scopes=None, client_key=None):
    """Tokens for `username` without the consent screen: TikTok's token answer as a dict."""
    client = Client.lookup(client_key or settings.TIKTOK_CLIENT_KEY)
    account = Account.objects.get(username=username)
    return Token.issue_pair(client, account, ",".join(scopes or ALL_SCOPES))


def pkce_challenge(verifier):
    """TikTok's form of the PKCE challenge: the lowercase hex SHA-256 of the verifier."""
    return hashlib.sha256(verifier.encode()).hexdigest()


def add_fault(endpoint, kind, times=1, delay=2.0, variant="", error="", account=""):
    """The next `times` calls to `endpoint` fail as `kind` (see the control API);
    `account`: only that username's calls; `error`: the code of an api_error."""
    return Fault.objects.create(
        endpoint=endpoint,
        kind=kind,
        remaining=times,
        delay=delay,
        variant=variant,
        error=error,
        account=account,
    )


def clear_faults():
    Fault.objects.all().delete()


def revoke_app(username, client_key=None):
    """The user removed the app in TikTok's settings."""
    return creators.remove_app(Account.objects.get(username=username), client_key)


def expire_tokens(username, refresh=False):
    return creators.expire_tokens(Account.objects.get(username=username), refresh)


def stats():
    """{"calls": {"oauth.token": n, "oauth.revoke": n, "user.info": n, ...}}"""
    return CallCounter.snapshot()


def reset():
    creators.reset()


def authorize_url(base, *, scopes=None, redirect_uri=None, state="state", **extra):
    """The consent screen URL for the product's app; `base` is e.g. live_server.url."""
    params = {
        "client_key": settings.TIKTOK_CLIENT_KEY,
        "scope": ",".join(scopes or ALL_SCOPES),
        "response_type": "code",
        "redirect_uri": redirect_uri or Client.ensure_default().redirect_uris[0],
        "state": state,
        **extra,
    }
    return f"{base.rstrip('/')}/sandbox/tiktok/v2/auth/authorize/?{urlencode(params)}"


def callback_params(location):
    """The query of a redirect back to the app, as a flat dict."""
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def remove_access(username, reason=1, fault="", delay=10.0):
    """The user removes the app in TikTok (or TikTok does, for `reason`): tokens
    revoked, the signed event queued for the app's webhook URL; no thread
    delivers it: call deliver_webhooks(). Returns the WebhookDelivery rows."""
    account = Account.objects.get(username=username)
    return webhooks.remove_access(account, reason, fault=fault, delay=delay, background=False)[1]


def deliver_webhooks():
    """Make every webhook delivery attempt that is due now; returns their HTTP statuses."""
    return webhooks.deliver_due()
