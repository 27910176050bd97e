"""When links' site icons are fetched (pages/icons/favicons.py fetches them), kept
within what the icon worker can take whatever a creator does:

- the fetches have a queue of their own, `icons`, with its own worker
  (`manage.py db_worker --queue-name icons`): a site that makes a fetch wait
  its full deadline delays other icons, never a sync, a CDN purge or a share
  picture;
- one fetch per site is queued at a time: it stores the icon for every link
  waiting for that site, whoever's page it is on;
- a creator queues at most LINK_ICONS_PER_CREATOR_HOUR fetches a clock hour.
  Links beyond (and any whose fetch could not be queued) wait for the
  scheduler's hourly `queue_missing_icons`, which keeps to the same limits.

The counts live in the cache: exact with Redis, close enough with the file
cache (whose increments can race), and an outage of the cache only delays
icons to the next hourly run.
"""

import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from pages.icons import favicons
from pages.icons.favicons import mirror_link_icon
from pages.models import Link
from pages.safety.links import link_host

logger = logging.getLogger(__name__)

# A queued fetch's mark outlives it only if its worker is down or it was
# lost: then the next hourly run queues the site again.
PENDING_SECONDS = 3600


def queue_icon(link):
    """Once committed, queue the fetch of the link's site icon if it wants one."""
    if settings.LINK_ICONS and link.wants_icon():
        transaction.on_commit(lambda: queue_now(link), robust=True)


def queue_now(link):
    """Queue the fetch unless one for the link's site is pending or its
    creator's hour is used up; True when queued."""
    count_key = f"pages:icons-queued:{link.page_id}:{int(time.time() // 3600)}"
    if cache.get(count_key, 0) >= settings.LINK_ICONS_PER_CREATOR_HOUR:
        return False
    host = link_host(link.url)
    if not cache.add(favicons.pending_key(host), 1, PENDING_SECONDS):
        return False
    cache.add(count_key, 0, 3600)
    cache.incr(count_key)
    try:
        mirror_link_icon.enqueue(link.pk, host)
    except Exception:
        logger.exception("Could not queue the icon fetch of link %s", link.pk)
        favicons.release(host)
        return False
    return True


def queue_missing_icons(limit=100):
    """The scheduler's job: queue the icon fetch of web links never checked
    (added before icons existed, beyond their creator's hourly share, or
    while the queue was down); returns how many fetches were queued."""
    if not settings.LINK_ICONS:
        return 0
    waiting = Link.objects.filter(
        kind=Link.LINK, emoji="", icon_checked_at__isnull=True, url__iregex=r"^https?://"
    ).only("pk", "page_id", "url")[:limit]
    return sum(queue_now(link) for link in waiting)
