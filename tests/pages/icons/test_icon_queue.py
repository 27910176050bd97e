"""Link icons are fetched from creators' sites by a worker of their own, one
fetch per site at a time and a bounded number per creator an hour: a creator
changing their links' sites as fast as they can never holds up a sync."""

import time
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from linkinbio.management.commands import db_worker
from pages.icons import favicons, icon_queue
from pages.icons.favicons import mirror_link_icon
from pages.media import images
from pages.models import Link
from pages.sync import schedule as syncing
from tests.helpers import page_of, png

pytestmark = pytest.mark.django_db


@pytest.fixture
def icon_fetches(settings, monkeypatch):
    """The database queue with icons on; the sites each fetch asked."""
    settings.TASKS = {
        "default": {**settings.TASKS["default"], "BACKEND": "django_tasks_db.DatabaseBackend"}
    }
    settings.LINK_ICONS = True
    # The worker closes its connections between tasks: not the test's.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    asked = []

    def fetch_icon(url):
        asked.append(url)
        return images.to_webp(png(), favicons.ICON_SIZE)

    monkeypatch.setattr(favicons, "fetch_icon", fetch_icon)
    return asked


def queued_icon_fetches():
    return DBTaskResult.objects.filter(task_path=mirror_link_icon.module_path).count()


def work(queue):
    """A worker of `queue` runs what is queued there."""
    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", queue, verbosity=0)


def save_link(client, capture, link_id, url):
    with capture(execute=True):
        path = f"/dashboard/links/{link_id}/" if link_id else "/dashboard/links/add/"
        response = client.post(path, {"title": "Shop", "url": url, "enabled": "on"})
    assert response.status_code == 302


def test_a_creator_moving_a_link_across_200_sites_never_holds_up_a_sync(
    icon_fetches,
    alice,
    alice_client,
    bob_client,
    tiktok,
    settings,
    django_capture_on_commit_callbacks,
):
    # The cap is per clock hour: the story starts at an hour's start, so a slow
    # run never sees a second hour's allowance.
    with time_machine.travel(int(time.time() // 3600) * 3600 + 1, tick=True):
        capture = django_capture_on_commit_callbacks
        save_link(alice_client, capture, None, "https://site0.example.com/")
        link = Link.objects.get(page__user=alice)
        for n in range(1, 201):
            save_link(alice_client, capture, link.pk, f"https://site{n}.example.com/")
        assert queued_icon_fetches() == settings.LINK_ICONS_PER_CREATOR_HOUR
        # The page falls due after those: the workers of syncs, purges and share
        # pictures run it without waiting on a single site.
        assert syncing.start(page_of(alice).pk, stale_only=False)
        work("default")
        assert page_of(alice).last_synced_at is not None
        assert icon_fetches == []
        # The icon worker fetches the icon of the site the link ends on, once.
        work("icons")
        assert icon_fetches == ["https://site200.example.com/favicon.ico"]
        assert Link.objects.get(pk=link.pk).icon
        # The site it started on waits for nothing: Bob's link there gets its icon.
        save_link(bob_client, capture, None, "https://site0.example.com/")
        work("icons")
        assert icon_fetches[1:] == ["https://site0.example.com/favicon.ico"]


def test_links_of_several_creators_to_one_site_share_one_fetch(
    icon_fetches, alice_client, bob_client, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    save_link(alice_client, capture, None, "https://shop.example.com/alice")
    save_link(bob_client, capture, None, "https://shop.example.com/bob")
    assert queued_icon_fetches() == 1
    work("icons")
    assert icon_fetches == ["https://shop.example.com/favicon.ico"]
    assert all(link.icon and link.icon_checked_at for link in Link.objects.all())


def test_links_beyond_a_creators_hourly_share_get_their_icons_the_next_hour(
    icon_fetches, alice_client, settings, django_capture_on_commit_callbacks
):
    settings.LINK_ICONS_PER_CREATOR_HOUR = 2
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for n in range(3):
            save_link(
                alice_client, django_capture_on_commit_callbacks, None, f"https://s{n}.example.com/"
            )
        assert queued_icon_fetches() == 2
        assert icon_queue.queue_missing_icons() == 0  # this hour's share is used up
        clock.shift(timedelta(hours=1))
        assert icon_queue.queue_missing_icons() == 1
    work("icons")
    assert all(link.icon for link in Link.objects.all())
