"""What a CDN in front of the site needs: how long it may keep a public page,
the key each response is tagged with, and a purge when a page changes.

Every response of a page (its screens, its images) carries the page's key
(`page-<id>`) in the CDN_KEY_HEADER, so a CDN that purges by key drops them
all at once; one that purges by address gets the page's addresses, and its
images' when the page stops being shown (suspended, deleted).

A purge is sent from the background worker (the `purge_cdn` task), queued
once the change is committed: a slow or failing CDN never delays or breaks a
save. The backends are in pages/purges.py.
"""

import logging
import re

from django.conf import settings
from django.db import transaction

from pages.models import MAX_SCREEN
from pages.purges import purge_cdn

logger = logging.getLogger(__name__)


def key_of(page_id):
    return f"page-{page_id}"


def tag(response, page_id):
    """Tag a response with its page's key, for a purge by key."""
    if settings.CDN_KEY_HEADER:
        response[settings.CDN_KEY_HEADER] = key_of(page_id)


# The addresses page_addresses() lists and a purge reaches: no query, or ?page=N.
_PURGED_QUERY = re.compile(r"(page=[1-9][0-9]{0,2})?")


def public_cache_control(query=""):
    """Browsers keep a page briefly; a shared cache longer, and may serve it
    a little stale while it fetches anew, or much staler while the site is down.

    Only at the addresses a purge reaches: a copy under any other query
    (`?utm_source=…`, `?x=1`) would outlive edits and a suspension at the CDN,
    so it is for the browser alone."""
    if not _PURGED_QUERY.fullmatch(query) or query == "page=1":
        return f"private, max-age={settings.PAGE_BROWSER_CACHE_SECONDS}"
    return (
        f"public, max-age={settings.PAGE_BROWSER_CACHE_SECONDS}, "
        f"s-maxage={settings.PAGE_CDN_CACHE_SECONDS}, "
        f"stale-while-revalidate={settings.PAGE_STALE_WHILE_REVALIDATE_SECONDS}, "
        f"stale-if-error={settings.PAGE_STALE_IF_ERROR_SECONDS}"
    )


def page_addresses(slug):
    """Every address a CDN may hold a page's screens under."""
    base = f"{settings.SITE_URL}/@{slug}"
    return [base] + [f"{base}?page={n}" for n in range(2, MAX_SCREEN + 1)]


def purge_of(page, *, with_images=False, old_slugs=()):
    """(keys, urls) to purge for a page. Its images' addresses only when it
    stops being shown: live images never change under their names."""
    urls = []
    for slug in [page.slug, *old_slugs]:
        urls += page_addresses(slug)
    if with_images:
        files = [page.avatar] + [video.cover for video in page.videos.all()]
        urls += [settings.SITE_URL + file.url for file in files if file]
    return [key_of(page.pk)], urls


def purge_after_commit(page, **kwargs):
    """Queue one purge of the page once the change is committed (no-op
    without a CDN_PURGE_BACKEND)."""
    if not settings.CDN_PURGE_BACKEND:
        return
    keys, urls = purge_of(page, **kwargs)
    page_id = page.pk
    transaction.on_commit(lambda: _enqueue(page_id, keys, urls))


def _enqueue(page_id, keys, urls):
    try:
        purge_cdn.enqueue(page_id, keys, urls)
    except Exception:
        logger.exception("CDN purge of page %s could not be queued", page_id)
