"""Housekeeping jobs of the site itself (listed in settings.SCHEDULED_JOBS)."""

from django.conf import settings
from django.core.management import call_command


def prune_finished_tasks():
    """Drop finished background-task results older than a day from the database queue."""
    if settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend":
        call_command(
            "prune_db_task_results", "--queue-name", "*", "--min-age-days", "1", verbosity=0
        )
