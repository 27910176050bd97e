from django.apps import AppConfig


class StatsConfig(AppConfig):
    """Visitor analytics: counting, the daily and hourly counts, the Stats tab."""

    name = "stats"
    verbose_name = "Visitor analytics"

    def ready(self):
        from accounts import personal_data
        from stats import personal_data as stats_data

        personal_data.register(self.label, export=stats_data.export, erase=stats_data.erase)
