"""How often a page's data is synced, in the words of the sign-in, "Your data"
and privacy pages (the numbers come from the settings that enforce them)."""

from django.conf import settings


def sync_description():
    """How often a page's data is fetched from TikTok, in words."""
    busy = _duration(settings.PAGE_REFRESH_SECONDS)
    idle = _duration(settings.PAGE_IDLE_REFRESH_SECONDS)
    return f"about every {busy} while your page gets visits, and every {idle} otherwise"


def every(seconds):
    """An interval as "every 15 minutes", "every day"."""
    return f"every {_duration(seconds)}"


def once_per(seconds):
    """An interval as "once a day", "once an hour", "once every 2 days"."""
    unit = _duration(seconds)
    if " " in unit:
        return f"once every {unit}"
    return f"once {'an' if unit == 'hour' else 'a'} {unit}"


def _duration(seconds):
    if seconds % 86400 == 0:
        days = seconds // 86400
        return "day" if days == 1 else f"{days} days"
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return "hour" if hours == 1 else f"{hours} hours"
    minutes = max(1, round(seconds / 60))
    return "minute" if minutes == 1 else f"{minutes} minutes"
