"""The sandbox's state: apps, TikTok accounts, their videos, codes and tokens.

Everything lives in the database so that several server processes and
threads see the same TikTok.
"""

import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.utils import timezone

SCOPES = {
    "user.info.basic": "Your profile picture and display name",
    "user.info.profile": "Your bio, profile link, verified badge and username",
    "user.info.stats": "Your number of followers, following, likes and videos",
    "video.list": "Your public videos: titles, descriptions, covers and view and like counts",
}
REQUIRED_SCOPE = "user.info.basic"

ENDPOINTS = ["oauth.token", "oauth.revoke", "user.info", "video.list", "video.query"]


def default_redirect_uri():
    return f"{settings.SITE_URL}/accounts/tiktok/login/callback/"


def default_webhook_url():
    return f"{settings.SITE_URL}/webhooks/tiktok/"


def split_scopes(value):
    return [s for s in (value or "").split(",") if s]


class Client(models.Model):
    """A registered TikTok app: client key, secret, exact redirect URIs, approved scopes."""

    client_key = models.CharField(max_length=100, unique=True)
    client_secret = models.CharField(max_length=200)
    name = models.CharField(max_length=100, default="linkinbio")
    redirect_uris = models.JSONField(default=list)
    scopes = models.CharField(max_length=300, default=",".join(SCOPES))
    # The app's one webhook callback URL (empty: none registered).
    webhook_url = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.client_key

    @classmethod
    def register(
        cls,
        client_key,
        client_secret=None,
        redirect_uris=(),
        name=None,
        scopes=None,
        webhook_url=None,
    ):
        """Create the app, or add redirect URIs (and update the rest) when it exists."""
        with transaction.atomic():
            client, created = cls.objects.select_for_update().get_or_create(
                client_key=client_key,
                defaults={"client_secret": client_secret or secrets.token_urlsafe(24)},
            )
            uris = list(client.redirect_uris)
            uris += [uri for uri in redirect_uris if uri not in uris]
            client.redirect_uris = uris
            if client_secret:
                client.client_secret = client_secret
            if name:
                client.name = name
            if scopes:
                client.scopes = ",".join(scopes)
            if webhook_url is not None:
                client.webhook_url = webhook_url
            client.save()
        return client

    @classmethod
    def ensure_default(cls):
        """The product's own app, as configured in settings, registered on first use."""
        client = cls.objects.filter(client_key=settings.TIKTOK_CLIENT_KEY).first()
        wanted_uri = default_redirect_uri()
        if (
            client is None
            or client.client_secret != settings.TIKTOK_CLIENT_SECRET
            or wanted_uri not in client.redirect_uris
        ):
            client = cls.register(
                settings.TIKTOK_CLIENT_KEY,
                settings.TIKTOK_CLIENT_SECRET,
                [wanted_uri],
                name="linkinbio",
                # The product's callback moves with its address.
                webhook_url=default_webhook_url()
                if client is None or wanted_uri not in client.redirect_uris
                else None,
            )
        return client

    @classmethod
    def lookup(cls, client_key):
        if not client_key:
            return None
        if client_key == settings.TIKTOK_CLIENT_KEY:
            return cls.ensure_default()
        return cls.objects.filter(client_key=client_key).first()

    @property
    def scope_list(self):
        return split_scopes(self.scopes)

    def check_secret(self, secret):
        return secrets.compare_digest(self.client_secret.encode(), (secret or "").encode())


