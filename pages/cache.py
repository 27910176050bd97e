"""The cache in front of the public pages.

Two kinds of entries, both in the default (cross-process) cache:

- `pages:slug:<slug>`: what a visit needs to know about a page without
  touching the database: its id, canonical slug, version, when its snapshot
  goes stale, whether it is suspended.
- `pages:slugs:generation`: changes whenever a page gets a new address.
- `pages:style:<name>`: a page with these colours was published or rendered
  lately, so its stylesheet may be kept for a year (public/views.py page_style).

Slugs with no page are remembered briefly in each process's memory, not in
the cache: a flood of made-up addresses would otherwise fill the cache and
push real pages out. A remembered miss holds only while the generation is
the one read before the database said "no such page".
- `pages:html:<release>:<id>:<version>:<screen>`: the rendered page. The
  version is in the key, so a bump makes every old entry unreachable at once;
  so is the release of the code (pages/release.py), so a deploy shows its own
  templates and stylesheets at once.

In each process's memory only, `pages:shown:<id>` says a page was found
shown (not suspended) at a given version, so its images need no query for
PAGE_MEMORY_CHECK_SECONDS (pages/media/files.py).

In front of both, each process keeps the pages it served lately in its own
memory (`_memory`, bounded by entries and bytes), so a warm visit usually
reads no shared cache at all. A remembered state is trusted for at most
PAGE_MEMORY_CHECK_SECONDS, then read again from the shared cache: after a
change, no process serves an older version for longer than that. Rendered
pages need no such check: their key holds the version, so a new version is
a different entry. This process's own writes update its memory at once.

Writers: `publish()` (after a version bump or a sync, with `cache.set`, so it
always wins) and the cold path of a view (with `cache.add`, so a view that
read the database just before a bump can never overwrite the newer state).
"""

import gzip
import hashlib
import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from pages import release
from pages.models import MAX_SCREEN, Page

MISSING_SECONDS = 60
MISSING_MAX = 10_000
GENERATION_KEY = "pages:slugs:generation"
REPAIR_SECONDS = 60

_missing = OrderedDict()  # slug -> (generation, monotonic deadline)
_missing_lock = threading.Lock()


class Memory:
    """A least-recently-used map bounded by entries and by bytes, safe across threads."""

    def __init__(self, max_entries, max_bytes):
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self.entries = OrderedDict()  # key -> (value, size)
        self.size = 0
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            found = self.entries.get(key)
            if found is None:
                return None
            self.entries.move_to_end(key)
            return found[0]

    def set(self, key, value, size=0):
        with self.lock:
            self._drop(key)
            if size > self.max_bytes or self.max_entries < 1:
                return
            self.entries[key] = (value, size)
            self.size += size
            while len(self.entries) > self.max_entries or self.size > self.max_bytes:
                self._drop(next(iter(self.entries)))

    def delete(self, key):
        with self.lock:
            self._drop(key)

    def clear(self):
        with self.lock:
            self.entries.clear()
            self.size = 0

    def _drop(self, key):
        found = self.entries.pop(key, None)
        if found is not None:
            self.size -= found[1]


_memory = Memory(settings.PAGE_MEMORY_ENTRIES, settings.PAGE_MEMORY_BYTES)
# Where each link led lately (public/views.py), for while the database cannot
# be read; bounded by entries (their sizes are 0).
_links = Memory(5000, 0)


def remember_link(key, target):
    _links.set(key, target)


def remembered_link(key):
    return _links.get(key)


def slug_key(slug):
    return f"pages:slug:{slug.lower()}"


def shown_key(page_id):
    return f"pages:shown:{page_id}"


def html_key(page_id, version, screen):
    return f"pages:html:{release.current()}:{page_id}:{version}:{screen}"


def style_key(name):
    return f"pages:style:{name}"


def _remember_style(page):
    """The stylesheet of the page's own colours is in use (see style_in_use)."""
    name = page.style_name()
    if name:
        cache.set(style_key(name), True, settings.PAGE_CACHE_SECONDS)


def style_in_use(name):
    """Whether a page with these colours was published or rendered within
    PAGE_CACHE_SECONDS: any name some page shows, since a page is rendered
    before its stylesheet is asked for. No query, and nothing stored for a
    name no page uses."""
    return bool(cache.get(style_key(name)))


def state_of(page):
    """The cacheable facts about a page a warm view needs."""
    return {
        "id": page.pk,
        "owner": page.user_id,
        "source": page.source,
        "slug": page.slug,
        "version": page.version,
        "stale_at": page.stale_at().timestamp(),
        "gone": page.is_suspended,
        "gone_for": page.suspended_for if page.is_suspended else "",
        "sync": page.can_sync(),
    }


def reachable():
    """False while the shared cache is known to be away (only Redis can be)."""
    return getattr(cache, "reachable", True)


def get_state(slug):
    """The cached state for a slug: a dict, or None when unknown. From this
    process's memory when it was read from the shared cache less than
    PAGE_MEMORY_CHECK_SECONDS ago, or while the shared cache is away."""
    key = slug_key(slug)
    remembered = _memory.get(key)
    if remembered is not None and time.monotonic() < remembered[1]:
        return remembered[0]
    state = cache.get(key)
    if state is None and remembered is not None and not reachable():
        return remembered[0]
    _remember(key, state)
    return state


