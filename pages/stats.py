"""Counting visits without cookies, without IP addresses and without bots.

A page view only adds one to a counter in the process's memory: the warm
path writes neither to the database nor to the cache. Once FLUSH_SECONDS have
passed, the next request the process serves (any request, not only a page
view) stores its counts, and so does the process at exit:

- with Redis as the cache, into per-minute counters (atomic INCR), which
  `flush_views()`, run by the scheduler, moves into PageStat;
- otherwise straight into PageStat with a conditional UPDATE (the file cache
  increments by reading then writing, which loses counts across processes).

A visitor (a keyed hash, pages/visitors.py) counts once per page per 30
minutes and once per link per 30 seconds; the redirect itself is never held back.

Either way the visited pages are noted (which is what makes a page sync
often instead of daily). A process that is killed loses at most its last few
seconds of counts.
"""

import atexit
import functools
import logging
import re
import threading
import time
from collections import Counter, OrderedDict
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F

from pages import visitors
from pages.models import Link, Page, PageStat

BOT_PATTERN = re.compile(
    r"bot|crawl|spider|slurp|preview|fetch|scan|monitor|curl|wget|python|httpclient|java/|"
    r"go-http|headless|lighthouse|pingdom|facebookexternalhit|whatsapp|embedly|okhttp",
    re.IGNORECASE,
)
logger = logging.getLogger(__name__)

COUNTER_SECONDS = 3 * 3600
LAST_FLUSH_KEY = "pages:views:flushed"
FLUSH_SECONDS = 10

VIEW_WINDOW_SECONDS = 30 * 60
CLICK_WINDOW_SECONDS = 30
SEEN_MAX = 100_000

_pending = Counter()
_seen = OrderedDict()  # (page id, visitor hash) -> time until which it is not counted
_lock = threading.Lock()
_last_write = [time.monotonic()]


def is_human(request):
    """A best guess that the request comes from a person's browser."""
    meta = request.META
    purpose = meta.get("HTTP_SEC_PURPOSE", "") + meta.get("HTTP_PURPOSE", "")
    return _is_browser(meta.get("HTTP_USER_AGENT", "")) and "prefetch" not in purpose.lower()


@functools.lru_cache(maxsize=2048)
def _is_browser(agent):
    return bool(agent) and not BOT_PATTERN.search(agent)


