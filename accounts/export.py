"""Everything linkinbio stores about a creator, as one JSON-ready dict (tokens excluded).

The page part comes from the pages app (Page.export, Link.export, Video.export);
`_complete_page` adds what those leave out, so the export holds every stored
field of the page, its links, videos and daily stats except the columns listed
in NOT_EXPORTED. A test holds every model field to that.
"""

from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.utils import timezone

from accounts.models import ApiCall, TikTokConnection

# Columns of the pages models left out of the export: row identifiers and the
# parent row (implied by nesting), and scheduling bookkeeping of the refresher.
NOT_EXPORTED = {
    "pages.Page": {
        "id",
        "user",
        "version",
        "last_sync_attempt_at",
        "sync_failures",
        "sync_backoff_until",
        "refresh_lease_until",
        "refresh_waiting_since",
        "manual_refresh_at",
        "last_viewed_at",
    },
    "pages.Link": {"id", "page"},
    "pages.Video": {"id", "page"},
    "pages.PageStat": {"id", "page"},
}


def file_url(field_file):
    """The absolute URL of a stored image, or None."""
    if not field_file:
        return None
    return settings.SITE_URL + field_file.url


def _iso(value):
    return value.isoformat() if value else None


def _complete_page(page, data):
    """Add the stored fields the pages app's export leaves out (never overwrites)."""
    profile = data.setdefault("profile", {})
    profile.setdefault("avatar_url", file_url(page.avatar))
    profile.setdefault("avatar_source", page.avatar_source)
    moderation = data.setdefault("moderation", {})
    moderation.setdefault("is_suspended", page.is_suspended)
    moderation.setdefault("suspended_reason", page.suspended_reason)
    moderation.setdefault("is_showcased", page.is_showcased)
    for link_data, link in zip(data.get("links", []), page.links.all(), strict=True):
        link_data.setdefault("created", _iso(link.created))
    videos = {video.tiktok_id: video for video in page.videos.all()}
    for video_data in data.get("videos", []):
        video = videos[video_data["id"]]
        video_data.setdefault("cover_url", file_url(video.cover))
        video_data.setdefault("cover_source", video.cover_source)
        video_data.setdefault("duration", video.duration)
        video_data.setdefault("like_count", video.like_count)
    return data


def _page_export(page):
    if hasattr(page, "export"):
        return _complete_page(page, page.export())
    return {
        "slug": page.slug,
        "display_name": page.display_name,
        "created": page.created.isoformat(),
    }


def export_user(user):
    """The creator's data export: account, TikTok connection, page, request history."""
    from pages.models import Page

    connection = TikTokConnection.objects.filter(user=user).first()
    page = Page.objects.filter(user=user).first()
    calls = ApiCall.objects.filter(user=user).order_by("created", "id")
    return {
        "exported_at": timezone.now().isoformat(),
        "site": settings.SITE_URL,
        "account": {
            "username": user.username,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
        },
        "tiktok_connection": connection.export() if connection else None,
        "tiktok_accounts": [
            {"provider": account.provider, "uid": account.uid, "data": account.extra_data}
            for account in SocialAccount.objects.filter(user=user)
        ],
        "page": _page_export(page) if page else None,
        "request_history": [call.export() for call in calls],
    }