class Account(models.Model):
    """A TikTok user of the sandbox (a creator who can sign in to apps)."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    username = models.CharField(max_length=100, unique=True)
    display_name = models.TextField(blank=True)
    bio_description = models.TextField(blank=True)
    is_verified = models.BooleanField(default=False)
    follower_count = models.BigIntegerField(default=0)
    following_count = models.BigIntegerField(default=0)
    likes_count = models.BigIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)
    # A throw-away account made for a visitor of a public demo, deleted after this.
    guest_until = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["username"]

    def __str__(self):
        return self.username

    def open_id_for(self, client_key):
        """open_id is per app and per user: stable, different for every app."""
        return str(uuid.uuid5(self.uid, client_key))

    @property
    def union_id(self):
        # One developer account owns every app of the sandbox.
        return str(uuid.uuid5(self.uid, "union"))

    def public_videos(self):
        return self.videos.filter(is_public=True)


def new_video_id(created_ms):
    """Like TikTok's ids: the creation second in the high bits, 19 digits, and
    about half of them 20 (beyond a signed 64-bit integer: keep ids as text)."""
    value = ((created_ms // 1000) << 32) | secrets.randbits(32)
    text = str(value)
    if len(text) != 19:
        text = "7" + "".join(secrets.choice("0123456789") for _ in range(18))
    if secrets.randbelow(2):
        text = "1" + text
    return text


class Video(models.Model):
    account = models.ForeignKey(Account, models.CASCADE, related_name="videos")
    video_id = models.CharField(max_length=20, unique=True)
    # Creation time in milliseconds, unique per account so cursor paging never
    # skips or repeats a video.
    created_ms = models.BigIntegerField()
    title = models.TextField(blank=True)
    video_description = models.TextField(blank=True)
    duration = models.IntegerField(default=15)
    width = models.IntegerField(default=1080)
    height = models.IntegerField(default=1920)
    like_count = models.BigIntegerField(default=0)
    comment_count = models.BigIntegerField(default=0)
    share_count = models.BigIntegerField(default=0)
    view_count = models.BigIntegerField(default=0)
    is_public = models.BooleanField(default=True)
    # The creator chose another cover: TikTok's CDN serves it at a new address.
    cover_version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_ms"]
        constraints = [
            models.UniqueConstraint(fields=["account", "created_ms"], name="sandbox_video_ms")
        ]

    def __str__(self):
        return self.video_id

    @property
    def create_time(self):
        return self.created_ms // 1000

    @classmethod
    def post(cls, account, created_ms, **fields):
        """Store a new video, nudging its time by a millisecond on a collision."""
        for _ in range(1000):
            try:
                with transaction.atomic():
                    return cls.objects.create(
                        account=account,
                        video_id=new_video_id(created_ms),
                        created_ms=created_ms,
                        **fields,
                    )
            except IntegrityError:
                created_ms -= 1
        raise IntegrityError("no free creation time for the video")


def new_secret(prefix):
    return f"{prefix}.{secrets.token_urlsafe(40)}"


def new_code():
    """An authorization code with the `*` and `!` of TikTok's (they arrive percent-encoded)."""
    return f"{secrets.token_urlsafe(30)}*{secrets.token_urlsafe(8)}!{secrets.token_urlsafe(8)}"


