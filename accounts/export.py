"""Everything linkinbio stores about a creator, as one JSON-ready dict (tokens excluded).

The page part comes from the pages app (Page.export, Link.export, Video.export),
which holds every stored field of the page, its links, videos and daily stats
except the columns listed in NOT_EXPORTED. A test holds every model field to that.
"""

from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.utils import timezone

from accounts.models import ApiCall, TikTokConnection
from pages.models import REFRESH_BOOKKEEPING_FIELDS

# Columns of the pages models left out of the export: row identifiers and the
# parent row (implied by nesting), and scheduling bookkeeping of the refresher.
NOT_EXPORTED = {
    "pages.Page": {"id", "user", *REFRESH_BOOKKEEPING_FIELDS},
    "pages.Link": {"id", "page"},
    "pages.Video": {"id", "page"},
    "pages.PageStat": {"id", "page"},
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
        "page": page.export() if page else None,
        "request_history": [call.export() for call in calls],
    }
