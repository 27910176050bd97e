"""Whether the background processes are alive, for `/readyz`.

Each worker writes its beat (`WorkerBeat`) as it goes round its loop, at
most every BEAT_SECONDS; the scheduler's beat is its latest job start
(`JobRun`, its shortest job runs every 15 s). A worker killed, stuck in a
task, or waiting for a database that never comes back stops beating; an
operator alerts on `/readyz`'s `background` field (its status code stays
about the web process, so a dead worker takes no web machine out of the
load balancer).
"""

import time
from datetime import timedelta

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from linkinbio.models import JobRun, WorkerBeat

BEAT_SECONDS = 10
# Longer than any task runs (TikTok's timeouts are seconds, a share picture
# a second or two) and than the scheduler's shortest interval, several times over.
SILENT_SECONDS = 120
FORGOTTEN_AFTER = timedelta(days=1)

_last_beat = {}  # worker id -> monotonic time of its last write


def beat(worker_id):
    """The worker `worker_id` is going round its loop (cheap: one write per BEAT_SECONDS)."""
    now = time.monotonic()
    if now - _last_beat.get(worker_id, -BEAT_SECONDS) < BEAT_SECONDS:
        return
    WorkerBeat.objects.update_or_create(worker_id=worker_id, defaults={"beat_at": timezone.now()})
    _last_beat[worker_id] = now


def forget_old_beats(now=None):
    """Drop the beats of workers gone for a day (each start gets a new id)."""
    WorkerBeat.objects.filter(beat_at__lt=(now or timezone.now()) - FORGOTTEN_AFTER).delete()


def report(now=None):
    """{"worker": "ok" or how long all workers are silent, "workers": how many
    beat lately, "scheduler": like "worker"}; no worker fields for a queue
    that has no db_worker."""
    now = now or timezone.now()
    state = {}
    if settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend":
        recent = now - timedelta(seconds=SILENT_SECONDS)
        state["worker"] = _state(WorkerBeat.objects.aggregate(last=Max("beat_at"))["last"], now)
        state["workers"] = WorkerBeat.objects.filter(beat_at__gte=recent).count()
    state["scheduler"] = _state(JobRun.objects.aggregate(last=Max("started_at"))["last"], now)
    return state


def _state(last, now):
    if last is None:
        return "no heartbeat yet"
    silent = (now - last).total_seconds()
    return "ok" if silent <= SILENT_SECONDS else f"no heartbeat for {silent:.0f} s"
