"""`manage.py db_worker`: django_tasks_db's worker, which outlives the database.

The library's worker loop re-raises a database error, so a restart of
PostgreSQL ended every worker. This one (the `linkinbio` app comes before
`django_tasks_db` in INSTALLED_APPS, so its command is the one `manage.py`
runs) waits the outage out (linkinbio/outages.py) and goes on, and beats
(linkinbio/heartbeats.py) on every turn of its loop, so `/readyz` shows a
worker that died or is stuck. A task that was running when the database went
away stays RUNNING and is queued again by the scheduler's
`recover_stale_tasks`.
"""

import os
import random
import time

from django.core.management.base import CommandError
from django.db import close_old_connections
from django.db.utils import OperationalError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from linkinbio import heartbeats
from linkinbio.outages import DATABASE_DOWN, DatabaseOutage


class Worker(db_worker.Worker):
    def run(self):
        db_worker.logger.info(
            "Starting worker worker_id=%s queues=%s", self.worker_id, ",".join(self.queue_names)
        )
        if self.startup_delay and self.interval:
            time.sleep(random.random())  # noqa: S311 (workers started together spread out)
        outage = DatabaseOutage(f"worker {self.worker_id}")
        while self.running:
            try:
                found = self.run_next()
            except DATABASE_DOWN as exc:
                time.sleep(outage.failed(exc))
                continue
            outage.succeeded()
            if self.batch and found is False:
                return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                return
            if self.running and not found:
                time.sleep(self.interval)

    def run_next(self):
        """Claim and run one ready task: True if one ran, False if none was
        ready, None if the queue was locked (SQLite: try again)."""
        close_old_connections()
        heartbeats.beat(self.worker_id)
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        with exclusive_transaction(tasks.db):
            try:
                task_result = tasks.get_locked()
                if task_result is not None:
                    task_result.claim(self.worker_id)  # no other worker runs it
            except OperationalError as exc:
                if not is_locked_database_exception(exc):
                    raise
                return None
        if task_result is None:
            return False
        self.run_task(task_result)
        close_old_connections()
        return True


class Command(db_worker.Command):
    def handle(self, *, verbosity, queue_name, exclude_queues, reload, batch, **options):
        self.configure_logging(verbosity)
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = Worker(
            queue_names=queue_names,
            excluded_queue_names=excluded,
            batch=batch,
            **{name: options[name] for name in WORKER_OPTIONS},
        )
        if reload and not batch:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()  # only in the child the reloader runs
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()


WORKER_OPTIONS = ("interval", "backend_name", "startup_delay", "max_tasks", "worker_id")
