"""The cache in front of the public pages.

Two kinds of entries, both in the default (cross-process) cache:

- `pages:slug:<slug>`: what a visit needs to know about a page without
  touching the database: its id, canonical slug, version, when its snapshot
  goes stale, whether it is suspended. Missing slugs are remembered briefly.
- `pages:html:<id>:<version>:<screen>`: the rendered page. The version is in
  the key, so a bump makes every old entry unreachable at once.

Writers: `publish()` (after a version bump or a sync, with `cache.set`, so it
always wins) and the cold path of a view (with `cache.add`, so a view that
read the database just before a bump can never overwrite the newer state).
"""

import gzip
import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

MISSING_SECONDS = 60
REPAIR_SECONDS = 60


def slug_key(slug):
    return f"pages:slug:{slug.lower()}"


def html_key(page_id, version, screen):
    return f"pages:html:{page_id}:{version}:{screen}"


def state_of(page):
    """The cacheable facts about a page a warm view needs."""
    return {
        "id": page.pk,
        "slug": page.slug,
        "version": page.version,
        "stale_at": page.stale_at().timestamp(),
        "gone": page.is_suspended,
        "sync": page.can_sync(),
    }


def get_state(slug):
    """The cached state for a slug: a dict, "missing", or None when unknown."""
    return cache.get(slug_key(slug))


def remember_state(page, cached=None):
    """Store the state a cold view read from the database, never over a newer one.

    `cached` is what the view found in the cache: a different version there
    (a lost publish, a rolled back edit) is replaced, because the database is
    the truth; the publish after each commit has the last word.
    """
    state = state_of(page)
    if isinstance(cached, dict) and cached["id"] == page.pk and cached["version"] != page.version:
        # Short-lived: should this view have read the database just before a
        # bump, the newer state is back within a minute at worst.
        cache.set(slug_key(page.slug), state, REPAIR_SECONDS)
    else:
        cache.add(slug_key(page.slug), state, settings.PAGE_CACHE_SECONDS)


def remember_missing(slug):
    cache.add(slug_key(slug), "missing", MISSING_SECONDS)


def forget_slug(slug):
    cache.delete(slug_key(slug))


def publish(page_id):
    """Write a page's current state from the database (after a bump or a sync)."""
    from pages.models import Page  # a real cycle: the models publish through this module

    page = Page.objects.select_related("user").filter(pk=page_id).first()
    if page is not None:
        cache.set(slug_key(page.slug), state_of(page), settings.PAGE_CACHE_SECONDS)


def publish_after_commit(page_id):
    """Publish now (the creator's next view is fresh even inside a long
    transaction) and again once the change is committed."""
    publish(page_id)
    transaction.on_commit(lambda: publish(page_id))


def publish_pages_of(users):
    """Publish the pages of these users (a queryset or ids) once the change is committed."""
    from pages.models import Page  # a real cycle, as above

    for page_id in Page.objects.filter(user__in=users).values_list("pk", flat=True):
        publish_after_commit(page_id)


def get_html(page_id, version, screen):
    """(etag, body, valid_until timestamp or None, gzipped body) or None."""
    return cache.get(html_key(page_id, version, screen))


def store_html(page_id, version, screen, body, valid_until=None):
    digest = hashlib.blake2b(body, digest_size=6).hexdigest()
    etag = f'"p{page_id}-{version}-{screen}-{digest}"'
    compressed = gzip.compress(body, compresslevel=9, mtime=0)
    entry = (etag, body, valid_until.timestamp() if valid_until else None, compressed)
    cache.set(html_key(page_id, version, screen), entry, settings.PAGE_CACHE_SECONDS)
    return entry


def is_expired(entry, now=None):
    """Whether a scheduled link has appeared or gone since the entry was rendered."""
    valid_until = entry[2]
    now = now or timezone.now().timestamp()
    return valid_until is not None and now >= valid_until
