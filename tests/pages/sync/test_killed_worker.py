"""The worker running Alice's sync is killed: the dashboard does not claim an
update is running, the task is queued again once, a task whose worker dies
twice is marked failed instead of staying RUNNING for ever, and a task run
again after another sync took the page leaves the page to that sync."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from linkinbio import jobs
from linkinbio.management.commands import db_worker
from pages.models import Page
from pages.sync import leases
from pages.sync import schedule as syncing
from tests.helpers import page_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def killed_mid_sync(page, minutes_ago=11, workers=1):
    """Alice's sync, claimed by a worker that then died."""
    lease = leases.claim(page.pk, stale_only=False)
    assert lease
    syncing.enqueue(page.pk, lease)
    started = timezone.now() - timedelta(minutes=minutes_ago)
    DBTaskResult.objects.update(
        status=TaskResultStatus.RUNNING,
        started_at=started,
        worker_ids=[f"worker-{n}" for n in range(workers)],
    )
    return DBTaskResult.objects.get()


def test_the_dashboard_says_waiting_when_no_worker_runs_the_sync(
    database_queue, alice, alice_client
):
    killed_mid_sync(page_of(alice))
    html = alice_client.get("/dashboard/").content.decode()
    assert "Waiting for its turn to update from TikTok." in html
    assert "Updating from TikTok now" not in html


def test_the_dashboard_says_updating_while_a_worker_runs_it(database_queue, alice, alice_client):
    killed_mid_sync(page_of(alice), minutes_ago=0)  # started just now: alive
    html = alice_client.get("/dashboard/").content.decode()
    assert "Updating from TikTok now" in html


def test_a_sync_whose_worker_died_runs_again(database_queue, alice, tiktok, monkeypatch):
    # The worker closes its connections between tasks: not the test's, which
    # holds the test's transaction.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    task = killed_mid_sync(page_of(alice))
    assert jobs.recover_stale_tasks() == (1, 0)
    task.refresh_from_db()
    assert task.status == TaskResultStatus.READY
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    task.refresh_from_db()
    assert task.status == TaskResultStatus.SUCCESSFUL
    assert page_of(alice).last_synced_at is not None
    assert tiktok.calls["user.info"] == 1


def test_a_task_run_again_after_the_scheduler_took_the_page_leaves_it_alone(
    database_queue, alice, tiktok, monkeypatch
):
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    page = page_of(alice)
    dead = killed_mid_sync(page)
    # Its lease ran out; the scheduler claims the page for a sync of its own
    # and a worker starts it.
    Page.objects.filter(pk=page.pk).update(sync_lease_until=timezone.now() - timedelta(seconds=1))
    assert syncing.start(page.pk, stale_only=False)
    running = DBTaskResult.objects.exclude(pk=dead.pk).get()
    running.status, running.started_at = TaskResultStatus.RUNNING, timezone.now()
    running.save()
    assert jobs.recover_stale_tasks() == (1, 0)
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    dead.refresh_from_db()
    assert dead.status == TaskResultStatus.SUCCESSFUL and dead.return_value == "not ours"
    assert tiktok.calls["user.info"] == 0  # no second sync beside the running one
    page.refresh_from_db()
    assert page.sync_lease_until > timezone.now()  # the running sync still holds the page
    assert page.last_sync_attempt_at is None


def test_a_task_whose_worker_died_twice_is_marked_failed(database_queue, alice):
    task = killed_mid_sync(page_of(alice), workers=2)
    assert jobs.recover_stale_tasks() == (0, 1)
    task.refresh_from_db()
    assert task.status == TaskResultStatus.FAILED
    assert "stopped twice" in task.traceback


def test_a_task_still_within_its_time_is_left_alone(database_queue, alice):
    task = killed_mid_sync(page_of(alice), minutes_ago=2)
    assert jobs.recover_stale_tasks() == (0, 0)
    task.refresh_from_db()
    assert task.status == TaskResultStatus.RUNNING
