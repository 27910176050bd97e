"""When each of the scheduler's jobs runs next, remembered in the database.

A job's last start is a row (`JobRun`), claimed with a conditional UPDATE
before the job runs. So a restarted scheduler, even one that crashes and is
restarted every few seconds, runs each job only once it is due (it does not
re-seed the showcase or expire guests on every start), and a second
scheduler by mistake runs nothing twice. A job claimed by a scheduler that
died before it finished runs again at its next turn.
"""

import logging
from datetime import timedelta

from django.db import IntegrityError, close_old_connections, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from linkinbio.models import JobRun

logger = logging.getLogger(__name__)


class Schedule:
    def __init__(self, jobs):
        """`jobs`: (dotted path of a function, interval in seconds) pairs."""
        self.jobs = [(path, import_string(path), timedelta(seconds=every)) for path, every in jobs]
        self.next_run = None  # path -> when it falls due, read from the database once

    def run_due(self, now=None, every_job=False):
        """Run the jobs that are due (all of them with `every_job`); returns their paths."""
        now = now or timezone.now()
        if self.next_run is None:
            started = dict(JobRun.objects.values_list("job", "started_at"))
            self.next_run = {
                path: started[path] + every if path in started else now
                for path, _, every in self.jobs
            }
        ran = []
        for path, func, every in self.jobs:
            if (every_job or self.next_run[path] <= now) and self.claim(
                path, every, now, every_job
            ):
                self.run_job(path, func)
                ran.append(path)
        return ran

    def claim(self, path, every, now, every_job=False):
        """Mark the job started now if it is due; False when another
        scheduler started it lately (then it falls due after that start)."""
        due = JobRun.objects.filter(job=path)
        if not every_job:
            due = due.filter(started_at__lte=now - every)
        if due.update(started_at=now):
            self.next_run[path] = now + every
            return True
        try:
            with transaction.atomic():
                JobRun.objects.create(job=path, started_at=now)
        except IntegrityError:  # it has a row: someone else started it lately
            started = JobRun.objects.get(job=path).started_at
            self.next_run[path] = started + every
            return False
        self.next_run[path] = now + every
        return True

    def run_job(self, path, func):
        close_old_connections()
        try:
            result = func()
        except Exception:
            logger.exception("scheduler: job %s failed", path)
        else:
            if result:
                logger.info("scheduler: %s: %s", path, result)
