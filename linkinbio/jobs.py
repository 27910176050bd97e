"""Housekeeping jobs of the site itself (listed in settings.SCHEDULED_JOBS)."""

from datetime import timedelta

from django.conf import settings
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django.utils import timezone

# No task of the site runs this long (TikTok's timeouts are seconds, a page's
# sync lease five minutes): a task RUNNING for longer lost its worker.
STALE_TASK_SECONDS = 600


def prune_finished_tasks():
    """Drop finished background-task results older than a day from the database queue."""
    if settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend":
        call_command(
            "prune_db_task_results", "--queue-name", "*", "--min-age-days", "1", verbosity=0
        )


def clear_expired_sessions():
    """Delete expired sessions (`manage.py clearsessions`): a sign-in started
    and never finished leaves one that expires within minutes."""
    call_command("clearsessions", verbosity=0)


def recover_stale_tasks(now=None):
    """Tasks whose worker died mid-run (killed, out of memory) stay RUNNING
    for ever on the database queue. Queue each such task once more; one that
    was already retried is marked failed. Returns (requeued, failed)."""
    if settings.TASKS["default"]["BACKEND"] != "django_tasks_db.DatabaseBackend":
        return 0, 0
    from django_tasks_db.models import DBTaskResult  # used only with the database queue

    now = now or timezone.now()
    stale = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=now - timedelta(seconds=STALE_TASK_SECONDS)
    )
    requeued = failed = 0
    for task_id, started_at, worker_ids in stale.values_list("id", "started_at", "worker_ids"):
        # Conditional on what was read: a worker that finishes it meanwhile wins.
        row = DBTaskResult.objects.filter(
            id=task_id, status=TaskResultStatus.RUNNING, started_at=started_at
        )
        if len(worker_ids or []) < 2:
            requeued += row.update(status=TaskResultStatus.READY, started_at=None)
        else:
            failed += row.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path="linkinbio.jobs.WorkerLost",
                traceback="Its worker stopped twice while running it.",
            )
    return requeued, failed
