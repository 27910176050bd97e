"""`manage.py rebuild_media [--dry-run] [slug …]`: find every mirrored image
the storage lost (pages/sync/lost_images.py) and have it made again: avatars and
covers by a sync of their page (queued by the scheduler as TikTok's budget
allows), share pictures and link icons by their background tasks."""

from collections import Counter

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from pages import publish
from pages.models import Page
from pages.sync import lost_images


class Command(BaseCommand):
    help = "Find the mirrored images the storage lost and have them made again."

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", help="only these pages (all by default)")
        parser.add_argument(
            "--dry-run", action="store_true", help="count what is lost, change nothing"
        )

    def handle(self, *args, slugs, dry_run, **options):
        pages = Page.objects.order_by("pk")
        if slugs:
            pages = pages.filter(slug__in=slugs)
        found, unreadable = Counter(), 0
        for page in pages.iterator(chunk_size=200):
            found["pages"] += 1
            lost = lost_images.find(page, shown_only=False)
            if lost is None:
                unreadable += 1
                continue
            if not lost:
                continue
            found["pages with lost images"] += 1
            found["avatars"] += lost.avatar
            found["covers"] += len(lost.covers)
            found["share pictures"] += lost.share_image
            found["icons"] += len(lost.icons)
            if not dry_run:
                found["pages to sync"] += self._rebuild(page, lost)
        self._summary(found, dry_run)
        if unreadable:
            raise CommandError(
                f"The storage could not be listed for {unreadable} pages (see the log): "
                "run the command again once it answers."
            )

    def _rebuild(self, page, lost):
        """Forget the page's lost images and have them made; True when that
        takes a sync (avatar or covers: only TikTok has them)."""
        now = timezone.now()
        with transaction.atomic():
            lost_images.forget(page, lost)
            # Visitors see no broken picture meanwhile; the share picture is queued.
            publish.page_changed(page)
            if not (lost.avatar or lost.covers):
                return False
            Page.objects.filter(pk=page.pk, sync_due_at__gt=now).update(sync_due_at=now)
        return True

    def _summary(self, found, dry_run):
        counts = ", ".join(
            f"{found[kind]} {kind}" for kind in ("avatars", "covers", "share pictures", "icons")
        )
        self.stdout.write(
            f"Looked at {found['pages']} pages; {found['pages with lost images']} lost images: "
            f"{counts}."
        )
        if dry_run:
            self.stdout.write("Dry run: nothing was changed.")
            return
        if found["pages with lost images"]:
            self.stdout.write(
                f"{found['pages to sync']} pages are due for a sync that mirrors their avatar "
                "and covers again (the scheduler queues them as TikTok's budget allows; a "
                "paused, disconnected or suspended page's come back when it syncs again). "
                "Share pictures and icons are queued."
            )