def _remember(key, state):
    if isinstance(state, dict):
        _memory.set(key, (state, time.monotonic() + settings.PAGE_MEMORY_CHECK_SECONDS))
    else:
        _memory.delete(key)


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
    _remember_style(page)
    if reachable():
        # Whichever write won, the shared cache says what this process serves next.
        _memory.delete(slug_key(page.slug))
    else:
        # Nothing was written: until the cache is back, the database said it.
        _remember(slug_key(page.slug), state)


def shown_version(page_id):
    """The version of a shown page (one that exists, not suspended) as this
    process read it less than PAGE_MEMORY_CHECK_SECONDS ago, or None: its
    images need no query then."""
    remembered = _memory.get(shown_key(page_id))
    if remembered is not None and time.monotonic() < remembered[1]:
        return remembered[0]
    return None


def remember_shown(page_id, version):
    deadline = time.monotonic() + settings.PAGE_MEMORY_CHECK_SECONDS
    _memory.set(shown_key(page_id), (version, deadline))


def slug_generation():
    """Read before looking a slug up in the database (see remember_missing)."""
    return cache.get(GENERATION_KEY)


def is_missing(slug):
    """Whether this process saw lately that no page has this slug."""
    key = slug.lower()
    entry = _missing.get(key)
    if entry is None:
        return False
    generation, until = entry
    if time.monotonic() < until and generation == cache.get(GENERATION_KEY):
        return True
    with _missing_lock:
        _missing.pop(key, None)
    return False


def remember_missing(slug, generation):
    """Remember, in this process only, that no page had this slug when
    `generation` was current. Bounded: the oldest misses go first."""
    with _missing_lock:
        _missing[slug.lower()] = (generation, time.monotonic() + MISSING_SECONDS)
        _missing.move_to_end(slug.lower())
        while len(_missing) > MISSING_MAX:
            _missing.popitem(last=False)


def forget_missing():
    """Drop this process's remembered misses, pages and links (tests, and a cleared cache)."""
    with _missing_lock:
        _missing.clear()
    _memory.clear()
    _links.clear()


def forget_slug(slug):
    """A page got this slug (or lost it): every process looks it up again."""
    cache.delete(slug_key(slug))
    _memory.delete(slug_key(slug))
    cache.set(GENERATION_KEY, time.time_ns(), None)


def publish(page_id):
    """Write a page's current state from the database (after a bump or a sync)."""
    # A suspension stops the page's images in this process at once.
    _memory.delete(shown_key(page_id))
    page = Page.objects.select_related("user").filter(pk=page_id).first()
    if page is not None:
        state = state_of(page)
        cache.set(slug_key(page.slug), state, settings.PAGE_CACHE_SECONDS)
        _remember(slug_key(page.slug), state)
        _remember_style(page)


def publish_after_commit(page_id):
    """Publish now (the creator's next view is fresh even inside a long
    transaction) and, inside one, again once the change is committed."""
    publish(page_id)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: publish(page_id))


def publish_pages_of(users):
    """Publish the pages of these users (a queryset or ids) once the change is committed."""
    for page_id in Page.objects.filter(user__in=users).values_list("pk", flat=True):
        publish_after_commit(page_id)


def get_html(page_id, version, screen):
    """(etag, body, valid_until timestamp or None, gzipped body) or None."""
    key = html_key(page_id, version, screen)
    entry = _memory.get(key)
    if entry is None or is_expired(entry):
        # Not here, or a scheduled link came or went since: another process
        # may have rendered it again already.
        entry = cache.get(key)
        if entry is not None:
            _memory.set(key, entry, _size(entry))
    return entry


def _size(entry):
    return len(entry[1]) + len(entry[3]) + len(entry[0])


def store_html(page_id, version, screen, body, valid_until=None):
    digest = hashlib.blake2b(body, digest_size=6).hexdigest()
    etag = f'"p{page_id}-{version}-{screen}-{digest}"'
    compressed = gzip.compress(body, compresslevel=9, mtime=0)
    entry = (etag, body, valid_until.timestamp() if valid_until else None, compressed)
    key = html_key(page_id, version, screen)
    cache.set(key, entry, settings.PAGE_CACHE_SECONDS)
    _memory.set(key, entry, _size(entry))
    return entry


def is_expired(entry, now=None):
    """Whether a scheduled link has appeared or gone since the entry was rendered."""
    valid_until = entry[2]
    now = now or timezone.now().timestamp()
    return valid_until is not None and now >= valid_until


def forget_page(page_id, slug, version):
    """Drop everything the cache holds about a page, every version of it
    (the creator deleted their account): its state and its rendered screens.
    Its view counters are the stats app's to forget (stats/personal_data.py)."""
    forget_slug(slug)
    _memory.delete(shown_key(page_id))
    keys = [
        html_key(page_id, v, screen)
        for v in range(1, version + 1)
        for screen in range(1, MAX_SCREEN + 1)
    ]
    for start in range(0, len(keys), 1000):
        cache.delete_many(keys[start : start + 1000])
    for key in keys:
        _memory.delete(key)
