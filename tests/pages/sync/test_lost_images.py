"""Alice's pictures are lost from the storage (a bucket emptied, restored from
an older copy, a disk replaced), on local disk or an S3 bucket: her page's
next daily look puts them back, and `rebuild_media` puts back every lost
picture of every page, saying first what it would do."""

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.tasks import default_task_backend
from django.utils import timezone

from pages.media import share_image
from pages.media.share_image import render_share_image
from pages.sync import schedule as syncing
from pages.sync.tasks import sync_page
from tests.helpers import page_of, queued_pages, sync

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_storage", "empty_queue")]


def run_queued(task):
    """Run what is queued of one task, as a worker would, and empty the queue."""
    results = [r for r in default_task_backend.results if r.task.name == task.name]
    default_task_backend.clear()
    return [task.call(*r.args) for r in results]


def synced_with_share_picture(user):
    sync(user)
    page = page_of(user)
    share_image.refresh(page)
    default_task_backend.clear()
    return page_of(user)


def shown(page, visitor):
    """Whether each picture the public page refers to answers 200."""
    html = visitor.get(f"/@{page.slug}").content.decode()
    page = page_of(page.user)
    names = [page.avatar.name, page.share_image.name]
    names += [video.cover.name for video in page.visible_videos()]
    return all(
        name and f"/media/{name}" in html and visitor.get(f"/media/{name}").status_code == 200
        for name in names
    )


def lose(*names):
    for name in names:
        default_storage.delete(name)


def test_pictures_lost_from_the_storage_come_back_with_the_days_next_sync(
    alice, tiktok, visitor, django_capture_on_commit_callbacks
):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        page = synced_with_share_picture(alice)
        assert shown(page, visitor)
        cover = page.visible_videos()[0].cover.name
        lose(page.avatar.name, cover, page.share_image.name)
        downloads = tiktok.calls["download"]
        clock.shift(timedelta(minutes=20))
        sync(alice)  # the look is daily: a sync within the day makes no request for it
        assert tiktok.calls["download"] == downloads
        # A day after the last look (the clock stays: her token lasts a day).
        page.__class__.objects.filter(pk=page.pk).update(
            media_checked_at=timezone.now() - timedelta(days=1)
        )
        with django_capture_on_commit_callbacks(execute=True):
            assert sync(alice) == "changed"
        with django_capture_on_commit_callbacks(execute=True):
            run_queued(render_share_image)
        assert tiktok.calls["download"] == downloads + 2  # the avatar and the cover
        page = page_of(alice)
        assert default_storage.exists(page.avatar.name) and default_storage.exists(cover)
        assert shown(page, visitor)


def test_rebuild_media_says_what_is_lost_then_has_it_made_again(
    alice, bob, tiktok, visitor, django_capture_on_commit_callbacks
):
    pages = [synced_with_share_picture(alice), synced_with_share_picture(bob)]
    covers = [video.cover.name for video in pages[0].videos.all()[:2]]
    lose(pages[0].avatar.name, *covers, pages[1].share_image.name)
    out = StringIO()
    call_command("rebuild_media", "--dry-run", stdout=out)
    assert out.getvalue().splitlines() == [
        "Looked at 2 pages; 2 lost images: 1 avatars, 2 covers, 1 share pictures, 0 icons.",
        "Dry run: nothing was changed.",
    ]
    assert page_of(alice).avatar.name == pages[0].avatar.name
    assert not default_task_backend.results

    with django_capture_on_commit_callbacks(execute=True):
        call_command("rebuild_media", stdout=StringIO())
    assert not shown(page_of(bob), visitor)  # its share picture is on its way
    with django_capture_on_commit_callbacks(execute=True):
        run_queued(render_share_image)
        # Alice's page falls due at once; Bob's, synced just now, is not due.
        syncing.enqueue_due_syncs()
        assert queued_pages() == [pages[0].pk]
        run_queued(sync_page)
    with django_capture_on_commit_callbacks(execute=True):
        run_queued(render_share_image)
    assert all(default_storage.exists(name) for name in covers)
    assert shown(page_of(alice), visitor) and shown(page_of(bob), visitor)
    out = StringIO()
    call_command("rebuild_media", "--dry-run", stdout=out)
    assert "2 pages; 0 lost images" in out.getvalue()
