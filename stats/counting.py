"""Counting visits without cookies, without IP addresses and without bots.

A request that counts a view, a click or a play only appends what it came
with (the page, the time, the visitor's hash, user agent, referrer,
utm_source and language) to a list in the process's memory: it parses
nothing, writes nothing and never waits for counts to be stored. A thread of
the process (a daemon, started by the process's first count, so in each
gunicorn worker after the fork) takes that list every FLUSH_SECONDS, and
the process does once more at exit, in batches of at most BATCH visits:

- each visit is classified on its own (stats/audience.py): a crawler is
  dropped; a visit that cannot be classified counts under "other"; either
  way no other visit loses its count;
- clicks and plays seen from another process lately are dropped (Redis);
- the day's unique visitors are told (stats/uniques.py);
- the counts are stored: with Redis, into one hash per minute (one pipelined
  transaction of HINCRBY), which `store_views()`, run by the scheduler,
  moves into the daily and hourly rows; otherwise straight into those rows
  with a conditional UPDATE (the file cache increments by reading then
  writing, which loses counts across processes).

What could not be stored stays in memory for the next try, within bounds
(MAX_WAITING visits, MAX_PENDING counts; past them, the newest are dropped).
A failure is logged once, when it starts, and again when it ends; counting
never raises into a response. Only the counts reach the database.

A visitor counts once per page per 30 minutes (in each process) and once per
link, video link or play per 30 seconds (across processes with Redis); the
redirect itself is never held back. One address adds at most
pages/visitors.NEW_VISITORS_PER_ADDRESS visitors to a page an hour. Not
counted: bots (today's rules and ua-parser's crawlers), prefetch and
prerender, HEAD, and a creator looking at their own page. A process that is
killed loses the visits of its last FLUSH_SECONDS at most (see
docs/operations.md).
"""

import atexit
import functools
import logging
import math
import os
import re
import sys
import threading
import time
import uuid
from collections import Counter, OrderedDict, defaultdict, deque
from datetime import UTC, date, datetime, timedelta
from importlib import import_module

import redis
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.db import IntegrityError, connections, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from pages import cache as page_cache
from pages.models import Link, Page, may_sync
from stats import audience, metrics, uniques, visitors
from stats.models import DailyCount, HourlyCount

# Searched in the lowered user agent: with re.IGNORECASE it costs 16 times as much.
BOT_PATTERN = re.compile(
    r"bot|crawl|spider|slurp|preview|fetch|scan|monitor|curl|wget|python|httpclient|java/|"
    r"go-http|headless|lighthouse|pingdom|facebookexternalhit|whatsapp|embedly|okhttp"
)
logger = logging.getLogger(__name__)
# Redis refused or silent: counts stay in the process until it is back.
REDIS_OUTAGE = (redis.ConnectionError, redis.TimeoutError)

COUNTER_SECONDS = 3 * 3600
LAST_FLUSH_KEY = "pages:views:flushed"
FLUSH_SECONDS = 10
# Visits classified and stored in one go; the thread lets the process's
# requests run between batches.
BATCH = 2000
# About 20 MB of visits waiting: a minute of the most one process can serve.
MAX_WAITING = 50_000
MAX_PENDING = 100_000

VIEW_WINDOW_SECONDS = 30 * 60
CLICK_WINDOW_SECONDS = 30
SEEN_MAX = 100_000
# Distinct sources, devices, browsers or languages kept per page and day;
# the rest count as "other", so made-up referrers cannot fill the table.
MAX_SUBJECTS = 50
OTHER = "other"
BREAKDOWNS = ("source", "device", "browser", "language")
HOURS_KEPT = 48

_waiting = deque()  # visits counted, not classified yet
_pending = Counter()  # (page id, hour, metric, subject) -> count, classified, not stored yet
_unique = []  # (page id, hour, visitor hash) of classified views, not told apart yet
_seen = OrderedDict()  # hash((metric, page id, subject, visitor)) -> until when it is not counted
_lock = threading.Lock()
_flush_lock = threading.Lock()  # one flush at a time in a process
_flusher = [None]  # this process's flushing thread, once started
_failing = set()  # the kinds of failure logged and not over yet


def is_human(request):
    """A best guess that the request comes from a person's browser, asking
    for the page itself (not prefetching or prerendering it). Cheap: the
    crawlers only ua-parser knows are dropped when the visit is classified."""
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
    return bool(agent) and not BOT_PATTERN.search(agent.lower())


