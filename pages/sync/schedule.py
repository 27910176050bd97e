"""When pages are synced from their source: a visit that finds a page stale,
the creator's button, and the scheduler's job, each starting a sync by
claiming the page's lease (pages/sync/leases.py) and queuing the `sync_page`
task (pages/sync/tasks.py)."""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from pages import cache as page_cache
from pages.models import Page, may_sync
from pages.sync import leases
from pages.sync.tasks import sync_page
from sources import registry

logger = logging.getLogger(__name__)

ASKED_SECONDS = 60
MANUAL_SYNC_SECONDS = 60
MAX_ENQUEUE_PER_RUN = 100
MAX_ROUNDS_PER_RUN = 10


# Queuing.


def is_running(page_id):
    """Whether a worker is running this page's sync now: True, False, or
    None when the task backend cannot tell (only the database queue can)."""
    if settings.TASKS["default"]["BACKEND"] != "django_tasks_db.DatabaseBackend":
        return None
    from django_tasks_db.models import DBTaskResult  # used only with the database queue

    since = timezone.now() - timedelta(seconds=leases.LEASE_SECONDS)
    running = DBTaskResult.objects.running().filter(
        task_path=sync_page.module_path, started_at__gte=since
    )
    return any(
        ((call or {}).get("args") or [None])[0] == page_id
        for call in running.values_list("args_kwargs", flat=True)
    )


def enqueue(page_id, lease):
    """Queue the sync task for a page whose lease (`lease`) the caller holds."""
    try:
        sync_page.enqueue(page_id, lease)
    except Exception:
        logger.exception("Could not queue the sync of page %s", page_id)
        leases.release(page_id, lease)


def start(page_id, **claim_args):
    """Claim the page's lease and queue its sync; False when it is not due or busy."""
    lease = leases.claim(page_id, **claim_args)
    if lease:
        enqueue(page_id, lease)
        return True
    return False


def request_from_visit(state):
    """A visitor saw a stale snapshot: start one sync, never wait for it."""
    if state["gone"] or not state["sync"] or time.time() < state["stale_at"]:
        return False
    # A cheap filter before the database: at most one claim a minute per page.
    if not cache.add(f"pages:asked:{state['id']}", 1, ASKED_SECONDS):
        return False
    # A state cached before pages named their source is the default source's.
    if registry.get(state.get("source")).room() < 1:
        leases.mark_waiting(state["id"])
        return False
    if start(state["id"]):
        return True
    _correct_sync_state(state["id"])
    return False


def _correct_sync_state(page_id):
    """The cached state said "sync" but the page is paused or disconnected
    (a change that did not publish): publish the truth so visits stop asking."""
    if not Page.objects.syncable().filter(pk=page_id).exists():
        page_cache.publish(page_id)


def request_manual(page):
    """The creator pressed "Refresh from TikTok now" (at most once a minute).

    Returns "queued", "too_soon" or "busy".
    """
    now = timezone.now()
    earliest = now - timedelta(seconds=MANUAL_SYNC_SECONDS)
    allowed = (
        Page.objects.filter(pk=page.pk)
        .filter(Q(manual_sync_at__isnull=True) | Q(manual_sync_at__lte=earliest))
        .update(manual_sync_at=now)
    )
    if not allowed:
        # Within the minute; a double click's first press may be on its way.
        on_its_way = Page.objects.filter(pk=page.pk, sync_lease_until__gt=now).exists()
        return "busy" if on_its_way else "too_soon"
    return "queued" if start(page.pk, now=now, stale_only=False, manual=True) else "busy"


# The scheduler's job.


def due_page_ids(limit, now=None, source=None):
    """Up to `limit` ids of pages due for a sync, by priority: those a visitor
    found stale when the rate limit had no room (oldest wait first), then the
    rest by the moment they fell due (`Page.sync_due_at`: at once when a
    visitor finds a page stale, a day after its last sync when nobody does).

    Each query walks an index from its start and stops at `limit`, so a run
    costs the same with a hundred pages or a hundred thousand. Pages that may
    not sync (paused, disconnected, suspended) are not filtered here, which
    would need a join the index cannot serve: their claims fail and
    `enqueue_due_syncs` moves them a day on. `source`: only that source's pages.
    """
    now = now or timezone.now()
    pages = Page.objects.filter(source=source) if source else Page.objects.all()
    ready = pages.filter(
        Q(sync_lease_until__isnull=True) | Q(sync_lease_until__lt=now),
        Q(sync_backoff_until__isnull=True) | Q(sync_backoff_until__lte=now),
    )
    queries = (
        ready.filter(sync_waiting_since__isnull=False).order_by("sync_waiting_since", "id"),
        ready.filter(sync_due_at__lte=now).order_by("sync_due_at", "id"),
    )
    ids = []
    for query in queries:
        ids += query.exclude(pk__in=ids).values_list("id", flat=True)[: limit - len(ids)]
        if len(ids) >= limit:
            break
    return ids


def enqueue_due_syncs():
    """Scheduler job: queue the syncs that are due and that each source's rate
    limit allows, longest due first. Runs after `stats.counting.store_views`
    in the scheduler's list, so the pages visitors just found stale are due."""
    queued = sum(_enqueue_due_of(key) for key in registry.source_keys())
    return f"{queued} syncs queued" if queued else ""


def _enqueue_due_of(source):
    """Queue the due syncs of one source's pages that its rate limit allows;
    returns how many."""
    room = min(registry.get(source).room(), MAX_ENQUEUE_PER_RUN)
    queued = 0
    if room > 0:
        now = timezone.now()
        # Due pages that may not sync take no place in the run: they are set
        # aside and the next due pages take their place (a few rounds at most,
        # so a backlog of them, after the migration say, drains in a few runs
        # while the others keep being synced).
        for _ in range(MAX_ROUNDS_PER_RUN):
            wanted = room - queued
            due = due_page_ids(wanted, now, source)
            refused = []
            for page_id in due:
                if start(page_id, now=now, stale_only=False):
                    queued += 1
                else:
                    refused.append(page_id)
            if refused:
                postpone_unsyncable(refused, now)
            if not refused or len(due) < wanted:
                break
    return queued


def postpone_unsyncable(page_ids, now):
    """Due pages that may not sync now (paused, disconnected, suspended) are
    looked at again in a day, or as soon as their syncing is allowed again
    (`PageQuerySet.reschedule`), rather than on every run."""
    later = now + timedelta(seconds=settings.PAGE_IDLE_REFRESH_SECONDS)
    Page.objects.filter(pk__in=page_ids).exclude(may_sync()).update(
        sync_due_at=later, sync_waiting_since=None
    )
