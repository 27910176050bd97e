"""Every metric the stats app keeps, in one list.

Each says what it is called in the admin and in the Stats tab, whether it is
a page total (shown at the top of the Stats tab and site-wide, and kept per
hour too) or a breakdown of the visits (a top ten by site, device, browser,
language), whether it counts among the clicks (the chart and the dashboard's
month), and what a row's subject names (a link, a video, or nothing else).

A new metric is one entry here and what counts it (a `count_…` of
stats/counting.py, called where it happens: a view of public/ or the
page's script); the hourly rows, the Stats tab's totals or top tens, the
site-wide totals, the CSV, the admin and the export follow from the entry.
"""

from dataclasses import dataclass

TOTAL = "total"
BREAKDOWN = "breakdown"


@dataclass(frozen=True)
class Metric:
    key: str  # stored in DailyCount.metric and HourlyCount.metric
    name: str  # the admin's words ("unique visitors")
    label: str  # the Stats tab's words ("Unique visitors", "Sources")
    kind: str = TOTAL
    click: bool = False  # a visitor clicked through: counted among the clicks
    subject: str = ""  # what a row's subject is: "link" (its id), "video" (its id at the source)


METRICS = (
    Metric("views", "views", "Views"),
    Metric("visitors", "unique visitors", "Unique visitors"),
    Metric("link_clicks", "link clicks", "Link clicks", click=True, subject="link"),
    Metric("video_plays", "video plays", "Video plays", subject="video"),
    Metric(
        "video_link_clicks", "video link clicks", "Video link clicks", click=True, subject="video"
    ),
    Metric("source", "source", "Sources", kind=BREAKDOWN),
    Metric("device", "device", "Devices", kind=BREAKDOWN),
    Metric("browser", "browser", "Browsers", kind=BREAKDOWN),
    Metric("language", "language", "Languages", kind=BREAKDOWN),
)
BY_KEY = {metric.key: metric for metric in METRICS}
TOTALS = tuple(metric for metric in METRICS if metric.kind == TOTAL)
BREAKDOWNS = tuple(metric for metric in METRICS if metric.kind == BREAKDOWN)
# Kept per hour as well (their page totals), for the last 48 hours.
HOURLY = tuple(metric.key for metric in TOTALS)
CLICKS = tuple(metric.key for metric in METRICS if metric.click)
# The chart's two lines: views, and every kind of click.
CHARTED = ("views", *CLICKS)


def choices():
    """The metrics as a model field's choices (a callable: a new metric needs no migration)."""
    return [(metric.key, metric.name) for metric in METRICS]


def subject_of(key):
    """What a row's subject names for this metric: "link", "video" or ""."""
    metric = BY_KEY.get(key)
    return metric.subject if metric else ""