class AuthCode(models.Model):
    # An app holds at most this many codes of an account not yet exchanged: a
    # guest posting "allow" again and again replaces its oldest code, not
    # piling rows up.
    MAX_UNUSED = 5
    # A used code stays this long after it expires, so a replay still revokes
    # the tokens it gave (RFC 6749, 4.1.2); then it goes, as unused ones do
    # once expired.
    USED_KEPT = timedelta(days=1)

    code = models.CharField(max_length=200, unique=True)
    client = models.ForeignKey(Client, models.CASCADE)
    account = models.ForeignKey(Account, models.CASCADE)
    redirect_uri = models.TextField()
    scopes = models.CharField(max_length=300)
    code_challenge = models.CharField(max_length=200, blank=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"code for {self.account_id} at {self.client_id}"

    @classmethod
    def issue(cls, client, account, redirect_uri, scopes, code_challenge=""):
        now = timezone.now()
        with transaction.atomic():
            code = cls.objects.create(
                code=new_code(),
                client=client,
                account=account,
                redirect_uri=redirect_uri,
                scopes=",".join(scopes),
                code_challenge=code_challenge or "",
                expires_at=now + timedelta(seconds=settings.TIKTOK_SANDBOX_CODE_SECONDS),
            )
            cls.objects.filter(
                Q(used_at=None, expires_at__lte=now) | Q(expires_at__lte=now - cls.USED_KEPT)
            ).delete()
            unused = cls.objects.filter(client=client, account=account, used_at=None)
            oldest = list(unused.order_by("-pk").values_list("pk", flat=True)[cls.MAX_UNUSED :])
            cls.objects.filter(pk__in=oldest).delete()
        return code

    def spend(self):
        """Mark the code used; False if it was used already (then its tokens die)."""
        spent = AuthCode.objects.filter(pk=self.pk, used_at=None).update(used_at=timezone.now())
        if not spent:
            Token.objects.filter(code=self).update(revoked=True)
        return bool(spent)


class Token(models.Model):
    ACCESS = "access"
    REFRESH = "refresh"

    value = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=10, choices=[(ACCESS, ACCESS), (REFRESH, REFRESH)])
    client = models.ForeignKey(Client, models.CASCADE)
    account = models.ForeignKey(Account, models.CASCADE, related_name="tokens")
    scopes = models.CharField(max_length=300)
    code = models.ForeignKey(AuthCode, models.SET_NULL, null=True, blank=True)
    expires_at = models.DateTimeField()
    revoked = models.BooleanField(default=False)

    def __str__(self):
        return f"{self.kind} token for {self.account_id}"

    @property
    def scope_list(self):
        return split_scopes(self.scopes)

    @property
    def is_valid(self):
        return not self.revoked and self.expires_at > timezone.now()

    @classmethod
    def issue_pair(cls, client, account, scopes, code=None, refresh_until=None):
        """A new access and refresh token; returns TikTok's token answer.

        A new authorization's refresh token lives TIKTOK_SANDBOX_REFRESH_TOKEN_SECONDS;
        one issued by a refresh ends with the first (`refresh_until`): the
        answer's refresh_expires_in is then what is left of it.
        """
        now = timezone.now()
        access_seconds = settings.TIKTOK_SANDBOX_ACCESS_TOKEN_SECONDS
        refresh_seconds = settings.TIKTOK_SANDBOX_REFRESH_TOKEN_SECONDS
        if refresh_until is not None:
            refresh_seconds = max(1, int((refresh_until - now).total_seconds()))
        common = {"client": client, "account": account, "scopes": scopes, "code": code}
        access = cls.objects.create(
            value=new_secret("act"),
            kind=cls.ACCESS,
            expires_at=now + timedelta(seconds=access_seconds),
            **common,
        )
        refresh = cls.objects.create(
            value=new_secret("rft"),
            kind=cls.REFRESH,
            expires_at=now + timedelta(seconds=refresh_seconds),
            **common,
        )
        return {
            "access_token": access.value,
            "expires_in": access_seconds,
            "open_id": account.open_id_for(client.client_key),
            "refresh_expires_in": refresh_seconds,
            "refresh_token": refresh.value,
            "scope": scopes,
            "token_type": "Bearer",
        }

    def spend(self):
        """Use a refresh token once: False when another request spent it first."""
        return bool(Token.objects.filter(pk=self.pk, revoked=False).update(revoked=True))


class CallCounter(models.Model):
    endpoint = models.CharField(max_length=30, unique=True)
    count = models.BigIntegerField(default=0)

    def __str__(self):
        return f"{self.endpoint}: {self.count}"

    @classmethod
    def bump(cls, endpoint):
        if cls.objects.filter(endpoint=endpoint).update(count=F("count") + 1):
            return
        try:
            with transaction.atomic():
                cls.objects.create(endpoint=endpoint, count=1)
        except IntegrityError:
            cls.objects.filter(endpoint=endpoint).update(count=F("count") + 1)

    @classmethod
    def snapshot(cls):
        counts = dict.fromkeys(ENDPOINTS, 0)
        counts.update(cls.objects.values_list("endpoint", "count"))
        return {"calls": counts}


