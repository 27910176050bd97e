"""Background work of the TikTok app."""

from django.tasks import task

from sources.tiktok import removals


@task()
def handle_webhook_event(event_id):
    """Act on one stored webhook event (removals.py); a second run does nothing."""
    return removals.handle(event_id)