def is_bot(agent):
    """Whether a user agent is a bot, a crawler or a script (by our rules or ua-parser's)."""
    return not _is_browser(agent) or audience.is_crawler(agent)


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


def count_view(page_id, request=None):
    """Count one view of the page, at most one per visitor (stats/visitors.py)
    and VIEW_WINDOW_SECONDS in this process; returns whether it counts."""
    return _count(request, "views", page_id, "", VIEW_WINDOW_SECONDS)


def count_click(link, request=None):
    """One click on a link (the caller has checked it is a person), at most
    one per visitor and link every CLICK_WINDOW_SECONDS; returns whether it counts."""
    return _count(request, "link_clicks", link.page_id, str(link.pk))


def count_video_link_click(video, request=None):
    """A click on the link under a video, with the same once-per-visitor rule."""
    return _count(request, "video_link_clicks", video.page_id, video.external_id)


def count_play(video, request=None):
    """A video played in place on the page, with the same once-per-visitor rule."""
    return _count(request, "video_plays", video.page_id, video.external_id)


def _count(request, metric, page_id, subject, window=CLICK_WINDOW_SECONDS):
    try:
        return _append(request, metric, page_id, subject, window)
    except Exception:  # counting never costs a visitor their page or their link
        _failed("count", "Could not count a visit")
        return False


def _append(request, metric, page_id, subject, window):
    now = time.time()
    visitor, details = "", None
    if request is not None:
        # A view's visitor is of the page; a click's, of the site (stats/visitors.py).
        visitor = visitors.visitor_hash(request, now, about=page_id if metric == "views" else "")
        meta = request.META
        details = (
            meta.get("HTTP_USER_AGENT", "")[:1000],
            meta.get("HTTP_REFERER", "")[:1000],
            request.GET.get("utm_source", "")[:100] if meta.get("QUERY_STRING") else "",
            meta.get("HTTP_ACCEPT_LANGUAGE", "")[:200],
        )
    # An int, not a tuple, so that the garbage collector has nothing to walk.
    seen = hash((metric, page_id, subject, visitor))
    until = _seen.get(seen)
    if until is not None and until > now:
        return False
    if request is not None and not visitors.admits(request, page_id, now):
        return False
    with _lock:
        if len(_waiting) >= MAX_WAITING:
            _failed("full", "Too many visits wait to be counted; the newest are not counted")
            return False
        _seen[seen] = now + window
        _seen.move_to_end(seen)
        while len(_seen) > SEEN_MAX:
            _seen.popitem(last=False)
        _waiting.append((metric, page_id, subject, now, visitor, details))
    if _flusher[0] is None:
        _start_flusher()
    return True


def _start_flusher():
    """Start this process's flushing thread, unless settings keep counts for
    an explicit write_pending() (the tests)."""
    if not settings.COUNTS_FLUSH_THREAD:
        return
    with _lock:
        if _flusher[0] is None:
            stop = threading.Event()
            thread = threading.Thread(target=_flush_until, args=(stop,), name="counts", daemon=True)
            _flusher[0] = (thread, stop)
            thread.start()


def _flush_until(stop):
    while not stop.wait(FLUSH_SECONDS):
        try:
            write_pending()
        except Exception:  # the thread must outlive any failure
            _failed("flush", "Could not store counted visits; they are kept for the next try")
        finally:
            connections.close_all()  # this thread's own connections


def stop_flushing():
    """Stop this process's flushing thread (after the flush it may be in) and
    store what is left: at exit, and in tests."""
    running = _flusher[0]
    _flusher[0] = None
    if running is not None:
        thread, stop = running
        stop.set()
        thread.join(timeout=FLUSH_SECONDS)
    write_pending()


def _after_fork():
    """A forked child (a gunicorn worker) starts with no thread and counts its
    own visits only: what the parent counted is the parent's to store."""
    _flusher[0] = None
    _waiting.clear()
    _pending.clear()
    _unique.clear()


os.register_at_fork(after_in_child=_after_fork)


def _failed(kind, message):
    """Log a failure the first time it happens, not on every visit or flush
    (a Redis outage is logged by the cache itself, once)."""
    error = sys.exc_info()[1]
    if kind not in _failing and not isinstance(error, REDIS_OUTAGE):
        _failing.add(kind)
        logger.error(message, exc_info=error is not None)


def _recovered(kind):
    if kind in _failing:
        _failing.discard(kind)
        logger.warning("Counting recovered: %s", kind)


