"""A page's sync lease and backoff: whoever syncs a page holds its lease.

A sync starts only by claiming the page's lease with a conditional UPDATE, so
any number of visitors, schedulers and workers start one sync per page. The
claim draws a token that the sync task carries: the task syncs only while the
page's lease still holds that token, and gives back only its own lease, so a
task run twice (its worker died and it was queued again) never syncs beside,
or frees the lease of, the sync that took the page since.
"""

import random
import secrets
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from pages.models import Page, may_sync

LEASE_SECONDS = 300
MAX_BACKOFF_SECONDS = 6 * 3600


def claim(page_id, *, now=None, stale_only=True, manual=False):
    """Take the page's sync lease: its token for exactly one caller at a
    time, None for the others."""
    now = now or timezone.now()
    # The database has the last word on pausing and disconnecting, whatever
    # the cached state of the page still says.
    pages = Page.objects.filter(may_sync(), pk=page_id)
    pages = pages.filter(Q(sync_lease_until__isnull=True) | Q(sync_lease_until__lt=now))
    if not manual:
        pages = pages.filter(Q(sync_backoff_until__isnull=True) | Q(sync_backoff_until__lte=now))
    if stale_only:
        fresh_after = now - timedelta(seconds=settings.PAGE_REFRESH_SECONDS)
        pages = pages.filter(Q(last_synced_at__isnull=True) | Q(last_synced_at__lte=fresh_after))
    lease = secrets.token_hex(16)
    taken = pages.update(
        sync_lease_until=now + timedelta(seconds=LEASE_SECONDS), sync_lease_token=lease
    )
    return lease if taken else None


def hold(page_id, lease, now=None):
    """Whether the lease `lease` is still the page's (nobody claimed the page
    since, nobody gave it back), renewed for LEASE_SECONDS if so: the sync
    task's check before it syncs."""
    if not lease:
        return False
    now = now or timezone.now()
    renewed = Page.objects.filter(pk=page_id, sync_lease_token=lease).update(
        sync_lease_until=now + timedelta(seconds=LEASE_SECONDS)
    )
    return renewed == 1


def release(page_id, lease, **fields):
    """Give the lease back if it is still `lease`, saving the sync state
    fields given; False when another sync holds the page now (its state is
    that sync's to write)."""
    released = Page.objects.filter(pk=page_id, sync_lease_token=lease).update(
        sync_lease_until=None, sync_lease_token="", **fields
    )
    return released == 1


def mark_waiting(page_id):
    Page.objects.filter(pk=page_id, sync_waiting_since__isnull=True).update(
        sync_waiting_since=timezone.now()
    )


def backoff_seconds(failures):
    """Exponential backoff with jitter: 1, 2, 4 … minutes, at most six hours."""
    base = min(60 * 2 ** max(failures - 1, 0), MAX_BACKOFF_SECONDS)
    return base * random.uniform(0.8, 1.2)
