"""Scheduled work of the TikTok app (listed in settings.SCHEDULED_JOBS)."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from sources.tiktok import budget
from sources.tiktok.client import RateLimited, ReconnectNeeded, TikTokError
from sources.tiktok.models import ApiCall, TikTokConnection

logger = logging.getLogger(__name__)


def refresh_expiring_tokens(limit=200):
    """Refresh, once, the tokens of connections whose refresh token ends soon.

    TikTok's answer to a refresh says how long the refresh token has left:
    usually its first year runs on (then the creator is asked to reconnect,
    see TikTokConnection.reconnect_by), but should TikTok give it a new life,
    a creator who is away for months (a paused page makes no calls) keeps it.
    A connection is topped up once after it enters the window, not every
    day; one whose end is unknown, when it has not been refreshed for as
    long as the window. Returns how many were refreshed.
    """
    now = timezone.now()
    window = timedelta(days=settings.TIKTOK_TOKEN_TOP_UP_DAYS)
    due = (
        TikTokConnection.objects.filter(status=TikTokConnection.Status.ACTIVE)
        .filter(
            Q(
                refresh_expires_at__lte=now + window,
                refresh_expires_at__gt=now,
                last_refreshed_at__lte=F("refresh_expires_at") - window,
            )
            | Q(refresh_expires_at__isnull=True, last_refreshed_at__lte=now - window)
        )
        .order_by("refresh_expires_at")[:limit]
    )
    refreshed = 0
    for connection in due:
        if not budget.spend("oauth.token"):
            logger.info("Token top-up waits: the syncs use TikTok's token budget now")
            break
        try:
            connection.refresh_tokens(stale_access_token=connection.access_token)
        except ReconnectNeeded:
            continue
        except RateLimited:
            logger.warning("Token top-up stopped: TikTok's rate limit was reached")
            break
        except TikTokError as exc:
            logger.warning("Token top-up for connection %s failed: %s", connection.pk, exc.code)
            continue
        refreshed += 1
    if refreshed:
        logger.info("Token top-up refreshed %d connection(s)", refreshed)
    return refreshed


def prune_request_history():
    """Delete API call log rows older than API_CALL_RETENTION_DAYS (the privacy page's promise).

    Returns how many rows were deleted.
    """
    cutoff = timezone.now() - timedelta(days=settings.API_CALL_RETENTION_DAYS)
    deleted, _ = ApiCall.objects.filter(created__lt=cutoff).delete()
    return deleted
