from django.apps import AppConfig


class StatsConfig(AppConfig):
    """Visitor analytics: counting, the daily and hourly counts, the Stats tab."""

    name = "stats"
    verbose_name = "Visitor analytics"
