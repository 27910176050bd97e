"""Visitor analytics: how often something happened on a page, per day and,
for the page totals, per hour (stats/counting.py stores them)."""

from django.db import models

from accounts.personal_data import iso
from pages.models import Page
from stats import metrics


class DailyCount(models.Model):
    """How often something happened on a page in a day (UTC): views, visitors,
    clicks of one link, plays of one video, visits from one source, device,
    browser or language. No cookie, IP address or visitor hash is ever stored."""

    page = models.ForeignKey(Page, models.CASCADE, related_name="daily_counts")
    day = models.DateField()
    metric = models.CharField(max_length=20, choices=metrics.choices)
    # Empty for a page total; else the link's id, the video's TikTok id, the
    # source's site, the device class, the browser or the language.
    subject = models.CharField(max_length=100, blank=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "pages_dailycount"
        constraints = [
            models.UniqueConstraint(
                fields=["page", "day", "metric", "subject"], name="unique_daily_count"
            )
        ]
        indexes = [models.Index(fields=["day"], name="daily_count_day")]

    def __str__(self):
        return f"{self.page} {self.day} {self.metric} {self.subject}".rstrip()

    def export(self):
        return {
            "day": self.day.isoformat(),
            "metric": self.metric,
            "subject": self.subject,
            "count": self.count,
        }


class HourlyCount(models.Model):
    """A page's totals per hour, kept for the last 48 hours only."""

    page = models.ForeignKey(Page, models.CASCADE, related_name="hourly_counts")
    hour = models.DateTimeField()
    metric = models.CharField(max_length=20, choices=metrics.choices)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "pages_hourlycount"
        constraints = [
            models.UniqueConstraint(fields=["page", "hour", "metric"], name="unique_hourly_count")
        ]

    def __str__(self):
        return f"{self.page} {self.hour:%Y-%m-%d %H}h {self.metric}"

    def export(self):
        return {"hour": iso(self.hour), "metric": self.metric, "count": self.count}
