import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from accounts.personal_data import iso
from sources.base import sync_allowed_changed
from sources.tiktok import client, crypto, history, refusal_guard
from sources.tiktok.client import (
    InvalidGrant,
    OAuthError,
    ReconnectNeeded,
    ServerError,
    TikTokError,
    TokenInvalid,
)
from sources.tiktok.scopes import user_info_fields

logger = logging.getLogger(__name__)

# An access token this close to its expiry is refreshed before use.
EXPIRY_MARGIN = timedelta(seconds=60)
# The creator is asked to reconnect this long before the refresh token ends.
RECONNECT_WARNING = timedelta(days=30)
# A refresh refused with a code other than invalid_grant may be ours (a wrong
# secret, a parameter TikTok started to require: refusal_guard.py) or a
# passing fault: it is tried again, and only this many refusals in a row ask
# the creator to reconnect.
MAX_REFUSALS = 3


class ApiCall(models.Model):
    """One call to TikTok's API: the creator's request history and the admin's budget view.

    Never holds a token. user is empty for calls made before a user existed
    (the first token exchange); open_id then ties them to the creator.
    """

    endpoint = models.CharField(max_length=32)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="api_calls",
    )
    page_id = models.PositiveBigIntegerField(null=True, blank=True)
    open_id = models.CharField(max_length=100, blank=True, db_index=True)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    error_code = models.CharField(max_length=64, blank=True)
    log_id = models.CharField(max_length=128, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    created = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        db_table = "accounts_apicall"  # the table keeps the name it had before this app
        ordering = ["-created", "-id"]
        indexes = [
            models.Index(fields=["user", "-created"], name="apicall_user_created"),
            models.Index(fields=["endpoint", "-created"], name="apicall_endpoint_created"),
        ]

    def __str__(self):
        return f"{self.endpoint} {self.error_code or '?'} {self.created:%Y-%m-%d %H:%M:%S}"

    @property
    def succeeded(self):
        return self.error_code == "ok"

    @property
    def what(self):
        """What the call asked for, in the creator's words."""
        return history.what(self)

    @property
    def result(self):
        """How it went, in the creator's words: never TikTok's code."""
        return history.result(self)

    def export(self):
        return {
            "endpoint": self.endpoint,
            "time": self.created.isoformat(),
            "http_status": self.http_status,
            "result": self.error_code,
            "log_id": self.log_id,
            "duration_ms": self.duration_ms,
        }


def announce_sync_change(user_ids):
    """Tell the pages of these users that whether they may sync has changed."""
    sync_allowed_changed.send(sender="tiktok", user_ids=list(user_ids))


class ConnectionQuerySet(models.QuerySet):
    def set_sync_paused(self, paused):
        """Pause or resume syncing for these connections; their pages follow at once."""
        user_ids = list(self.values_list("user_id", flat=True))
        self.update(sync_paused=paused)
        announce_sync_change(user_ids)


class TikTokConnection(models.Model):
    """A creator's link to their TikTok account: granted scopes and encrypted tokens."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Connected"
        NEEDS_RECONNECT = "needs_reconnect", "Needs reconnecting"
        REVOKED = "revoked", "Disconnected"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.CASCADE, related_name="tiktok")
    open_id = models.CharField(max_length=100, unique=True)
    union_id = models.CharField(max_length=100, blank=True)
    scopes = models.JSONField(default=list, blank=True)
    access_token_encrypted = models.TextField(blank=True, editable=False)
    refresh_token_encrypted = models.TextField(blank=True, editable=False)
    access_expires_at = models.DateTimeField(null=True, blank=True)
    refresh_expires_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_refreshed_at = models.DateTimeField(null=True, blank=True)
    # The creator's last sign-in with TikTok (a new grant; refreshes do not move it).
    granted_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Bumped on every change of the tokens; a refresh stores its result only if
    # the version is still the one it started from.
    token_version = models.PositiveIntegerField(default=0, editable=False)
    refresh_lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    # Refreshes refused in a row with an error code TikTok does not document.
    refresh_refusals = models.PositiveSmallIntegerField(default=0, editable=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    last_error = models.CharField(max_length=300, blank=True)
    sync_paused = models.BooleanField(default=False)
    # TikTok said the creator's access ended on its side (a webhook's reason,
    # see removals.py); erase_after: the account is gone, the creator's data
    # is deleted then.
    removed_reason = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    removed_at = models.DateTimeField(null=True, blank=True, editable=False)
    erase_after = models.DateTimeField(null=True, blank=True, db_index=True, editable=False)
    # TikTok answered scope_permission_missed for this creator's token: a scope
    # some fields need is missing from it, whatever `scopes` says. Until they
    # grant again (a new sign-in) or a sync's user/info or video/list call is
    # answered again, their page keeps its last data.
    permission_missed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = ConnectionQuerySet.as_manager()

    class Meta:
        db_table = "accounts_tiktokconnection"
        verbose_name = "TikTok connection"

    def __str__(self):
        return f"{self.user} ({self.get_status_display()})"

    @classmethod
    def of(cls, user):
        """The user's connection, or None when they never connected TikTok."""
        try:
            return user.tiktok
        except cls.DoesNotExist:
            return None

    # Tokens: encrypted at rest, decrypted on use only.

    @property
    def access_token(self):
        return crypto.decrypt(self.access_token_encrypted)

    @property
    def refresh_token(self):
        return crypto.decrypt(self.refresh_token_encrypted)

    def set_tokens(self, token_set):
        """Store a fresh TokenSet (encrypted) with its expiry times and granted scopes.

        The refresh token's end is what TikTok's answer says (its remaining
        lifetime): a refresh does not restart the refresh token's life, and
        an answer that says nothing keeps the end already known.
        """
        now = timezone.now()
        self.access_token_encrypted = crypto.encrypt(token_set.access_token)
        self.refresh_token_encrypted = crypto.encrypt(token_set.refresh_token)
        self.access_expires_at = now + timedelta(seconds=token_set.expires_in)
        if token_set.refresh_expires_in:
            self.refresh_expires_at = now + timedelta(seconds=token_set.refresh_expires_in)
        self.last_refreshed_at = now
        self.refresh_refusals = 0
        if token_set.scopes:
            self.scopes = token_set.scopes
        self.status = self.Status.ACTIVE
        self.last_error = ""
        self.removed_reason = self.removed_at = self.erase_after = None
        self.token_version += 1

    def clear_tokens(self):
        self.token_version += 1
        self.access_token_encrypted = ""
        self.refresh_token_encrypted = ""
        self.access_expires_at = None
        self.refresh_expires_at = None

    def reencrypt(self):
        """Re-encrypt the stored tokens with the first of TOKEN_ENCRYPTION_KEYS (key rotation).

        Saved with a conditional UPDATE: if a refresh stored new tokens since
        this row was read (they are encrypted with the first key already), they
        are left alone and False is returned. The token version is not bumped,
        so a refresh running meanwhile keeps its result. Raises
        crypto.InvalidToken when no configured key decrypts the tokens.
        """
        access = crypto.rotate(self.access_token_encrypted)
        refresh = crypto.rotate(self.refresh_token_encrypted)
        updated = TikTokConnection.objects.filter(
            pk=self.pk, token_version=self.token_version
        ).update(access_token_encrypted=access, refresh_token_encrypted=refresh)
        self.access_token_encrypted, self.refresh_token_encrypted = access, refresh
        return bool(updated)

    # Scopes.

    def has_scope(self, scope):
        return scope in self.scopes

    def missing_scopes(self):
        """Configured scopes the creator has not granted (they can grant them later)."""
        return [scope for scope in settings.TIKTOK_SCOPES if scope not in self.scopes]

    @property
    def account_closed(self):
        """TikTok said the account is deleted, banned or held (removals.py): a
        reconnect cannot help."""
        from sources.tiktok.removals import CLOSED  # a real cycle: removals acts on connections

        return self.status == self.Status.REVOKED and self.removed_reason in CLOSED

    @property
    def removal_note(self):
        """Why TikTok ended the access, in the creator's words ("" if it did not)."""
        from sources.tiktok.removals import note

        return note(self)

    @property
    def needs_permission(self):
        """TikTok says the token lacks a scope: the creator must grant again."""
        return self.status == self.Status.ACTIVE and self.permission_missed_at is not None

    def permission_missed(self):
        """TikTok answered scope_permission_missed for this creator's token."""
        if self.permission_missed_at is None:
            self.permission_missed_at = timezone.now()
            type(self).objects.filter(pk=self.pk).update(
                permission_missed_at=self.permission_missed_at
            )
            logger.warning("TikTok connection %s lacks a scope its fields need", self.pk)

    def permission_found(self):
        """TikTok answered a page's call for this creator's token again: the
        permission it said was missing is there, so nothing asks to grant it."""
        if self.permission_missed_at is not None:
            self.permission_missed_at = None
            type(self).objects.filter(pk=self.pk).update(permission_missed_at=None)
            logger.info("TikTok connection %s has the scopes its fields need again", self.pk)

    @property
    def needs_video_access(self):
        return "video.list" in settings.TIKTOK_SCOPES and not self.has_scope("video.list")

    def user_info_fields(self):
        """The user/info fields of the granted scopes only (others fail the whole call)."""
        return user_info_fields(self.scopes)

    # State.

    @property
    def can_sync(self):
        return self.status == self.Status.ACTIVE and not self.sync_paused

    @property
    def needs_reconnect(self):
        return self.status != self.Status.ACTIVE

    def access_expired(self):
        return self.access_expires_at is None or (
            self.access_expires_at <= timezone.now() + EXPIRY_MARGIN
        )

    def refresh_expired(self):
        return self.refresh_expires_at is not None and self.refresh_expires_at <= timezone.now()

    @property
    def permission_ended(self):
        """TikTok's permission ran out; the next sync will ask for a reconnect."""
        return self.status == self.Status.ACTIVE and self.refresh_expired()

    @property
    def reconnect_by(self):
        """The day the creator must reconnect by, once it is near (None otherwise)."""
        if self.status != self.Status.ACTIVE or self.refresh_expires_at is None:
            return None
        if self.refresh_expires_at - timezone.now() > RECONNECT_WARNING:
            return None
        return self.refresh_expires_at

    def _readable(self, attribute):
        try:
            return getattr(self, attribute)
        except crypto.InvalidToken:
            return ""

    # Getting a valid access token.

    def refresh_tokens(self, stale_access_token=""):
        """Spend the refresh token, race-safe under rotation; returns a valid access token.

        A conditional UPDATE claims a short lease on the connection (only if
        nobody changed its tokens since they were read), so two processes never
        spend the same refresh token. The one that loses waits, re-reads, and
        uses the tokens the winner stored. No database lock is held while
        TikTok answers. invalid_grant moves the connection to needs_reconnect.
        """
        lease = timedelta(
            seconds=settings.TIKTOK_CONNECT_TIMEOUT + settings.TIKTOK_READ_TIMEOUT + 5
        )
        give_up = time.monotonic() + 2 * lease.total_seconds()
        pause = 0.05
        while True:
            self.refresh_from_db()
            if self.status != self.Status.ACTIVE:
                raise ReconnectNeeded()
            current = self._readable("access_token")
            if current and current != stale_access_token and not self.access_expired():
                return current  # another process refreshed meanwhile
            now = timezone.now()
            claimed = (
                type(self)
                .objects.filter(pk=self.pk, token_version=self.token_version, status=self.status)
                .filter(Q(refresh_lease_until__isnull=True) | Q(refresh_lease_until__lt=now))
                .update(refresh_lease_until=now + lease)
            )
            if claimed:
                return self._spend_refresh_token()
            if time.monotonic() > give_up:
                raise ServerError("refresh_busy", "Another refresh did not finish in time.")
            time.sleep(pause)
            pause = min(pause * 2, 0.5)

    def _spend_refresh_token(self):
        """With the lease held: refresh at TikTok and store the result."""
        version = self.token_version
        refresh_token = self._readable("refresh_token")
        if not refresh_token or self.refresh_expired():
            self._store(version, problem="TikTok's permission for linkinbio expired.")
            raise ReconnectNeeded()
        if not refusal_guard.may_refresh(self.pk):
            type(self).objects.filter(pk=self.pk).update(refresh_lease_until=None)
            raise refusal_guard.RefreshesPaused()
        try:
            token_set = client.refresh_access_token(refresh_token, user=self.user_id)
        except InvalidGrant as exc:
            self._give_up(version, exc)
        except OAuthError as exc:
            held, forgiven = refusal_guard.refused(exc.code, self.pk, exc.log_id)
            if forgiven:
                type(self).objects.filter(pk__in=forgiven).update(refresh_refusals=0)
            if held:
                type(self).objects.filter(pk=self.pk).update(refresh_lease_until=None)
                raise refusal_guard.RefreshesPaused(log_id=exc.log_id) from exc
            if self.refresh_refusals + 1 >= MAX_REFUSALS:
                self._give_up(version, exc)
            # Perhaps passing, perhaps ours: tried again a few times.
            type(self).objects.filter(pk=self.pk).update(
                refresh_lease_until=None, refresh_refusals=F("refresh_refusals") + 1
            )
            raise
        except TikTokError:
            # TikTok down or busy: not the connection's fault, try again later.
            type(self).objects.filter(pk=self.pk).update(refresh_lease_until=None)
            raise
        refusal_guard.accepted()
        self._store(version, token_set=token_set)
        if self.status != self.Status.ACTIVE:
            raise ReconnectNeeded()
        return self.access_token

    def _give_up(self, version, exc):
        """TikTok refused the refresh for good: the creator must sign in again."""
        problem = f"TikTok refused the refresh ({exc.code}, log_id {exc.log_id})."
        self._store(version, problem=problem)
        raise ReconnectNeeded(log_id=exc.log_id, http_status=exc.http_status) from exc

    def _store(self, version, *, token_set=None, problem=""):
        """Write new tokens (or the end of them) only if nothing changed since `version`."""
        if token_set is not None:
            self.set_tokens(token_set)
        else:
            self.status = self.Status.NEEDS_RECONNECT
            self.last_error = problem[:300]
            self.clear_tokens()
            logger.warning("TikTok connection %s needs reconnecting: %s", self.pk, problem)
        self.refresh_lease_until = None
        fields = [
            "access_token_encrypted",
            "refresh_token_encrypted",
            "access_expires_at",
            "refresh_expires_at",
            "last_refreshed_at",
            "scopes",
            "status",
            "last_error",
            "token_version",
            "refresh_lease_until",
            "refresh_refusals",
            "removed_reason",
            "removed_at",
            "erase_after",
        ]
        values = {name: getattr(self, name) for name in fields}
        stored = (
            type(self)
            .objects.filter(pk=self.pk, token_version=version)
            .update(updated=timezone.now(), **values)
        )
        if not stored:
            # Disconnected meanwhile: what is in the database wins.
            self.refresh_from_db()

    def valid_access_token(self):
        """An access token that is not expired, refreshing it when needed."""
        if self.status != self.Status.ACTIVE:
            raise ReconnectNeeded()
        try:
            token = self.access_token
        except crypto.InvalidToken:
            token = ""
        if not token or self.access_expired():
            token = self.refresh_tokens(stale_access_token=token)
        return token

    def call(self, func, *args, **kwargs):
        """Run func(access_token, *args, **kwargs) from sources.tiktok.client with a valid token.

        An expired token is refreshed first; a rejected one (access_token_invalid)
        is refreshed once and the call retried once. invalid_grant on refresh marks
        the connection needs_reconnect and raises ReconnectNeeded; other
        TikTokErrors propagate.
        """
        kwargs.setdefault("user", self.user_id)
        token = self.valid_access_token()
        try:
            return func(token, *args, **kwargs)
        except TokenInvalid:
            token = self.refresh_tokens(stale_access_token=token)
        return func(token, *args, **kwargs)

    def disconnect(self):
        """Revoke at TikTok, forget the tokens, stop syncing; the page stays.

        Returns False when TikTok could not confirm the revocation (the tokens
        are forgotten here anyway).
        """
        confirmed = True
        if self.status == self.Status.ACTIVE:
            try:
                self.call(client.revoke)
            except TikTokError as exc:
                confirmed = isinstance(exc, ReconnectNeeded)
                logger.warning("Revoke for connection %s failed: %s", self.pk, exc.code)
        self.status = self.Status.REVOKED
        self.last_error = ""
        self.clear_tokens()
        self.save()
        return confirmed

    def export(self):
        """Everything stored about the connection except the tokens themselves."""
        return {
            "open_id": self.open_id,
            "union_id": self.union_id,
            "granted_scopes": list(self.scopes),
            "status": self.status,
            "sync_paused": self.sync_paused,
            "access_token_expires_at": iso(self.access_expires_at),
            "refresh_token_expires_at": iso(self.refresh_expires_at),
            "last_refreshed_at": iso(self.last_refreshed_at),
            "signed_in_at": iso(self.granted_at),
            "last_error": self.last_error,
            "permission_missed_at": iso(self.permission_missed_at),
            "connected_since": iso(self.created),
        }


class WebhookEvent(models.Model):
    """One event TikTok delivered to the webhook callback, stored once.

    TikTok delivers at least once: a delivery seen again finds its row by
    `key` and changes nothing. `handled_at` is set by the task that acted on
    it, in the same transaction as what it did.
    """

    key = models.CharField(max_length=64, unique=True)
    event = models.CharField(max_length=64)
    open_id = models.CharField(max_length=100, blank=True, db_index=True)
    reason = models.SmallIntegerField(null=True, blank=True)
    create_time = models.BigIntegerField(default=0)  # TikTok's, Unix seconds
    received = models.DateTimeField(default=timezone.now)
    deliveries = models.PositiveIntegerField(default=1)
    handled_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-received", "-id"]

    def __str__(self):
        return f"{self.event} ({self.reason}) {self.received:%Y-%m-%d %H:%M:%S}"


class ApiBudget(models.Model):
    """A token bucket per TikTok endpoint, shared by every process (see budget.py)."""

    endpoint = models.CharField(max_length=40, primary_key=True)
    tokens = models.FloatField(default=0)
    updated = models.FloatField(default=0)  # Unix time of the last change

    class Meta:
        db_table = "pages_apibudget"
        verbose_name = "API budget"

    def __str__(self):
        return self.endpoint
