"""The background processes outlive a database outage and a restart: a
worker waits for the database and runs what was queued meanwhile, a
restarted scheduler runs only the jobs that are due, and `/readyz` shows
an operator a worker or scheduler that stopped beating."""

import logging
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db import OperationalError
from django.tasks import TaskResultStatus, task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from linkinbio.management.commands import db_worker
from linkinbio.models import JobRun, WorkerBeat
from linkinbio.schedule import Schedule

RAN = []


@task()
def write_down(word):
    RAN.append(word)


def reseed_showcase():
    RAN.append("reseed")


def expire_guests():
    RAN.append("expire")


def enqueue_due_syncs():
    RAN.append("syncs")


JOBS = [
    ("tests.linkinbio.test_background.reseed_showcase", 3600),
    ("tests.linkinbio.test_background.expire_guests", 600),
    ("tests.linkinbio.test_background.enqueue_due_syncs", 15),
]


@pytest.fixture(autouse=True)
def nothing_ran_yet(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    RAN.clear()


@pytest.mark.django_db(transaction=True)
def test_a_worker_waits_out_a_database_outage_and_runs_what_was_queued(monkeypatch, caplog):
    queued = write_down.enqueue("hello")
    outage = {"tries": 3}
    waits = []
    ready = DBTaskResult.objects.ready

    def ready_unless_down():
        if outage["tries"]:
            outage["tries"] -= 1
            raise OperationalError("server closed the connection unexpectedly")
        return ready()

    monkeypatch.setattr(DBTaskResult.objects, "ready", ready_unless_down)
    monkeypatch.setattr(db_worker.time, "sleep", waits.append)
    with caplog.at_level(logging.INFO):
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    assert RAN == ["hello"]
    assert DBTaskResult.objects.get(id=queued.id).status == TaskResultStatus.SUCCESSFUL
    assert waits == [1, 2, 4]  # doubling, not a busy loop
    lines = [r.getMessage() for r in caplog.records if r.name == "linkinbio.outages"]
    assert len(lines) == 2
    assert "the database is unreachable (OperationalError)" in lines[0]
    assert "the database is back after" in lines[1]


@pytest.mark.django_db
def test_readyz_tells_an_operator_when_the_workers_stopped_beating(client, settings):
    settings.METRICS_TOKEN = "the-metrics-token"
    client.defaults["HTTP_AUTHORIZATION"] = "Bearer the-metrics-token"
    now = timezone.now()
    WorkerBeat.objects.create(worker_id="w1", beat_at=now - timedelta(seconds=5))
    JobRun.objects.create(job="a", started_at=now - timedelta(seconds=3))
    assert client.get("/readyz").json()["background"] == {
        "worker": "ok",
        "workers": 1,
        "scheduler": "ok",
    }

    with time_machine.travel(now + timedelta(minutes=5), tick=False):
        answer = client.get("/readyz")
    assert answer.status_code == 200  # the web process itself is fine: keep it in the pool
    assert answer.json()["background"] == {
        "worker": "no heartbeat for 305 s",
        "workers": 0,
        "scheduler": "no heartbeat for 303 s",
    }


@pytest.mark.django_db(transaction=True)
def test_a_running_worker_beats(monkeypatch):
    write_down.enqueue("hello")
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    beat = WorkerBeat.objects.get()
    assert timezone.now() - beat.beat_at < timedelta(minutes=1)


@pytest.mark.django_db(transaction=True)  # the scheduler closes old connections
def test_a_restarted_scheduler_runs_only_the_jobs_that_are_due():
    start = timezone.now()
    assert len(Schedule(JOBS).run_due(start)) == 3
    assert RAN == ["reseed", "expire", "syncs"]

    RAN.clear()
    for seconds in range(1, 6):  # crashing and restarted every second
        Schedule(JOBS).run_due(start + timedelta(seconds=seconds))
    assert RAN == []

    restarted = Schedule(JOBS)
    restarted.run_due(start + timedelta(seconds=16))
    assert RAN == ["syncs"]
    restarted.run_due(start + timedelta(minutes=11))
    assert RAN == ["syncs", "expire", "syncs"]


@pytest.mark.django_db(transaction=True)  # the scheduler closes old connections
def test_two_schedulers_run_each_job_once():
    start = timezone.now()
    one, two = Schedule(JOBS), Schedule(JOBS)
    one.run_due(start)
    two.run_due(start)
    assert sorted(RAN) == ["expire", "reseed", "syncs"]
    RAN.clear()
    later = start + timedelta(minutes=11)
    two.run_due(later)
    one.run_due(later)
    assert sorted(RAN) == ["expire", "syncs"]


@pytest.mark.django_db(transaction=True)  # the scheduler closes old connections
def test_the_scheduler_command_remembers_its_jobs(settings):
    settings.SCHEDULED_JOBS = JOBS
    call_command("scheduler", "--once")
    assert set(JobRun.objects.values_list("job", flat=True)) == {path for path, _ in JOBS}
    RAN.clear()
    assert Schedule(JOBS).run_due() == []