def write_pending(minute=None):
    """Classify and store what this process counted, BATCH visits at a time;
    returns how many views were stored. What could not be stored waits for
    the next call."""
    with _flush_lock:
        stored = 0
        while True:
            with _lock:
                batch = [_waiting.popleft() for _ in range(min(BATCH, len(_waiting)))]
            if len(batch) < BATCH:
                _recovered("full")
            _classify(batch)
            views, done = _store(minute)
            stored += views
            if not done or len(batch) < BATCH:
                return stored
            time.sleep(0)  # the process's requests go first


def _classify(batch):
    """Turn visits into counts (into _pending) and views to tell apart (into _unique)."""
    own_host = settings.SITE_URL.split("//", 1)[-1].split("/", 1)[0].split(":", 1)[0].lower()
    counts, unique, once = Counter(), [], []
    for visit in batch:
        metric, page_id, subject, now, visitor, _ = visit
        try:
            found = _classify_one(visit, own_host)
        except Exception:
            _failed("classify", "Could not classify a visit; it counts under 'other'")
            found = _unclassified(visit)
        if not found:  # a crawler
            continue
        if metric != "views" and visitor:
            once.append((visit, found))
            continue
        counts.update(found)
        if metric == "views" and visitor:
            unique.append((page_id, _hour(now), visitor))
    for found in _not_seen_elsewhere(once):
        counts.update(found)
    with _lock:
        for key, n in counts.items():
            if key in _pending or len(_pending) < MAX_PENDING:
                _pending[key] += n
            else:
                _failed("pending", "Too many counts wait to be stored; new ones are dropped")
        _unique.extend(unique[: max(0, MAX_WAITING - len(_unique))])


def _classify_one(visit, own_host):
    metric, page_id, subject, now, _, details = visit
    hour = _hour(now)
    if details is None:  # counted without a request (a script, a test)
        return {(page_id, hour, metric, subject): 1}
    agent, referer, utm, languages = details
    if is_bot(agent):
        return {}
    counts = {(page_id, hour, metric, subject): 1}
    if metric == "views":
        counts[(page_id, hour, "source", audience.source(referer, agent, utm, own_host))] = 1
        counts[(page_id, hour, "device", audience.device(agent))] = 1
        counts[(page_id, hour, "browser", audience.browser(agent))] = 1
        counts[(page_id, hour, "language", audience.language(languages))] = 1
    return counts


def _unclassified(visit):
    """The counts of a visit that could not be classified: a person's, under "other"."""
    metric, page_id, subject, now, _, _ = visit
    hour = _hour(now)
    counts = {(page_id, hour, metric, subject): 1}
    if metric == "views":
        counts.update({(page_id, hour, breakdown, OTHER): 1 for breakdown in BREAKDOWNS})
    return counts


def _not_seen_elsewhere(once):
    """The counts of the clicks and plays no other process counted within
    their window (Redis: one SET NX each, in one pipeline). Without Redis, or
    when it fails, this process's own window is all there is."""
    if not once or not counts_in_cache() or not page_cache.reachable():
        return [found for _, found in once]
    try:
        pipe = _redis().pipeline(transaction=False)
        now = time.time()
        for (metric, page_id, subject, at, visitor, _), _ in once:
            key = cache.make_and_validate_key(f"pages:once:{metric}:{page_id}:{subject}:{visitor}")
            seconds = max(1, math.ceil(at + CLICK_WINDOW_SECONDS - now))
            pipe.set(key, 1, nx=True, ex=seconds)
        first = pipe.execute()
        _recovered("once")
    except Exception:
        _failed("once", "Could not check clicks against other processes; counted as they came")
        return [found for _, found in once]
    return [found for (_, found), new in zip(once, first, strict=True) if new]


def _store(minute):
    """Tell the unique visitors, then store the counts; returns the views
    stored and whether everything was."""
    _tell_apart()
    with _lock:
        counts = Counter(_pending)
        _pending.clear()
    if not counts:
        return 0, True
    views = _views_in(counts)
    try:
        store_counts(counts, minute)
        _recovered("store")
        _recovered("pending")
    except Exception:
        _failed("store", "Could not store counted visits; they are kept for the next try")
        with _lock:
            _pending.update(counts)  # only those not stored yet (store_counts pops the rest)
        return views - _views_in(counts), False
    return views, True


