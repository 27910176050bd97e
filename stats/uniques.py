"""A page's unique visitors a day, in memory that does not grow with them.

With Redis, each page has one HyperLogLog a day (`PFADD` of the visitor's
hash, which is keyed by the day's salt and the page: stats/visitors.py).
Whatever the number of visitors, it takes at most 12 KB, and its count
(`PFCOUNT`) is within 0.81% of the truth (the standard error of Redis's
16,384 registers; small counts are near exact). The counting flush marks
which pages and days got visitors, and the scheduler's flush sets the day's
"visitors" count from PFCOUNT, never lower than what is stored, so running
it twice changes nothing (stats/counting.py).

Without Redis (development, a small site on the file cache), each process
remembers the visitors it saw on each page today and yesterday, up to
MAX_REMEMBERED in all (past the bound, a visitor counts as new),
and adds the new ones to the day's count: a visitor served by two processes
counts once in each. None of this goes into the file cache, where it would
push out the entries that must stay (the day's salt, the limits).
"""

import threading

from django.core.cache import cache

DAY = 86400
# Kept two days past its own: a flush that runs late after midnight still finds it.
KEPT_AFTER_DAY = 2 * DAY
MAX_REMEMBERED = 200_000

_remembered = {}  # (page id, day) -> the visitor hashes seen there, in this process
_size = [0]
_lock = threading.Lock()


def day_of_hour(hour):
    return hour // 24


def _key(page_id, day):
    return cache.make_and_validate_key(f"pages:uv:{page_id}:{day}")


def add(visits, client):
    """Record visits, (page id, hour, visitor hash) each, in one pipeline;
    returns {(page id, hour): 1} for the pages and hours that got some, the
    marks that tell the scheduler which days' counts to set."""
    by_key = {}
    marks = {}
    for page_id, hour, visitor in visits:
        by_key.setdefault((page_id, day_of_hour(hour)), []).append(visitor)
        marks[(page_id, hour)] = 1
    pipe = client.pipeline(transaction=False)
    for (page_id, day), hashes in by_key.items():
        key = _key(page_id, day)
        pipe.pfadd(key, *hashes)
        pipe.expireat(key, (day + 1) * DAY + KEPT_AFTER_DAY)
    pipe.execute()
    return marks


def estimates(page_days, client):
    """{(page id, day): unique visitors} from the days' HyperLogLogs, in one pipeline."""
    page_days = list(page_days)
    pipe = client.pipeline(transaction=False)
    for page_id, day in page_days:
        pipe.pfcount(_key(page_id, day))
    return dict(zip(page_days, pipe.execute(), strict=True))


def new_in_memory(visits, today):
    """How many of the visits, (page id, hour, visitor hash) each, are a
    visitor's first on that page that day, as {(page id, hour): n}."""
    new = {}
    with _lock:
        for key in [key for key in _remembered if key[1] < today - 1]:  # yesterday's may come late
            _size[0] -= len(_remembered.pop(key))
        for page_id, hour, visitor in visits:
            seen = _remembered.setdefault((page_id, day_of_hour(hour)), set())
            if visitor in seen:
                continue
            if _size[0] < MAX_REMEMBERED:
                seen.add(visitor)
                _size[0] += 1
            new[(page_id, hour)] = new.get((page_id, hour), 0) + 1
    return new


def forget_page(page_id, client=None, today=None):
    """Drop what is known of a page's visitors (the page is being deleted)."""
    with _lock:
        for key in [key for key in _remembered if key[0] == page_id]:
            _size[0] -= len(_remembered.pop(key))
    if client is not None:
        client.delete(*[_key(page_id, day) for day in (today - 1, today)])


def forget_all():
    """Drop every visitor this process remembers (tests, and a cleared cache)."""
    with _lock:
        _remembered.clear()
        _size[0] = 0
