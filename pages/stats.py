"""Counting visits without cookies, without IP addresses and without bots.

A page view, a click or a play only adds one to a counter in the process's
memory: the warm path writes neither to the database nor to the cache. Once
FLUSH_SECONDS have passed, the next request the process serves (any request,
not only a page view) stores its counts, and so does the process at exit:

- with Redis as the cache, into one hash per minute (atomic HINCRBY), which
  `flush_views()`, run by the scheduler, moves into the daily and hourly rows;
- otherwise straight into those rows with a conditional UPDATE (the file
  cache increments by reading then writing, which loses counts across
  processes).

What a view came with (referrer, user agent, language) is kept in memory
until that store and only classified then (pages/audience.py), so the
request pays for nothing but a list append; at that moment the visitor's
hash (pages/visitors.py) is looked up once in the cache to count the day's
unique visitors. Only the counts reach the database.

A visitor counts once per page per 30 minutes and once per link, video
link or play per 30 seconds; the redirect itself is never held back. Not
counted: bots (today's rules and ua-parser's crawlers), prefetch and
prerender, HEAD, and a creator looking at their own page. A process that
is killed loses at most its last few seconds of counts.
"""

import atexit
import functools
import logging
import re
import threading
import time
import uuid
from collections import Counter, OrderedDict, defaultdict
from datetime import UTC, date, datetime, timedelta
from importlib import import_module

import redis
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from pages import audience, visitors
from pages import cache as page_cache
from pages.models import HOURLY_METRICS, DailyCount, HourlyCount, Link, Page, may_sync

BOT_PATTERN = re.compile(
    r"bot|crawl|spider|slurp|preview|fetch|scan|monitor|curl|wget|python|httpclient|java/|"
    r"go-http|headless|lighthouse|pingdom|facebookexternalhit|whatsapp|embedly|okhttp",
    re.IGNORECASE,
)
logger = logging.getLogger(__name__)
# Redis refused or silent: counts stay in the process until it is back.
REDIS_OUTAGE = (redis.ConnectionError, redis.TimeoutError)

COUNTER_SECONDS = 3 * 3600
LAST_FLUSH_KEY = "pages:views:flushed"
FLUSH_SECONDS = 10

VIEW_WINDOW_SECONDS = 30 * 60
CLICK_WINDOW_SECONDS = 30
SEEN_MAX = 100_000
# Distinct sources, devices, browsers or languages kept per page and day;
# the rest count as "other", so made-up referrers cannot fill the table.
MAX_SUBJECTS = 50
OTHER = "other"
BREAKDOWNS = ("source", "device", "browser", "language")
HOURS_KEPT = 48

_pending = Counter()  # (page id, hour, metric, subject) -> count
_visits = []  # counted views whose source, device and visitor are not classified yet
_seen = OrderedDict()  # (page id, visitor hash) -> time until which it is not counted
_lock = threading.Lock()
_last_write = [time.monotonic()]


def is_human(request):
    """A best guess that the request comes from a person's browser, asking
    for the page itself (not prefetching or prerendering it)."""
    meta = request.META
    purpose = (
        meta.get("HTTP_SEC_PURPOSE", "")
        + meta.get("HTTP_PURPOSE", "")
        + meta.get("HTTP_X_PURPOSE", "")
        + meta.get("HTTP_X_MOZ", "")
    ).lower()
    if "prefetch" in purpose or "prerender" in purpose or "preview" in purpose:
        return False
    return _is_browser(meta.get("HTTP_USER_AGENT", ""))


@functools.lru_cache(maxsize=2048)
def _is_browser(agent):
    return bool(agent) and not BOT_PATTERN.search(agent) and not audience.is_crawler(agent)


def is_owner(request, owner_id):
    """Whether the request comes from the signed-in owner of the page. Only
    a request carrying a session cookie (visitors have none) reads its session."""
    key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not key or owner_id is None:
        return False
    try:
        session = import_module(settings.SESSION_ENGINE).SessionStore(key)
        return str(session.get(SESSION_KEY)) == str(owner_id)
    except Exception:  # a broken session store must never cost a visitor their page
        logger.exception("Could not read a session to tell the page's owner")
        return False