def _tell_apart():
    """Count the first views of the day's visitors among those classified (into _pending)."""
    with _lock:
        unique = list(_unique)
        _unique.clear()
    if not unique:
        return
    try:
        if not counts_in_cache():
            new = uniques.new_in_memory(unique, visitors.day_of())
        elif page_cache.reachable():
            new = uniques.add(unique, _redis())
        else:
            raise redis.ConnectionError("Redis is away; the visitors wait in this process")
        _recovered("visitors")
    except Exception:
        _failed("visitors", "Could not tell unique visitors; they are kept for the next try")
        with _lock:
            _unique[:0] = unique[: max(0, MAX_WAITING - len(_unique))]
        return
    with _lock:
        for (page_id, hour), n in new.items():
            _pending[(page_id, hour, "visitors", "")] += n


def _views_in(counts):
    return sum(n for key, n in counts.items() if key[2] == "views")


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


atexit.register(stop_flushing)


def forget_page(page_id):
    """Drop this process's uncounted visits and remembered visitors of a page
    that is being deleted."""
    with _lock:
        for key in [key for key in _pending if key[0] == page_id]:
            del _pending[key]
        kept = [visit for visit in _waiting if visit[1] != page_id]
        _waiting.clear()
        _waiting.extend(kept)
        _unique[:] = [visit for visit in _unique if visit[0] != page_id]
    uniques.forget_page(page_id)


def forget_cached_counts(page_id):
    """Drop a deleted page's counts still waiting in Redis's minute hashes,
    and its days of unique visitors."""
    if not counts_in_cache():
        return
    client = _redis()
    uniques.forget_page(page_id, client, visitors.day_of())
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
            if metric in metrics.HOURLY:
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


def store_views():
    """Scheduler job: store the counted views (`flush_views`). Listed before
    the sync schedule's job, so the pages visitors found stale are due in
    the same run."""
    views = flush_views()
    return f"{views} views counted" if views else ""


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
    marks = {}  # (page id, day) -> the last hour it got unique visitors in this minute
    for key in [key for key in counts if key[2] == "visitors"]:
        page_id, hour = key[0], key[1]
        marks[(page_id, hour // 24)] = max(hour, marks.get((page_id, hour // 24), hour))
        del counts[key]
    views = _views_in(counts)
    try:
        add_counts(counts)
        _settle_visitors(marks, client)
    except Exception:
        logger.exception("Could not store counted views; they are kept for the next flush")
        counts.update({(page_id, hour, "visitors", ""): 1 for (page_id, _), hour in marks.items()})
        store_counts(counts, current)  # what is left, into a minute still to come
        views -= _views_in(counts)
    client.delete(claimed)
    return views


def _settle_visitors(marks, client):
    """Set each marked page's day of unique visitors from its HyperLogLog,
    never lower than what is stored (so running it again changes nothing);
    what it adds goes to the hourly count of the mark's hour. Each page's day
    leaves `marks` once committed."""
    for (page_id, day), estimate in uniques.estimates(marks, client).items():
        hour = marks[(page_id, day)]
        with transaction.atomic():
            if Page.objects.filter(pk=page_id).exists():  # not deleted meanwhile
                rise = _raise_daily(page_id, _day_of_hour(hour), "visitors", estimate)
                if rise:
                    moment = datetime.fromtimestamp(hour * 3600, UTC)
                    _add_hourly(page_id, moment, "visitors", rise)
        del marks[(page_id, day)]


def _raise_daily(page_id, day, metric, count):
    """Raise a page total of a day to `count` if it is lower; returns the rise."""
    rows = DailyCount.objects.select_for_update().filter(
        page_id=page_id, day=day, metric=metric, subject=""
    )
    row = rows.first()
    if row is None:
        try:
            with transaction.atomic():
                DailyCount.objects.create(page_id=page_id, day=day, metric=metric, count=count)
            return count
        except IntegrityError:  # another flusher made the row meanwhile
            row = rows.get()
    if row.count >= count:
        return 0
    rows.update(count=count)
    return count - row.count


def purge_old_counts(now=None):
    """Scheduler job: drop daily rows older than STATS_RETENTION_DAYS and
    hourly rows older than 48 hours; returns what it did, for the log."""
    now = now or timezone.now()
    oldest_day = now.date() - timedelta(days=settings.STATS_RETENTION_DAYS)
    daily, _ = DailyCount.objects.filter(day__lt=oldest_day).delete()
    hourly, _ = HourlyCount.objects.filter(hour__lt=now - timedelta(hours=HOURS_KEPT)).delete()
    return f"{daily} daily and {hourly} hourly counts purged" if daily or hourly else ""
