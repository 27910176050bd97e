"""Runs the periodic jobs listed in settings.SCHEDULED_JOBS, forever.

Each job is a dotted path to a function and an interval in seconds. Each
job's last start is kept in the database (linkinbio/schedule.py), so a
restarted scheduler picks up where the last one was, and two schedulers by
mistake run nothing twice. While the database is away the scheduler waits
(linkinbio/outages.py) instead of ending.
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand

from linkinbio.outages import DATABASE_DOWN, DatabaseOutage
from linkinbio.schedule import Schedule


class Command(BaseCommand):
    help = "Run the periodic jobs (refresh due pages, top up tokens) in a loop."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run every job once and exit.")
        parser.add_argument("--tick", type=float, default=1.0, help="Seconds between checks.")

    def handle(self, *args, once=False, tick=1.0, **options):
        schedule = Schedule(settings.SCHEDULED_JOBS)
        if once:
            schedule.run_due(every_job=True)
            return
        outage = DatabaseOutage("scheduler")
        while True:
            try:
                schedule.run_due()
            except DATABASE_DOWN as exc:
                time.sleep(outage.failed(exc))
                continue
            outage.succeeded()
            time.sleep(tick)