def _minute(now=None):
    return int((time.time() if now is None else now) // 60)


def _hour(now=None):
    return int((time.time() if now is None else now) // 3600)


def _counts_key(minute):
    return f"pages:counts:{minute}"


def count_view(page_id, visitor="", request=None):
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
        hour = _hour(now)
        _pending[(page_id, hour, "views", "")] += 1
        if request is not None and len(_visits) < SEEN_MAX:
            meta = request.META
            _visits.append(
                (
                    page_id,
                    hour,
                    visitor,
                    meta.get("HTTP_USER_AGENT", "")[:1000],
                    meta.get("HTTP_REFERER", "")[:1000],
                    request.GET.get("utm_source", "")[:100] if meta.get("QUERY_STRING") else "",
                    meta.get("HTTP_ACCEPT_LANGUAGE", "")[:200],
                )
            )
    write_if_due()


def _count(page_id, metric, subject):
    with _lock:
        _pending[(page_id, _hour(), metric, subject)] += 1
    write_if_due()


def count_click(link, visitor=""):
    """One click on a link (the caller has checked it is a person), at most
    one per visitor and link every CLICK_WINDOW_SECONDS; returns whether it counted."""
    if not visitors.first_time(f"pages:click:{visitor}:l{link.pk}", CLICK_WINDOW_SECONDS):
        return False
    _count(link.page_id, "link_clicks", str(link.pk))
    return True


def count_video_link_click(video, visitor=""):
    """A click on the link under a video, with the same once-per-visitor rule."""
    if not visitors.first_time(f"pages:click:{visitor}:v{video.pk}", CLICK_WINDOW_SECONDS):
        return False
    _count(video.page_id, "video_link_clicks", video.tiktok_id)
    return True


def count_play(video, visitor=""):
    """A video played in place on the page, with the same once-per-visitor rule."""
    if not visitors.first_time(f"pages:play:{visitor}:v{video.pk}", CLICK_WINDOW_SECONDS):
        return False
    _count(video.page_id, "video_plays", video.tiktok_id)
    return True


def write_if_due():
    """Store this process's counts if FLUSH_SECONDS have passed (cheap otherwise)."""
    if (_pending or _visits) and time.monotonic() - _last_write[0] >= FLUSH_SECONDS:
        write_pending()


def write_pending(minute=None):
    """Store this process's counts; returns how many views."""
    with _lock:
        counts = Counter(_pending)
        _pending.clear()
        visits = list(_visits)
        _visits.clear()
        _last_write[0] = time.monotonic()
    counts.update(classify(visits))
    if not counts:
        return 0
    views = _views_in(counts)
    try:
        store_counts(counts, minute)
    except Exception as exc:  # runs in every request: a storage hiccup must never cost a page
        if not isinstance(exc, REDIS_OUTAGE):  # the cache logs an outage once, not each try
            logger.exception("Could not store page views; they are kept for the next try")
        with _lock:
            _pending.update(counts)  # only those not stored yet (store_counts pops the rest)
        return views - _views_in(counts)
    return views


def _views_in(counts):
    return sum(n for key, n in counts.items() if key[2] == "views")


def classify(visits):
    """The counts of sources, devices, browsers, languages and new visitors
    of some counted views."""
    counts = Counter()
    own_host = settings.SITE_URL.split("//", 1)[-1].split("/", 1)[0].split(":", 1)[0].lower()
    for page_id, hour, visitor, agent, referer, utm, languages in visits:
        counts[(page_id, hour, "source", audience.source(referer, agent, utm, own_host))] += 1
        counts[(page_id, hour, "device", audience.device(agent))] += 1
        counts[(page_id, hour, "browser", audience.browser(agent))] += 1
        counts[(page_id, hour, "language", audience.language(languages))] += 1
        if visitor and _first_visit_today(hour, visitor):
            counts[(page_id, hour, "visitors", "")] += 1
    return counts


def _first_visit_today(hour, visitor):
    """Whether this is the visitor's first view of the page this day: one
    cache entry per visitor and page, which lasts until the day is over."""
    seconds_left = 86400 - (hour * 3600) % 86400 + 600
    try:
        # The hash is of the visitor and this page: the key names neither.
        return visitors.first_time(f"pages:uv:{visitor}", seconds_left)
    except Exception:
        logger.exception("Could not tell whether a visitor is new today")
        return False


def counts_in_cache():
    """Whether counts go through the cache: only where it increments atomically (Redis)."""
    return "redis" in settings.CACHES["default"]["BACKEND"].lower()


def _redis():
    return cache._cache.get_client(write=True)  # the one way to HINCRBY through Django's cache


def _field(key):
    page_id, hour, metric, subject = key
    return f"{page_id}:{hour}:{metric}:{subject}"


def _unfield(field):
    page_id, hour, metric, subject = field.decode().split(":", 3)
    return int(page_id), int(hour), metric, subject


def store_counts(counts, minute=None):
    """Add {(page id, hour, metric, subject): count} to the shared counts,
    safe against other processes.

    What is stored is removed from `counts`, so after a failure half-way
    `counts` holds exactly what is still to store (nothing twice).
    """
    if counts_in_cache():
        if not page_cache.reachable():
            raise redis.ConnectionError("Redis is away; the counts wait in this process")
        minute = _minute() if minute is None else minute
        key = cache.make_and_validate_key(_counts_key(minute))
        pipe = _redis().pipeline(transaction=True)  # all of it or nothing
        for item, n in counts.items():
            pipe.hincrby(key, _field(item), n)
        pipe.expire(key, COUNTER_SECONDS)
        pipe.execute()
        counts.clear()
        return
    add_counts(counts)


atexit.register(write_pending)


def forget_page(page_id):
    """Drop this process's uncounted views and remembered visitors of a page
    that is being deleted."""
    with _lock:
        for key in [key for key in _pending if key[0] == page_id]:
            del _pending[key]
        _visits[:] = [visit for visit in _visits if visit[0] != page_id]
        for key in [key for key in _seen if key[0] == page_id]:
            del _seen[key]


def forget_cached_counts(page_id):
    """Drop a deleted page's counts still waiting in Redis's minute hashes."""
    if not counts_in_cache():
        return
    client = _redis()
    minute = _minute()
    for m in range(minute - COUNTER_SECONDS // 60, minute + 2):
        key = cache.make_and_validate_key(_counts_key(m))
        fields = [field for field, _ in client.hscan_iter(key, match=f"{page_id}:*")]
        if fields:
            client.hdel(key, *fields)


def add_counts(counts):
    """Add counts to the daily and hourly rows, one transaction per page;
    each page's counts leave `counts` once committed."""
    by_page = defaultdict(list)
    for key in counts:
        by_page[key[0]].append(key)
    for page_id, keys in by_page.items():
        if not Page.objects.filter(pk=page_id).exists():  # deleted meanwhile
            for key in keys:
                del counts[key]
            continue
        daily, hourly, clicks = Counter(), Counter(), Counter()
        for key in keys:
            _, hour, metric, subject = key
            daily[(_day_of_hour(hour), metric, subject)] += counts[key]
            if metric in HOURLY_METRICS:
                hourly[(hour, metric)] += counts[key]
            if metric == "link_clicks" and subject.isdigit():
                clicks[subject] += counts[key]
        with transaction.atomic():
            for (day, metric, subject), n in daily.items():
                _add_daily(page_id, day, metric, subject, n)
            for (hour, metric), n in hourly.items():
                _add_hourly(page_id, datetime.fromtimestamp(hour * 3600, UTC), metric, n)
            for link_id, n in clicks.items():
                Link.objects.filter(pk=int(link_id), page_id=page_id).update(clicks=F("clicks") + n)
            if any(metric == "views" for _, metric, _ in daily):
                Page.objects.filter(pk=page_id).update(**viewed_state(timezone.now()))
        for key in keys:
            del counts[key]


def viewed_state(now):
    """The fields of a page visitors saw at `now`: a stale one falls due at
    once, if it may sync (a paused, disconnected or suspended one stays set
    aside: its visitors must not put it back on every scheduler run)."""
    stale = Q(last_synced_at__lte=now - timedelta(seconds=settings.PAGE_REFRESH_SECONDS))
    return {
        "last_viewed_at": now,
        "sync_due_at": Case(
            When(stale & may_sync() & Q(sync_due_at__gt=now), then=Value(now)),
            default=F("sync_due_at"),
        ),
    }


def _day_of_hour(hour):
    return date(1970, 1, 1) + timedelta(days=hour // 24)


def _add_daily(page_id, day, metric, subject, n):
    rows = DailyCount.objects.filter(page_id=page_id, day=day, metric=metric)
    if rows.filter(subject=subject).update(count=F("count") + n):
        return
    if metric in BREAKDOWNS and subject != OTHER and rows.count() >= MAX_SUBJECTS:
        subject = OTHER
        if rows.filter(subject=subject).update(count=F("count") + n):
            return
    try:
        with transaction.atomic():
            DailyCount.objects.create(
                page_id=page_id, day=day, metric=metric, subject=subject, count=n
            )
    except IntegrityError:  # another process made the row meanwhile
        rows.filter(subject=subject).update(count=F("count") + n)


def _add_hourly(page_id, hour, metric, n):
    rows = HourlyCount.objects.filter(page_id=page_id, hour=hour, metric=metric)
    if rows.update(count=F("count") + n):
        return
    try:
        with transaction.atomic():
            HourlyCount.objects.create(page_id=page_id, hour=hour, metric=metric, count=n)
    except IntegrityError:
        rows.update(count=F("count") + n)


def flush_views(now=None):
    """Move finished minutes of counts from Redis into the daily and hourly
    rows; returns the views moved. Without Redis, stores this process's own."""
    if not counts_in_cache():
        return write_pending()  # this process's own counts; the others' are stored
    current = _minute(now)
    # A minute is moved once the next one is over too: a process that read the
    # clock just before a minute ended has long written its counts by then.
    last = current - 1
    first = cache.get(LAST_FLUSH_KEY, last - 60) + 1
    if not page_cache.reachable():
        return 0  # the minutes wait in Redis, and each process keeps its own
    minutes = range(max(first, last - 60), last)
    # This process's own counts (one process in development), into a minute not moved yet.
    write_pending(minutes[-1] if minutes else last)
    moved = 0
    for minute in minutes:
        moved += _move_minute(minute, current)
    if minutes:
        cache.set(LAST_FLUSH_KEY, last - 1, None)
    return moved


def _move_minute(minute, current):
    """Claim a minute's hash (a rename: of two flushers, one gets it), store it, drop it."""
    client = _redis()
    key = cache.make_and_validate_key(_counts_key(minute))
    claimed = f"{key}:claimed:{uuid.uuid4().hex}"
    try:
        client.rename(key, claimed)
    except Exception as exc:  # no such key: nothing counted that minute, or moved already
        if "no such key" in str(exc).lower():
            return 0
        raise
    client.expire(claimed, COUNTER_SECONDS)
    counts = Counter({_unfield(field): int(n) for field, n in client.hgetall(claimed).items()})
    views = _views_in(counts)
    try:
        add_counts(counts)
    except Exception:
        logger.exception("Could not store counted views; they are kept for the next flush")
        store_counts(counts, current)  # what is left, into a minute still to come
        views -= _views_in(counts)
    client.delete(claimed)
    return views


def purge_old_counts(now=None):
    """Scheduler job: drop daily rows older than STATS_RETENTION_DAYS and
    hourly rows older than 48 hours; returns what it did, for the log."""
    now = now or timezone.now()
    oldest_day = now.date() - timedelta(days=settings.STATS_RETENTION_DAYS)
    daily, _ = DailyCount.objects.filter(day__lt=oldest_day).delete()
    hourly, _ = HourlyCount.objects.filter(hour__lt=now - timedelta(hours=HOURS_KEPT)).delete()
    return f"{daily} daily and {hourly} hourly counts purged" if daily or hourly else ""
