"""Everything linkinbio stores about a creator, as one JSON-ready dict (tokens excluded)."""

from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.utils import timezone

from accounts.models import ApiCall, TikTokConnection


def _page_export(page):
    if hasattr(page, "export"):
        return page.export()
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
