"""Counting visits without cookies, without IP addresses and without bots.

A page view only increments a per-minute counter in the cache (the warm path
never writes to the database); `flush_views()`, run by the scheduler, adds the
finished minutes to PageStat and notes which pages are being visited, which is
what makes a page refresh often instead of daily.
"""

import re
import time
from datetime import UTC, datetime

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F

BOT_PATTERN = re.compile(
    r"bot|crawl|spider|slurp|preview|fetch|scan|monitor|curl|wget|python|httpclient|java/|"
    r"go-http|headless|lighthouse|pingdom|facebookexternalhit|whatsapp|embedly|okhttp",
    re.IGNORECASE,
)
COUNTER_SECONDS = 3 * 3600
LAST_FLUSH_KEY = "pages:views:flushed"


def is_human(request):
    """A best guess that the request comes from a person's browser."""
    agent = request.headers.get("User-Agent", "")
    if not agent or BOT_PATTERN.search(agent):
        return False
    purpose = request.headers.get("Sec-Purpose", "") + request.headers.get("Purpose", "")
    return "prefetch" not in purpose.lower()


def _minute(now=None):
    return int((time.time() if now is None else now) // 60)


def _views_key(page_id, minute):
    return f"pages:views:{page_id}:{minute}"


def count_view(page_id, now=None):
    """Add one view to the page's counter of the current minute."""
    key = _views_key(page_id, _minute(now))
    cache.add(key, 0, COUNTER_SECONDS)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, COUNTER_SECONDS)


def add_to_day(page_id, day, *, views=0, clicks=0):
    from pages.models import PageStat

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


def count_click(link):
    """One click on a link (the caller has checked it is a person)."""
    from pages.models import Link

    Link.objects.filter(pk=link.pk).update(clicks=F("clicks") + 1)
    add_to_day(link.page_id, datetime.now(UTC).date(), clicks=1)


def flush_views(now=None):
    """Move finished minutes of view counters into PageStat; returns views moved."""
    from pages.models import Page

    current = _minute(now)
    first = cache.get(LAST_FLUSH_KEY, current - 60) + 1
    minutes = range(max(first, current - 60), current)
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
    cache.set(LAST_FLUSH_KEY, current - 1, None)
    return moved
