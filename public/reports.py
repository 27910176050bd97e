"""Receiving visitors' abuse reports, so that nobody can silence them.

A reporter (a keyed hash of the client's address, stats/visitors.py; never
stored, and the same whatever browser they say they use) may send
REPORTS_PER_REPORTER reports an hour; beyond that they are told to wait, and
what they wrote stays in the form. A page takes REPORTS_PER_PAGE new rows an
hour; beyond that, and whenever a reporter reports the same page again, the
report is counted on the page's newest open report (`AbuseReport.repeats`):
never dropped.
"""

import time

from django.core.cache import cache

from pages.models import AbuseReport
from stats import visitors

REPORTS_PER_REPORTER = 5
REPORTS_PER_PAGE = 200
HOUR = 3600


def receive(request, page, reason, message):
    """Take one report; returns the AbuseReport, or None when the reporter
    has sent too many this hour."""
    hour = int(time.time() // HOUR)
    reporter = visitors.address_hash(request)
    if visitors.hits(f"pages:reports:by:{reporter}:{hour}", HOUR) > REPORTS_PER_REPORTER:
        return None
    if visitors.hits(_page_key(page.pk, hour), HOUR) > REPORTS_PER_PAGE:
        repeat = "ceiling"
    else:
        seen = visitors.address_hash(request, about=f"report {page.pk}")
        repeat = not visitors.first_time(f"pages:reports:seen:{seen}", HOUR)
    return AbuseReport.receive(page, reason, message, repeat=repeat)


def _page_key(page_id, hour):
    return f"pages:reports:page:{page_id}:{hour}"


def forget_page(page_id):
    """Drop the page's report counters (the page is being deleted)."""
    hour = int(time.time() // HOUR)
    cache.delete_many([_page_key(page_id, h) for h in (hour - 1, hour, hour + 1)])
