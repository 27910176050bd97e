"""Visitors never cost TikTok calls: one sync per stale page however many
visit, and a shared budget that keeps the app under TikTok's rate limit."""

import threading
import time
from datetime import timedelta

import pytest
import time_machine
from django.db import connection, connections
from django.tasks import default_task_backend
from django.utils import timezone

from pages.models import Page
from pages.sync import leases
from pages.sync import schedule as syncing
from pages.sync.tasks import sync_page
from sources.tiktok import budget
from sources.tiktok.models import TikTokConnection
from stats import counting as stats
from tests.helpers import make_creator, page_of, queued_pages, sync, synced_ago

pytestmark = pytest.mark.usefixtures("empty_queue")


def make_stale(user, hours=1):
    synced_ago(Page.objects.filter(user=user), timedelta(hours=hours))


@pytest.mark.django_db
def test_many_visits_to_a_stale_page_queue_one_sync(alice, tiktok, visitor):
    sync(alice)
    make_stale(alice)
    for _ in range(50):
        response = visitor.get("/@alice")
        assert response.status_code == 200
        assert "Alice Sings" in response.content.decode()
    assert queued_pages() == [page_of(alice).pk]
    assert tiktok.calls["user.info"] == 1  # only the first sync; visitors never call TikTok


@pytest.mark.django_db
def test_a_fresh_page_queues_nothing(alice, tiktok, visitor):
    sync(alice)
    for _ in range(5):
        visitor.get("/@alice")
    assert queued_pages() == []


@pytest.mark.django_db
def test_the_sync_lease_is_taken_once_until_released(alice, tiktok):
    sync(alice)
    make_stale(alice)
    page = page_of(alice)
    lease = leases.claim(page.pk)
    assert lease
    assert not leases.claim(page.pk)
    leases.release(page.pk, lease)
    assert leases.claim(page.pk)


@pytest.mark.django_db(transaction=True)
def test_single_flight_under_concurrent_visitors(tiktok):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serializes whole transactions)")
    users = [make_creator(f"creator{n}", page=True) for n in range(3)]
    for user in users:
        make_stale(user)
    ids = [page_of(user).pk for user in users]
    wins = []
    barrier = threading.Barrier(24)

    def contend(page_id):
        try:
            barrier.wait()
            if leases.claim(page_id):
                wins.append(page_id)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=contend, args=(ids[n % 3],)) for n in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(wins) == sorted(ids)


@pytest.mark.django_db(transaction=True)
def test_budget_spends_are_exact_across_threads(settings):
    if connection.vendor != "postgresql" and not settings.REDIS_URL:
        pytest.skip("concurrent spenders need PostgreSQL or Redis (SQLite serializes writers)")
    settings.TIKTOK_RATE_LIMIT_PER_MINUTE = 50  # a bucket of 10 calls
    budget.reset()
    granted = []
    barrier = threading.Barrier(30)

    def spend():
        try:
            barrier.wait()
            if budget.spend("video.list"):
                granted.append(1)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=spend) for _ in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(granted) == 10


@pytest.mark.django_db
def test_budget_never_allows_more_than_the_limit_in_any_minute(settings):
    settings.TIKTOK_RATE_LIMIT_PER_MINUTE = 30
    with time_machine.travel(timezone.now(), tick=False) as clock:
        spent = []
        for second in range(180):
            spent.append(sum(budget.spend("user.info") for _ in range(5)))
            clock.shift(1)
    worst_minute = max(sum(spent[s : s + 60]) for s in range(len(spent) - 59))
    assert 0 < worst_minute <= 30 * 0.8


@pytest.mark.django_db
def test_when_the_budget_is_spent_syncs_wait_oldest_first(settings, tiktok):
    settings.TIKTOK_RATE_LIMIT_PER_MINUTE = 20  # four calls at once, twelve a minute
    users = [make_creator(f"creator{n}", page=True) for n in range(10)]
    for hours, user in enumerate(users, start=30):
        make_stale(user, hours=hours)  # creator9 has the oldest snapshot
    oldest_first = [page_of(u).pk for u in reversed(users)]
    with time_machine.travel(timezone.now(), tick=False) as clock:
        syncing.enqueue_due_syncs()
        assert queued_pages() == oldest_first[:4]
        for result in default_task_backend.results:
            sync_page.call(*result.args)
        assert tiktok.calls["user.info"] == 4
        default_task_backend.clear()
        # A page whose turn has not come finds the budget spent and waits.
        lease = leases.claim(oldest_first[4], stale_only=False)
        assert sync_page.call(oldest_first[4], lease) == "waiting"
        assert tiktok.calls["user.info"] == 4
        clock.shift(11)  # two more calls have trickled in
        syncing.enqueue_due_syncs()
        assert queued_pages() == oldest_first[4:6]


@pytest.mark.django_db
def test_scheduler_syncs_visited_pages_often_idle_daily_paused_never(settings, tiktok):
    visited, idle, paused = (make_creator(n, page=True) for n in ("visited", "idle", "paused"))
    TikTokConnection.objects.filter(user=paused).update(sync_paused=True)
    for user in (visited, idle, paused):
        make_stale(user, hours=2)
    # A visitor saw the visited page (its sync by that visit did not start).
    stats.count_view(page_of(visited).pk)
    stats.flush_views(now=time.time() + 180)
    syncing.enqueue_due_syncs()
    assert queued_pages() == [page_of(visited).pk]
    # Nobody visits the idle page: it is synced within a day of its last sync, a little early.
    make_stale(idle, hours=23)
    syncing.enqueue_due_syncs()
    assert queued_pages() == [page_of(visited).pk, page_of(idle).pk]
    assert page_of(paused).next_sync_at() is None


@pytest.mark.django_db
def test_paused_pages_are_set_aside_and_come_back_when_resumed(settings, tiktok):
    paused = make_creator("paused", page=True)
    make_stale(paused, hours=24)
    TikTokConnection.objects.filter(user=paused).update(sync_paused=True)
    with time_machine.travel(timezone.now(), tick=False):
        syncing.enqueue_due_syncs()
        assert queued_pages() == []
        # Not looked at on every run: a day from now.
        set_aside = page_of(paused).sync_due_at
        assert set_aside >= timezone.now() + timedelta(hours=23)
        assert syncing.due_page_ids(10) == []
        # The creator resumes: the page is due again at once (its day is over).
        TikTokConnection.objects.filter(user=paused).set_sync_paused(False)
        syncing.enqueue_due_syncs()
    assert queued_pages() == [page_of(paused).pk]


@pytest.mark.django_db
def test_scheduled_job_is_registered_after_storing_the_views(settings):
    """The views are stored first, so a page visitors found stale is due in the same run."""
    jobs = [path for path, _ in settings.SCHEDULED_JOBS]
    assert jobs.index("stats.counting.store_views") < jobs.index(
        "pages.sync.schedule.enqueue_due_syncs"
    )
