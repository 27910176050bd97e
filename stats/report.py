"""Reading a page's daily counts back: the numbers of the Stats tab and its CSV.

Queries only; what is counted and how is stats/counting.py.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Q, Sum
from django.utils import timezone

from pages.models import Link
from stats import metrics
from stats.models import DailyCount, HourlyCount

PERIODS = (7, 30, 90)
TOTALS = tuple((metric.key, metric.label) for metric in metrics.TOTALS)
TOP = 10
# "title" came last, after "count": sheets that read the first four columns still do.
CSV_HEADER = ("day", "metric", "subject", "count", "title")


@dataclass
class Total:
    metric: str
    label: str
    count: int
    previous: int

    @property
    def change(self):
        """The change against the previous period in percent, or None when
        there was nothing to compare with."""
        if not self.previous:
            return None
        return round((self.count - self.previous) * 100 / self.previous)


def retention():
    """How long daily counts are kept, in words ("2 years", "400 days")."""
    days = settings.STATS_RETENTION_DAYS
    if days % 365 == 0:
        years = days // 365
        return f"{years} year{'s' if years > 1 else ''}"
    return f"{days} days"


def period_of(value):
    """The period asked for (?days=7|30|90), 30 when missing or unknown."""
    return int(value) if value in {str(days) for days in PERIODS} else 30


def report(page, days, today=None):
    """Everything the Stats tab shows for the last `days` days (today included)."""
    today = today or timezone.now().date()
    start = today - timedelta(days=days - 1)
    before = start - timedelta(days=days)
    rows = DailyCount.objects.filter(page=page, day__lte=today)
    current = rows.filter(day__gte=start)
    totals = {
        row["metric"]: row
        for row in rows.filter(day__gte=before, metric__in=[m for m, _ in TOTALS])
        .values("metric")
        .annotate(
            now=Sum("count", filter=Q(day__gte=start)), then=Sum("count", filter=Q(day__lt=start))
        )
    }
    per_day = {}
    for day, metric, count in (
        current.filter(metric__in=metrics.CHARTED)
        .values_list("day", "metric")
        .annotate(Sum("count"))
    ):
        views, clicks = per_day.get(day, (0, 0))
        per_day[day] = (views + count, clicks) if metric == "views" else (views, clicks + count)
    by_subject = {}
    for metric, subject, count in (
        current.exclude(subject="").values_list("metric", "subject").annotate(n=Sum("count"))
    ):
        by_subject.setdefault(metric, {})[subject] = count
    views = (totals.get("views") or {}).get("now") or 0
    return {
        "days": days,
        "start": start,
        "today": today,
        "totals": [
            Total(
                metric,
                label,
                (totals.get(metric) or {}).get("now") or 0,
                (totals.get(metric) or {}).get("then") or 0,
            )
            for metric, label in TOTALS
        ],
        "series": [
            (day, *per_day.get(day, (0, 0))) for day in (start + timedelta(n) for n in range(days))
        ],
        "links": _rates(
            page.links.exclude(kind=Link.HEADER), by_subject.get("link_clicks", {}), views, str
        ),
        "videos": _video_rates(page, by_subject, views),
        "tops": [
            (label, _top(by_subject.get(metric, {})))
            for metric, label in ((m.key, m.label) for m in metrics.BREAKDOWNS)
        ],
    }


def _rates(links, clicks, views, key):
    return [
        {
            "link": link,
            "clicks": clicks.get(key(link.pk), 0),
            "ctr": _rate(clicks.get(key(link.pk), 0), views),
        }
        for link in links
    ]


def _video_rates(page, by_subject, views):
    plays = by_subject.get("video_plays", {})
    clicks = by_subject.get("video_link_clicks", {})
    videos = page.videos.filter(Q(hidden=False) | Q(external_id__in=[*plays, *clicks]))
    return [
        {
            "video": video,
            "plays": plays.get(video.external_id, 0),
            "play_rate": _rate(plays.get(video.external_id, 0), views),
            "clicks": clicks.get(video.external_id, 0),
            "ctr": _rate(clicks.get(video.external_id, 0), views),
        }
        for video in videos.order_by("-pinned", "-create_time")[:100]
    ]


def _rate(count, views):
    """Per cent of views, one decimal; None without views."""
    return round(count * 100 / views, 1) if views else None


def _top(counts):
    total = sum(counts.values())
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:TOP]
    return [(subject, count, round(count * 100 / total)) for subject, count in ranked]


def site_wide(today=None, days=30, busiest=10):
    """Totals over every page for the last `days` days, and the busiest pages."""
    today = today or timezone.now().date()
    start = today - timedelta(days=days - 1)
    rows = DailyCount.objects.filter(day__gte=start, day__lte=today)
    totals = dict(
        rows.filter(metric__in=[m for m, _ in TOTALS]).values_list("metric").annotate(Sum("count"))
    )
    pages = (
        rows.filter(metric="views")
        .values_list("page__slug")
        .annotate(views=Sum("count"))
        .order_by("-views", "page__slug")[:busiest]
    )
    return {
        "site_days": days,
        "site_totals": [(label, totals.get(metric, 0)) for metric, label in TOTALS],
        "busiest_pages": list(pages),
    }


def last_hours(page, now=None, hours=48):
    """Views and clicks per hour for the last `hours` hours, oldest first."""
    now = now or timezone.now()
    end = now.replace(minute=0, second=0, microsecond=0)
    start = end - timedelta(hours=hours - 1)
    found = {}
    for hour, metric, count in HourlyCount.objects.filter(
        page=page, hour__gte=start, metric__in=metrics.CHARTED
    ).values_list("hour", "metric", "count"):
        views, clicks = found.get(hour, (0, 0))
        found[hour] = (views + count, clicks) if metric == "views" else (views, clicks + count)
    return [
        (hour, *found.get(hour, (0, 0)))
        for hour in (start + timedelta(hours=n) for n in range(hours))
    ]


def csv_rows(page):
    """The page's daily rows in long form: (day, metric, subject, count,
    title), where a link's subject is its title and a video's its TikTok id;
    the title names the link or the video (empty for other subjects)."""
    titles = {str(pk): title for pk, title in page.links.values_list("pk", "title")}
    video_titles = dict(page.videos.values_list("external_id", "title"))
    merged = {}
    for day, metric, subject, count in DailyCount.objects.filter(page=page).values_list(
        "day", "metric", "subject", "count"
    ):
        if metric == "link_clicks" and subject:
            subject = titles.get(subject, f"deleted link {subject}")
        key = (day.isoformat(), metric, subject)
        merged[key] = merged.get(key, 0) + count
    order = {metric: n for n, metric in enumerate(m.key for m in metrics.METRICS)}
    for (day, metric, subject), count in sorted(
        merged.items(), key=lambda kv: (kv[0][0], order[kv[0][1]], kv[0][2])
    ):
        if metric == "link_clicks":
            title = subject
        elif metrics.subject_of(metric) == "video" and subject:
            title = video_titles.get(subject, "deleted video")
        else:
            title = ""
        yield day, metric, subject, count, title
