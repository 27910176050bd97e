"""Scheduled work of the TikTok app (listed in settings.SCHEDULED_JOBS)."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from accounts.tiktok.client import RateLimited, ReconnectNeeded, TikTokError
from accounts.tiktok.models import ApiCall, TikTokConnection

logger = logging.getLogger(__name__)


def refresh_expiring_tokens(limit=200):
    """Refresh the tokens of connections whose refresh token expires soon.

    A creator whose page is paused or never visited makes no API calls, so
    without this their refresh token would run out and they would have to
    sign in again. Each connection is topped up at most once a day; the
    refresh itself is the connection's race-safe one. Returns how many were
    refreshed.
    """
    now = timezone.now()
    window = timedelta(days=settings.TIKTOK_TOKEN_TOP_UP_DAYS)
    due = (
        TikTokConnection.objects.filter(status=TikTokConnection.Status.ACTIVE)
        .filter(
            Q(refresh_expires_at__lte=now + window)
            | Q(refresh_expires_at__isnull=True, last_refreshed_at__lte=now - window)
        )
        .filter(
            Q(last_refreshed_at__isnull=True) | Q(last_refreshed_at__lte=now - timedelta(days=1))
        )
        .order_by("refresh_expires_at")[:limit]
    )
    refreshed = 0
    for connection in due:
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
