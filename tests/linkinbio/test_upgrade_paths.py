"""An upgrade that moves code keeps the work queued and scheduled under the
old names: a page's sync queued just before it still runs after it, and the
hourly icon job keeps its last start."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from linkinbio.models import JobRun
from pages.sync.tasks import sync_page

QUEUE = ("django_tasks_database", "0021_conditional_partial_index_ordering")
BEFORE = [("linkinbio", "0002_moved_job_paths"), QUEUE]
AFTER = [("linkinbio", "0003_moved_task_and_job_paths")]


@pytest.mark.django_db(transaction=True)
def test_a_sync_queued_before_the_upgrade_runs_after_it():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    started = timezone.now() - timedelta(minutes=20)
    try:
        old.get_model("django_tasks_database", "DBTaskResult").objects.create(
            task_path="pages.tasks.sync_page",
            args_kwargs={"args": [7, "lease"], "kwargs": {}},
            backend_name="default",
            run_after=timezone.now(),
        )
        old.get_model("linkinbio", "JobRun").objects.create(
            job="pages.media.icon_queue.queue_missing_icons", started_at=started
        )
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    queued = DBTaskResult.objects.get()
    assert queued.task.func is sync_page.func
    assert queued.task_result.args == [7, "lease"]
    run = JobRun.objects.get()
    assert run.job == "pages.icons.icon_queue.queue_missing_icons" and run.started_at == started
