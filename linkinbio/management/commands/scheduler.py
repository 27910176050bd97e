"""Runs the periodic jobs listed in settings.SCHEDULED_JOBS, forever.

Each job is a dotted path to a function and an interval in seconds. Jobs only
enqueue or claim work with conditional UPDATEs, so running two schedulers by
mistake does no harm.
"""

import logging
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Run the periodic jobs (refresh due pages, top up tokens) in a loop."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run every job once and exit.")
        parser.add_argument("--tick", type=float, default=1.0, help="Seconds between checks.")

    def handle(self, *args, once=False, tick=1.0, **options):
        jobs = [(import_string(path), path, interval) for path, interval in settings.SCHEDULED_JOBS]
        next_run = {path: 0.0 for _, path, _ in jobs}
        while True:
            for func, path, interval in jobs:
                if once or time.monotonic() >= next_run[path]:
                    next_run[path] = time.monotonic() + interval
                    self.run_job(func, path)
            if once:
                return
            time.sleep(tick)

    def run_job(self, func, path):
        close_old_connections()
        try:
            result = func()
        except Exception:
            logger.exception("scheduler: job %s failed", path)
        else:
            if result:
                logger.info("scheduler: %s: %s", path, result)