def _minute(now=None):
    return int((time.time() if now is None else now) // 60)


def _views_key(page_id, minute):
    return f"pages:views:{page_id}:{minute}"


def count_view(page_id, visitor=""):
    """Count one view of the page (in memory; stored now and then), at most
    one per visitor (pages/visitors.py) and VIEW_WINDOW_SECONDS.

    The visitors seen lately are remembered in this process's memory, not in
    the cache, so that a view stays free of writes: with several processes a
    visitor counts at most once per process and window.
    """
    now = time.time()
    key = (page_id, visitor)
    with _lock:
        until = _seen.get(key)
        if until is not None and until > now:
            return
        _seen[key] = now + VIEW_WINDOW_SECONDS
        _seen.move_to_end(key)
        while len(_seen) > SEEN_MAX:
            _seen.popitem(last=False)
        _pending[page_id] += 1
    write_if_due()


def write_if_due():
    """Store this process's counts if FLUSH_SECONDS have passed (cheap otherwise)."""
    if _pending and time.monotonic() - _last_write[0] >= FLUSH_SECONDS:
        write_pending()


def write_pending(minute=None):
    """Store this process's counted views; returns how many."""
    with _lock:
        counts = dict(_pending)
        _pending.clear()
        _last_write[0] = time.monotonic()
    if not counts:
        return 0
    total = sum(counts.values())
    try:
        store_views(counts, minute)
    except Exception:  # runs in every request: a storage hiccup must never cost a page
        logger.exception("Could not store page views; they are kept for the next try")
        with _lock:
            _pending.update(counts)  # only those not stored yet (store_views pops the rest)
        return total - sum(counts.values())
    return total


def counts_in_cache():
    """Whether views go through the cache: only where it increments atomically (Redis)."""
    return "redis" in settings.CACHES["default"]["BACKEND"].lower()


def store_views(counts, minute=None):
    """Add {page id: views} to the shared counts, safe against other processes.

    Each page's count is removed from `counts` once stored, so after a failure
    half-way `counts` holds exactly what is still to store (nothing twice).
    """
    if counts_in_cache():
        minute = _minute() if minute is None else minute
        for page_id in list(counts):
            key = _views_key(page_id, minute)
            views = counts[page_id]
            cache.add(key, 0, COUNTER_SECONDS)
            try:
                cache.incr(key, views)
            except ValueError:  # evicted meanwhile
                if not cache.add(key, views, COUNTER_SECONDS):
                    cache.incr(key, views)
            del counts[page_id]
        return
    now = datetime.now(UTC)
    viewed = list(counts)
    for page_id in viewed:
        add_to_day(page_id, now.date(), views=counts[page_id])
        del counts[page_id]
    Page.objects.filter(pk__in=viewed).update(last_viewed_at=now)


atexit.register(write_pending)


def forget_page(page_id):
    """Drop this process's uncounted views and remembered visitors of a page
    that is being deleted."""
    with _lock:
        _pending.pop(page_id, None)
        for key in [key for key in _seen if key[0] == page_id]:
            del _seen[key]


def add_to_day(page_id, day, *, views=0, clicks=0):
    updated = PageStat.objects.filter(page_id=page_id, day=day).update(
        views=F("views") + views, clicks=F("clicks") + clicks
    )
    if not updated:
        try:
            with transaction.atomic():
                PageStat.objects.create(page_id=page_id, day=day, views=views, clicks=clicks)
        except IntegrityError:
            PageStat.objects.filter(page_id=page_id, day=day).update(
                views=F("views") + views, clicks=F("clicks") + clicks
            )


def count_click(link, visitor=""):
    """One click on a link (the caller has checked it is a person), at most
    one per visitor and link every CLICK_WINDOW_SECONDS; returns whether it counted."""
    if not visitors.first_time(f"pages:click:{visitor}:l{link.pk}", CLICK_WINDOW_SECONDS):
        return False
    Link.objects.filter(pk=link.pk).update(clicks=F("clicks") + 1)
    add_to_day(link.page_id, datetime.now(UTC).date(), clicks=1)
    return True


def count_video_link_click(video, visitor=""):
    """A click on the link under a video, with the same once-per-visitor rule."""
    if not visitors.first_time(f"pages:click:{visitor}:v{video.pk}", CLICK_WINDOW_SECONDS):
        return False
    add_to_day(video.page_id, datetime.now(UTC).date(), clicks=1)
    return True


def flush_views(now=None):
    """Move finished minutes of view counters into PageStat; returns views moved."""
    if not counts_in_cache():
        return write_pending()  # this process's own views; the others' are in PageStat
    current = _minute(now)
    # A minute is moved once the next one is over too: a process that read the
    # clock just before a minute ended has long written its counts by then.
    last = current - 1
    first = cache.get(LAST_FLUSH_KEY, last - 60) + 1
    minutes = range(max(first, last - 60), last)
    # This process's own views (one process in development), into a minute not moved yet.
    write_pending(minutes[-1] if minutes else last)
    if not minutes:
        return 0
    moved = 0
    ids = list(Page.objects.filter(is_suspended=False).values_list("id", flat=True))
    for start in range(0, len(ids), 200):
        chunk = ids[start : start + 200]
        keys = [_views_key(pid, m) for pid in chunk for m in minutes]
        found = cache.get_many(keys)
        per_page = {}
        for key, value in found.items():
            _, _, pid, minute = key.split(":")
            day = datetime.fromtimestamp(int(minute) * 60, UTC).date()
            per_page.setdefault((int(pid), day), 0)
            per_page[(int(pid), day)] += int(value)
        for (pid, day), views in per_page.items():
            add_to_day(pid, day, views=views)
            moved += views
        visited = {pid for pid, _ in per_page}
        if visited:
            seen = datetime.fromtimestamp(max(minutes) * 60, UTC)
            Page.objects.filter(pk__in=visited).update(last_viewed_at=seen)
        cache.delete_many(list(found))
    cache.set(LAST_FLUSH_KEY, last - 1, None)
    return moved
