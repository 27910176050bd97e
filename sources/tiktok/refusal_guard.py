"""A fleet-wide guard on token refreshes that TikTok refuses with one code at once.

A refresh refused with `invalid_grant` is that creator's: they must sign in
again. Any other refusal (`invalid_request`, `invalid_client`,
`unauthorized_client`, …) may be one creator's, or ours: a wrong
TIKTOK_CLIENT_SECRET, or a parameter TikTok started to require, refuses every
creator at their next sync. So such a refusal only counts against a creator
when it repeats for them (TikTokConnection.MAX_REFUSALS), and once
TIKTOK_REFUSAL_GUARD_CREATORS distinct creators are refused with the same
code within TIKTOK_REFUSAL_GUARD_MINUTES, the guard opens a RefreshAlert:
nobody is asked to reconnect, every token is kept, the creators refused so
far are forgiven, refreshes pause (one goes through a minute, as a probe,
each time for a creator not probed lately, so one creator whose own token
TikTok refuses cannot hold the pause), the admin shows the alert and the log
says it at ERROR. Syncs whose access token needs no refresh go on meanwhile.
A refresh that works again, an admin, or TIKTOK_REFUSAL_GUARD_QUIET_MINUTES
without a refusal of its code clears it.
"""

import logging
import random
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.utils import timezone

from sources.tiktok.client import TikTokError

logger = logging.getLogger(__name__)

PROBE_SECONDS = 60
LOG_IDS_KEPT = 20
# A creator probed is not probed again before this many others are.
PROBES_KEPT = 10
CREATOR_MESSAGE = "TikTok is refusing our updates right now; nothing for you to do."


class RefreshesPaused(TikTokError):
    """The guard holds refreshes back: TikTok refuses them for many creators at once."""

    def __init__(self, **kwargs):
        super().__init__("refreshes_paused", CREATOR_MESSAGE, **kwargs)

    @staticmethod
    def retry_at():
        """When a sync held back is tried again: after a probe or a few, spread
        so the held pages do not all come back at the same moment."""
        return timezone.now() + timedelta(seconds=PROBE_SECONDS * random.uniform(1, 5))


class TokenRefusal(models.Model):
    """A token refresh TikTok refused with a code other than invalid_grant."""

    code = models.CharField(max_length=64)
    connection_id = models.BigIntegerField()
    log_id = models.CharField(max_length=128, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        app_label = "tiktok"
        indexes = [models.Index(fields=["code", "at"], name="tokenrefusal_code_at")]

    def __str__(self):
        return f"{self.code} for connection {self.connection_id}"


class RefreshAlert(models.Model):
    """Many creators' refreshes refused with one code at once: ours to fix, not theirs."""

    code = models.CharField(max_length=64)
    creators = models.PositiveIntegerField(default=0)
    refusals = models.PositiveIntegerField(default=0)
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()
    log_ids = models.JSONField(default=list, blank=True)
    probe_after = models.DateTimeField(default=timezone.now)
    probed = models.JSONField(default=list, blank=True)  # the last creators probed
    cleared_at = models.DateTimeField(null=True, blank=True)
    cleared_by = models.CharField(max_length=150, blank=True)

    class Meta:
        app_label = "tiktok"
        ordering = ["-last_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=Q(cleared_at=None), name="one_open_alert_per_code"
            )
        ]

    def __str__(self):
        return f"{self.code}: {self.creators} creators"

    @property
    def is_open(self):
        return self.cleared_at is None and self.last_at > _quiet_since()


def _quiet_since():
    return timezone.now() - timedelta(minutes=settings.TIKTOK_REFUSAL_GUARD_QUIET_MINUTES)


def open_alerts():
    """The alerts holding refreshes back: not cleared, and their code refused lately."""
    return RefreshAlert.objects.filter(cleared_at=None, last_at__gt=_quiet_since())


def close_quiet():
    """Mark cleared the alerts whose code TikTok has not refused for a while."""
    quiet = RefreshAlert.objects.filter(cleared_at=None, last_at__lte=_quiet_since())
    by = f"no refusal for {settings.TIKTOK_REFUSAL_GUARD_QUIET_MINUTES} minutes"
    if quiet.update(cleared_at=timezone.now(), cleared_by=by):
        logger.warning("TikTok stopped refusing token refreshes: refreshes resume")


