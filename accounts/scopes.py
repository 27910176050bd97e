"""What each TikTok scope reveals and why linkinbio asks for it (seeds 000 and 003)."""

from django.conf import settings

REQUIRED_SCOPES = ("user.info.basic",)

SCOPES = {
    "user.info.basic": {
        "label": "Your profile picture and display name",
        "reveals": "Avatar, display name and an ID that is unique to this site.",
        "why": "To sign you in and put your name and picture at the top of your page.",
    },
    "user.info.profile": {
        "label": "Your username, bio and verified badge",
        "reveals": "Username, bio, profile link and whether you are verified.",
        "why": "To give your page its address (/@username) and show your bio.",
    },
    "user.info.stats": {
        "label": "Your follower, like and video counts",
        "reveals": "Followers, following, total likes and number of videos.",
        "why": "To show your follower count on your page, only if you switch it on.",
    },
    "video.list": {
        "label": "Your public videos",
        "reveals": "Your public videos: cover image, title, description, link and view counts.",
        "why": "To show a grid of your latest videos on your page.",
    },
}


def describe(scopes=None):
    """The scopes (configured ones by default) with their descriptions, in order."""
    scopes = settings.TIKTOK_SCOPES if scopes is None else scopes
    described = []
    for scope in scopes:
        info = SCOPES.get(scope, {"label": scope, "reveals": "", "why": ""})
        described.append({"scope": scope, "required": scope in REQUIRED_SCOPES, **info})
    return described


def refresh_description():
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
