"""The scheduler's list of due pages (`Page.sync_due_at`) holds whatever
creators, admins and visitors do: a page that may sync again is back on it at
once, pages that may not sync never hold the others up, and visitors of a
page that may not sync do not put it back on the list."""

import time
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.models import User
from pages.models import Page, idle_due_at
from pages.sync import schedule as syncing
from sources.tiktok.models import TikTokConnection
from stats import counting as stats
from tests.helpers import make_creator, page_of, queued_pages, sync, synced_ago

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_queue")]


@pytest.fixture
def admin_client(client):
    staff = User.objects.create_superuser("staff", password="x")
    client.force_login(staff)
    return client


def make_stale(user, hours):
    """The page's last sync was `hours` ago (and scheduled its next as a sync does)."""
    page, synced = page_of(user), timezone.now() - timedelta(hours=hours)
    Page.objects.filter(pk=page.pk).update(last_synced_at=synced, sync_due_at=idle_due_at(synced))


def test_a_page_unsuspended_from_the_list_of_suspended_pages_is_synced_again_at_once(
    admin_client, alice, tiktok
):
    sync(alice)
    make_stale(alice, hours=24)
    page = page_of(alice)
    with time_machine.travel(timezone.now(), tick=False):
        admin_client.post(
            "/admin/pages/page/",
            {"action": "suspend", "_selected_action": [page.pk], "apply": "1", "reason": "spam"},
        )
        syncing.enqueue_due_syncs()  # the claim fails: set aside for a day
        assert queued_pages() == []
        # The admin filters the list to the suspended pages and unsuspends this one.
        admin_client.post(
            "/admin/pages/page/?is_suspended__exact=1",
            {"action": "unsuspend", "_selected_action": [page.pk]},
        )
        assert not page_of(alice).is_suspended
        syncing.enqueue_due_syncs()
    assert queued_pages() == [page.pk]


def test_pages_of_creators_who_left_do_not_hold_up_the_run(settings, tiktok):
    settings.TIKTOK_RATE_LIMIT_PER_MINUTE = 20  # four syncs a run
    # Creators who disconnected long ago: their pages are due longest (after
    # the migration, or a day after the last run set them aside).
    gone = [make_creator(f"gone{n}", page=True) for n in range(6)]
    for user in gone:
        make_stale(user, hours=24 * 30)
    TikTokConnection.objects.filter(user__in=gone).update(status=TikTokConnection.Status.REVOKED)
    connected = make_creator("connected", page=True)
    make_stale(connected, hours=24)
    syncing.enqueue_due_syncs()
    assert queued_pages() == [page_of(connected).pk]


def test_visits_to_a_paused_page_do_not_put_it_back_on_the_schedulers_list(settings, tiktok):
    paused = make_creator("paused", page=True)
    make_stale(paused, hours=2)
    TikTokConnection.objects.filter(user=paused).update(sync_paused=True)
    syncing.enqueue_due_syncs()  # nothing due yet
    make_stale(paused, hours=24)
    syncing.enqueue_due_syncs()  # set aside for a day
    assert syncing.due_page_ids(10) == []
    # Its visitors see the last snapshot; the page still may not sync.
    stats.count_view(page_of(paused).pk)
    stats.flush_views(now=time.time() + 180)
    assert syncing.due_page_ids(10) == []


@pytest.mark.django_db(transaction=True)
def test_the_migration_schedules_the_pages_already_there():
    """Deploying the due-page column over existing pages (SQLite and PostgreSQL):
    each falls due when the old scheduler would have synced it."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before, after = [("pages", "0008_merge_fleet")], [("pages", "0009_sync_due_at")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    now = timezone.now()
    pages = {
        "never": (None, None),
        "idle": (now - timedelta(hours=30), None),
        "fresh": (now - timedelta(hours=1), None),
        "visited": (now - timedelta(hours=2), now - timedelta(minutes=5)),
    }
    try:
        for name, (synced, viewed) in pages.items():
            user = old.get_model("accounts", "User").objects.create(username=name)
            old.get_model("pages", "Page").objects.create(
                user=user, slug=name, last_synced_at=synced, last_viewed_at=viewed
            )
        executor = MigrationExecutor(connection)
        executor.migrate(after)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    due = dict(Page.objects.values_list("slug", "sync_due_at"))
    assert due["never"] <= timezone.now()
    assert due["idle"] == idle_due_at(pages["idle"][0]) < now
    assert due["fresh"] == idle_due_at(pages["fresh"][0])
    assert due["visited"] == pages["visited"][1]


@pytest.mark.django_db
def test_a_token_refresh_does_not_put_off_a_page_a_visitor_found_stale(tiktok):
    """Every save of a connection (a token top-up, say) tells the pages that
    their syncing may have changed: a page due now stays due now."""
    alice = make_creator("alice", page=True)
    synced_ago(Page.objects.filter(user=alice), timedelta(hours=2))
    stats.count_view(page_of(alice).pk)
    stats.flush_views(now=time.time() + 180)
    due = page_of(alice).sync_due_at
    assert due <= timezone.now()
    TikTokConnection.objects.filter(user=alice).set_sync_paused(False)
    assert page_of(alice).sync_due_at == due
