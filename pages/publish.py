"""What follows a change a visitor could notice on a page: a new version, the
cache's state of it, a purge at the CDN and, when what it shows changed, its
share picture.

Whoever changes a page (the editor, the sync, the admin, a suspension, a new
address) calls `page_changed` once the change is saved; the models only hold
the state, so nothing below this module reaches up into the cache, the CDN or
the background tasks.
"""

from django.db import transaction
from django.db.models import F

from pages import cache as page_cache
from pages import cdn
from pages.media import share_image
from pages.models import Page


def page_changed(page, *, old_slugs=()):
    """Mark the page changed: the next view renders it afresh, a CDN in front
    forgets it (with its images, when it is suspended, and at the addresses
    it left, `old_slugs`) and its share picture follows."""
    Page.objects.filter(pk=page.pk).update(version=F("version") + 1)
    page.refresh_from_db(fields=["version"])
    page_cache.publish_after_commit(page.pk)
    cdn.purge_after_commit(page, with_images=page.is_suspended, old_slugs=old_slugs)
    queue_share_image(page)


def queue_share_image(page):
    """Once committed, have the share picture made if it no longer shows the page."""
    if not share_image.is_current(page):
        transaction.on_commit(lambda: share_image.render_share_image.enqueue(page.pk))