class Fault(models.Model):
    KINDS = [
        "rate_limit",
        "server_error",
        "timeout",
        "slow",
        "malformed",
        "token_invalid",
        "oauth_error",
        "empty_body",
        "api_error",
    ]
    # Kinds a fault armed for one account may have (answered once the token
    # says whose call it is).
    ACCOUNT_KINDS = ["api_error", "rate_limit", "server_error", "token_invalid"]
    # The codes an `oauth_error` fault may answer with (TikTok's OAuth error categories).
    OAUTH_ERRORS = [
        "invalid_request",
        "invalid_grant",
        "invalid_client",
        "unauthorized_client",
        "unsupported_grant_type",
        "invalid_scope",
        "access_denied",
        "server_error",
        "temporarily_unavailable",
    ]

    endpoint = models.CharField(max_length=30)
    kind = models.CharField(max_length=20)
    remaining = models.IntegerField(default=1)
    delay = models.FloatField(default=2.0)
    variant = models.CharField(max_length=20, blank=True)
    error = models.CharField(max_length=40, blank=True)  # oauth_error, api_error: the code
    # The username whose calls fail; empty: everybody's.
    account = models.CharField(max_length=100, blank=True)
    status = models.PositiveSmallIntegerField(default=200)  # oauth_error: the HTTP status
    used = models.IntegerField(default=0)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.kind} on {self.endpoint} x{self.remaining}"

    @classmethod
    def claim(cls, endpoint, account=""):
        """Take one use of the oldest fault armed for this endpoint (and this
        account's username, or everybody when empty), or None."""
        armed = cls.objects.filter(endpoint__in=[endpoint, "*"], account=account, remaining__gt=0)
        for fault in armed:
            claimed = cls.objects.filter(pk=fault.pk, remaining__gt=0).update(
                remaining=F("remaining") - 1, used=F("used") + 1
            )
            if claimed:
                fault.refresh_from_db()
                return fault
        return None

    def as_dict(self):
        described = {
            "endpoint": self.endpoint,
            "kind": self.kind,
            "times": self.remaining,
            "delay": self.delay,
        }
        if self.kind == "oauth_error":
            described.update(error=self.error, status=self.status)
        if self.kind == "api_error":
            described.update(error=self.error)
        if self.account:
            described.update(account=self.account)
        return described


class RateWindow(models.Model):
    """One app's sliding one-minute window on one endpoint."""

    client_key = models.CharField(max_length=100)
    endpoint = models.CharField(max_length=30)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client_key", "endpoint"], name="sandbox_rate_window")
        ]

    def __str__(self):
        return f"{self.client_key} {self.endpoint}"

    @classmethod
    def admit(cls, client_key, endpoint, limit=None, window_seconds=60):
        """Count a request against the window; False when the limit is reached."""
        limit = settings.TIKTOK_SANDBOX_RATE_LIMIT if limit is None else limit
        now = timezone.now()
        with transaction.atomic():
            window, _ = cls.objects.select_for_update().get_or_create(
                client_key=client_key or "", endpoint=endpoint
            )
            window.hits.filter(at__lte=now - timedelta(seconds=window_seconds)).delete()
            if window.hits.count() >= limit:
                return False
            RateHit.objects.create(window=window, at=now)
        return True


class RateHit(models.Model):
    window = models.ForeignKey(RateWindow, models.CASCADE, related_name="hits")
    at = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"{self.window_id} at {self.at}"


class WebhookDelivery(models.Model):
    """One event on its way to an app's webhook callback URL (sandbox/webhooks.py).

    `bad_signatures`: attempts still to be signed with a wrong key (a fault).
    """

    client = models.ForeignKey(Client, models.CASCADE)
    url = models.TextField()
    body = models.TextField()
    created = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    bad_signatures = models.PositiveSmallIntegerField(default=0)
    last_status = models.CharField(max_length=100, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    dropped = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"delivery {self.pk} to {self.url}"

    def as_dict(self):
        return {
            "id": self.pk,
            "url": self.url,
            "body": self.body,
            "attempts": self.attempts,
            "last_status": self.last_status,
            "delivered": self.delivered_at is not None,
            "dropped": self.dropped,
            "next_attempt_at": self.next_attempt_at.isoformat(),
        }
