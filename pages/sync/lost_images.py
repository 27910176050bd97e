"""Mirrored images that the storage no longer has (a bucket emptied or
restored from an older copy, a disk replaced), found and made again.

Each page keeps its images in one folder (pages/media/files.py), so one listing of
that folder (one request to a bucket) tells which of the images the page
refers to are gone. A reference to a lost image is forgotten, and what makes
the image makes it again: the next sync mirrors an avatar or a cover it
finds missing, the share picture is made when it no longer matches the page,
and an icon is fetched for a link never checked. A sync looks once a day per
page at the images it shows (`check_due`); `manage.py rebuild_media` looks at
every image of every page.
"""

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from pages.icons import icon_queue
from pages.media import files as media
from pages.models import Link, Page, RetiredImage, Video

logger = logging.getLogger(__name__)

CHECK_SECONDS = 24 * 3600


@dataclass
class Lost:
    """What a page refers to that its storage does not have."""

    avatar: bool = False
    share_image: bool = False
    covers: list = field(default_factory=list)  # Video ids
    icons: list = field(default_factory=list)  # Link ids

    def __bool__(self):
        return self.avatar or self.share_image or bool(self.covers or self.icons)


def check_due(page, now):
    """Whether a sync at `now` should look for the page's lost images."""
    checked = page.media_checked_at
    return checked is None or checked <= now - timedelta(seconds=CHECK_SECONDS)


def find(page, *, shown_only=True):
    """The page's lost images (of those a visitor sees, or all of them), or
    None when the storage cannot be read now (nothing can be told then)."""
    folder = media.folder_of(page.pk)
    try:
        _, names = default_storage.listdir(folder)
    except FileNotFoundError:
        names = []
    except Exception:
        logger.warning("The images of page %s could not be listed", page.pk, exc_info=True)
        return None
    present = {f"{folder}/{name}" for name in names}
    videos = page.visible_videos() if shown_only else page.videos.all()
    links = page.visible_links() if shown_only else page.links.all()
    return Lost(
        avatar=bool(page.avatar) and page.avatar.name not in present,
        share_image=bool(page.share_image) and page.share_image.name not in present,
        covers=[v.pk for v in videos if v.cover and v.cover.name not in present],
        icons=[link.pk for link in links if link.icon and link.icon.name not in present],
    )


def forget(page, lost):
    """Drop the references to the lost images, so that what makes each image
    makes it again: a sync (avatar, covers), the icon fetch (queued here),
    the share picture's task (queued by the caller's `publish.page_changed`
    or `publish.queue_share_image`)."""
    if lost.avatar:
        page.avatar, page.avatar_source = "", ""
    if lost.share_image:
        page.share_image = ""
    fields = ["avatar", "avatar_source"] * lost.avatar + ["share_image"] * lost.share_image
    if fields:
        page.save(update_fields=fields)
    Video.objects.filter(page=page, pk__in=lost.covers).update(cover="", cover_source="")
    Link.objects.filter(page=page, pk__in=lost.icons).update(icon="", icon_checked_at=None)
    for link in Link.objects.filter(page=page, pk__in=lost.icons):
        icon_queue.queue_icon(link)


def retire(page, name):
    """The page no longer shows this image file: it goes once pages cached
    before now have expired (`delete_retired`), not while one still shows it."""
    RetiredImage.objects.create(page=page, name=name, retired_at=timezone.now())


def retired_grace_seconds():
    """How long a replaced image stays: as long as a browser or a CDN may keep
    a page that still shows it, and an hour more."""
    return max(settings.PAGE_BROWSER_CACHE_SECONDS, settings.PAGE_CDN_CACHE_SECONDS) + 3600


def delete_retired(page, now):
    """Delete the page's replaced images that no cached page shows any more;
    True when a file goes (the page is then published anew, so no process
    keeps serving it from memory: they keep images by the page's version)."""
    since = now - timedelta(seconds=retired_grace_seconds())
    deleted = False
    for retired in RetiredImage.objects.filter(page=page, retired_at__lte=since):
        if retired.name == page.avatar.name or page.videos.filter(cover=retired.name).exists():
            retired.keep_file = True  # shown again (the same picture, the same name)
        else:
            deleted = True  # its file goes after the commit (pages/signals.py)
        retired.delete()
    return deleted


def check(page, now):
    """The sync's daily look at the images the page shows: forget the lost
    ones (the sync then mirrors them again); True when some were lost."""
    lost = find(page)
    if lost is None:
        return False
    Page.objects.filter(pk=page.pk).update(media_checked_at=now)
    if lost:
        logger.warning("Page %s: images lost from the storage are made again: %s", page.pk, lost)
        with transaction.atomic():
            forget(page, lost)
    return bool(lost)
