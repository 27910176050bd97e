"""A background process waiting out a database outage.

The worker and the scheduler need the database for everything they do, so
while it is away they wait, and try again after a pause that doubles up to
half a minute. The log says once that the database is away and once that it
is back, not once per try.
"""

import logging
import time

from django.db import InterfaceError, OperationalError, connections

logger = logging.getLogger(__name__)

# What a database that is down, restarting or unreachable raises.
DATABASE_DOWN = (OperationalError, InterfaceError)


class DatabaseOutage:
    def __init__(self, who, first_wait=1.0, longest_wait=30.0):
        self.who = who
        self.first_wait, self.longest_wait = first_wait, longest_wait
        self.since = None  # monotonic time of the first failure
        self.wait = first_wait

    def failed(self, exc):
        """Note a failure; returns how long to wait before the next try."""
        connections.close_all()  # the next try opens a fresh connection
        if self.since is None:
            self.since, self.wait = time.monotonic(), self.first_wait
            logger.warning(
                "%s: the database is unreachable (%s); trying again, at most every %.0f s",
                self.who,
                exc.__class__.__name__,
                self.longest_wait,
            )
        wait = self.wait
        self.wait = min(self.wait * 2, self.longest_wait)
        return wait

    def succeeded(self):
        if self.since is not None:
            logger.warning(
                "%s: the database is back after %.0f s", self.who, time.monotonic() - self.since
            )
            self.since = None
