"""The stats app's share of a creator's data (registered in apps.py): their
page's daily and hourly counts, and what is kept beside them until stored."""

from pages.models import Page
from stats import counting
from stats.models import DailyCount, HourlyCount

# Columns left out of the export: the row's id and the page (implied).
NOT_EXPORTED = {
    "stats.DailyCount": {"id", "page"},
    "stats.HourlyCount": {"id", "page"},
}


def export(user):
    """The page's counts, per day and per hour."""
    daily = DailyCount.objects.filter(page__user=user).order_by("day", "metric")
    hourly = HourlyCount.objects.filter(page__user=user).order_by("hour")
    return {
        "stats": [row.export() for row in daily],
        "hourly_stats": [row.export() for row in hourly],
    }


def erase(user):
    """The visits of the creator's page not yet stored, in this process and in
    Redis, and its unique visitors (the rows go with the page)."""
    for page_id in Page.objects.filter(user=user).values_list("pk", flat=True):
        counting.forget_page(page_id)
        counting.forget_cached_counts(page_id)