def is_open():
    """Whether refreshes are paused by an open alert (the dashboards say so)."""
    return open_alerts().exists()


def paused():
    """True while an alert is open and no probe is due: no sync should start
    only to find its refresh paused."""
    alerts = open_alerts()
    return alerts.exists() and not alerts.filter(probe_after__lte=timezone.now()).exists()


def may_refresh(connection_id):
    """Whether this connection's refresh may go to TikTok now: no alert is
    open, or this one is the minute's probe (claimed with a conditional
    UPDATE), and the connection was not one of the last ones probed."""
    alert = open_alerts().order_by("probe_after").first()
    if alert is None:
        return True
    if connection_id in alert.probed:
        return False
    now = timezone.now()
    return bool(
        open_alerts()
        .filter(pk=alert.pk, probe_after__lte=now)
        .update(
            probe_after=now + timedelta(seconds=PROBE_SECONDS),
            probed=(alert.probed + [connection_id])[-PROBES_KEPT:],
        )
    )


def refused(code, connection_id, log_id=""):
    """Record a refresh refused with `code` (not invalid_grant).

    Returns (held, forgiven): held is True when the guard takes the refusal
    as ours (count nothing against the creator); forgiven lists the
    connections whose earlier refusals of this code must no longer count.
    """
    now = timezone.now()
    window = now - timedelta(minutes=settings.TIKTOK_REFUSAL_GUARD_MINUTES)
    TokenRefusal.objects.create(code=code, connection_id=connection_id, log_id=log_id or "", at=now)
    TokenRefusal.objects.filter(at__lt=now - timedelta(days=1)).delete()
    close_quiet()
    alert = open_alerts().filter(code=code).first()
    if alert is not None:
        RefreshAlert.objects.filter(pk=alert.pk).update(
            refusals=F("refusals") + 1,
            last_at=now,
            log_ids=(alert.log_ids + [log_id] if log_id else alert.log_ids)[-LOG_IDS_KEPT:],
        )
        return True, [connection_id]
    recent = TokenRefusal.objects.filter(code=code, at__gte=window).order_by("at")
    refusals = list(recent.values_list("connection_id", "log_id", "at"))
    creators = {refusal[0] for refusal in refusals}
    if len(creators) < settings.TIKTOK_REFUSAL_GUARD_CREATORS:
        return False, []
    log_ids = [refusal[1] for refusal in refusals if refusal[1]][-LOG_IDS_KEPT:]
    try:
        with transaction.atomic():
            RefreshAlert.objects.create(
                code=code,
                creators=len(creators),
                refusals=len(refusals),
                first_at=refusals[0][2],
                last_at=now,
                log_ids=log_ids,
                probe_after=now + timedelta(seconds=PROBE_SECONDS),
            )
    except IntegrityError:
        return True, sorted(creators)  # another process opened it meanwhile
    logger.error(
        "TikTok refused token refreshes with %s for %d creators in %d minutes: refreshes are "
        "paused and no creator is asked to reconnect; check TIKTOK_CLIENT_KEY/SECRET and "
        "TikTok's changes, then clear the alert in the admin (log_ids %s)",
        code,
        len(creators),
        settings.TIKTOK_REFUSAL_GUARD_MINUTES,
        ", ".join(log_ids[-5:]),
    )
    return True, sorted(creators)


def accepted():
    """A refresh worked: TikTok takes our refreshes again, open alerts close."""
    if not open_alerts().exists():
        return
    cleared = open_alerts().update(
        cleared_at=timezone.now(), cleared_by="TikTok accepted a refresh again"
    )
    if cleared:
        logger.warning("TikTok accepted a token refresh again: refreshes resume")


def clear(alerts, by):
    """An admin cleared these alerts: refreshes resume."""
    cleared = alerts.filter(cleared_at=None).update(cleared_at=timezone.now(), cleared_by=by)
    if cleared:
        logger.warning("Refresh alert cleared by %s: refreshes resume", by)
    return cleared
