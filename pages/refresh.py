"""When pages are refreshed from TikTok, and by whom: single-flight leases,
per-page backoff, per-endpoint circuit breakers and the scheduler's job.

A refresh starts only by claiming the page's lease with a conditional UPDATE,
so any number of visitors, schedulers and workers start one refresh per page.
"""

import logging
import random
import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import F, Q
from django.utils import timezone

from pages import budget, stats

logger = logging.getLogger(__name__)

LEASE_SECONDS = 300
ASKED_SECONDS = 60
MAX_BACKOFF_SECONDS = 6 * 3600
BREAKER_THRESHOLD = 3
MAX_BREAKER_SECONDS = 600
MANUAL_REFRESH_SECONDS = 60
MAX_ENQUEUE_PER_RUN = 100


# Leases.


def claim(page_id, *, now=None, stale_only=True, manual=False):
    """Take the page's refresh lease; True for exactly one caller at a time."""
    from accounts.models import TikTokConnection
    from pages.models import Page

    now = now or timezone.now()
    # The database has the last word on pausing and disconnecting, whatever
    # the cached state of the page still says. (An IN on the connections, not
    # a join: the UPDATE must stay a plain conditional one on the page's row.)
    active = TikTokConnection.objects.filter(status="active", sync_paused=False)
    pages = Page.objects.filter(pk=page_id, is_suspended=False, user__in=active.values("user_id"))
    pages = pages.filter(Q(refresh_lease_until__isnull=True) | Q(refresh_lease_until__lt=now))
    if not manual:
        pages = pages.filter(Q(sync_backoff_until__isnull=True) | Q(sync_backoff_until__lte=now))
    if stale_only:
        fresh_after = now - timedelta(seconds=settings.PAGE_REFRESH_SECONDS)
        pages = pages.filter(Q(last_synced_at__isnull=True) | Q(last_synced_at__lte=fresh_after))
    return pages.update(refresh_lease_until=now + timedelta(seconds=LEASE_SECONDS)) == 1


def release(page_id, **fields):
    """Give the lease back, saving the sync state fields given."""
    from pages.models import Page

    Page.objects.filter(pk=page_id).update(refresh_lease_until=None, **fields)


def enqueue(page_id):
    """Queue the refresh task for a page whose lease the caller holds."""
    from pages.tasks import refresh_page

    try:
        refresh_page.enqueue(page_id)
    except Exception:
        logger.exception("Could not queue the refresh of page %s", page_id)
        release(page_id)


def request_from_visit(state):
    """A visitor saw a stale snapshot: start one refresh, never wait for it."""
    if state["gone"] or not state["sync"] or time.time() < state["stale_at"]:
        return False
    # A cheap filter before the database: at most one claim a minute per page.
    if not cache.add(f"pages:asked:{state['id']}", 1, ASKED_SECONDS):
        return False
    if budget.available("user/info") < 1:
        mark_waiting(state["id"])
        return False
    if claim(state["id"]):
        enqueue(state["id"])
        return True
    _correct_sync_state(state["id"])
    return False


def _correct_sync_state(page_id):
    """The cached state said "sync" but the page is paused or disconnected
    (a change that did not publish): publish the truth so visits stop asking."""
    from pages import cache as page_cache
    from pages.models import Page

    if not Page.objects.syncable().filter(pk=page_id).exists():
        page_cache.publish(page_id)


def request_manual(page):
    """The creator pressed "Refresh from TikTok now" (at most once a minute).

    Returns "queued", "too_soon" or "busy".
    """
    from pages.models import Page

    now = timezone.now()
    earliest = now - timedelta(seconds=MANUAL_REFRESH_SECONDS)
    allowed = (
        Page.objects.filter(pk=page.pk)
        .filter(Q(manual_refresh_at__isnull=True) | Q(manual_refresh_at__lte=earliest))
        .update(manual_refresh_at=now)
    )
    if not allowed:
        return "too_soon"
    if claim(page.pk, now=now, stale_only=False, manual=True):
        enqueue(page.pk)
        return "queued"
    return "busy"


def mark_waiting(page_id):
    from pages.models import Page

    Page.objects.filter(pk=page_id, refresh_waiting_since__isnull=True).update(
        refresh_waiting_since=timezone.now()
    )


# Backoff and circuit breakers.


def backoff_seconds(failures):
    """Exponential backoff with jitter: 1, 2, 4 … minutes, at most six hours."""
    base = min(60 * 2 ** max(failures - 1, 0), MAX_BACKOFF_SECONDS)
    return base * random.uniform(0.8, 1.2)


def _breaker_key(endpoint):
    return f"pages:breaker:{endpoint}"


def breaker_open_until(endpoint):
    """Unix time until which calls to the endpoint are not made (0 when closed)."""
    state = cache.get(_breaker_key(endpoint)) or {}
    return state.get("open_until", 0)


def breaker_is_open(endpoint, now=None):
    return (time.time() if now is None else now) < breaker_open_until(endpoint)


def breaker_failure(endpoint, rate_limited=False):
    """Count a 429/5xx; open the breaker after a few in a row (at once for 429)."""
    state = cache.get(_breaker_key(endpoint)) or {"failures": 0, "open_until": 0}
    state["failures"] += 1
    if rate_limited:
        state["open_until"] = time.time() + 60
    elif state["failures"] >= BREAKER_THRESHOLD:
        delay = min(30 * 2 ** (state["failures"] - BREAKER_THRESHOLD), MAX_BREAKER_SECONDS)
        state["open_until"] = time.time() + delay
    cache.set(_breaker_key(endpoint), state, 3600)


def breaker_success(endpoint):
    if cache.get(_breaker_key(endpoint)):
        cache.delete(_breaker_key(endpoint))


# The scheduler's job.


def due_pages(now=None):
    """Pages due for a refresh, oldest snapshot first."""
    from pages.models import Page

    now = now or timezone.now()
    visited_since = now - timedelta(seconds=settings.PAGE_IDLE_REFRESH_SECONDS)
    visited_stale = now - timedelta(seconds=settings.PAGE_REFRESH_SECONDS)
    idle_stale = now - timedelta(seconds=settings.PAGE_IDLE_REFRESH_SECONDS)
    return (
        Page.objects.syncable()
        .filter(Q(refresh_lease_until__isnull=True) | Q(refresh_lease_until__lt=now))
        .filter(Q(sync_backoff_until__isnull=True) | Q(sync_backoff_until__lte=now))
        .filter(
            Q(last_synced_at__isnull=True)
            | Q(refresh_waiting_since__isnull=False)
            | Q(last_viewed_at__gte=visited_since, last_synced_at__lte=visited_stale)
            | Q(last_synced_at__lte=idle_stale)
        )
        .order_by(F("last_synced_at").asc(nulls_first=True), "id")
    )


def enqueue_due_refreshes():
    """Scheduler job: count views, then queue the refreshes that are due and
    that the API budget allows, oldest snapshot first."""
    views = stats.flush_views()
    room = min(budget.available("user/info"), MAX_ENQUEUE_PER_RUN)
    queued = 0
    if room > 0:
        now = timezone.now()
        for page_id in due_pages(now).values_list("id", flat=True)[:room]:
            if claim(page_id, now=now, stale_only=False):
                enqueue(page_id)
                queued += 1
    return f"{views} views counted, {queued} refreshes queued" if views or queued else ""
