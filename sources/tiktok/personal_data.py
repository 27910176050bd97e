"""The TikTok app's share of a creator's data (registered in apps.py)."""

from allauth.socialaccount.models import SocialAccount
from django.core.paginator import Paginator
from django.db.models import Q

from sources.tiktok import scopes
from sources.tiktok.controls import UNCONFIRMED_REVOKE
from sources.tiktok.models import ApiCall, TikTokConnection


def export(user):
    """The connection (never its tokens), the TikTok identity and the request history."""
    connection = TikTokConnection.of(user)
    # Sign-in calls made before the user existed (or from another browser's
    # round trip) are theirs by open_id, as the eraser finds them.
    mine = Q(user=user)
    if connection:
        mine |= Q(user=None, open_id=connection.open_id)
    calls = ApiCall.objects.filter(mine).order_by("created", "id")
    return {
        "tiktok_connection": connection.export() if connection else None,
        "tiktok_accounts": [
            {"provider": account.provider, "uid": account.uid, "data": account.extra_data}
            for account in SocialAccount.objects.filter(user=user)
        ],
        "request_history": [call.export() for call in calls],
    }


def erase(user):
    """Revoke at TikTok and forget the tokens, then the request history.

    Sign-in calls recorded before the user existed are found by open_id.
    Returns a note for the creator when TikTok could not confirm the revocation.
    """
    connection = TikTokConnection.of(user)
    if connection is None:
        return None
    confirmed = connection.disconnect()
    ApiCall.objects.filter(open_id=connection.open_id).delete()
    return None if confirmed else UNCONFIRMED_REVOKE


HISTORY_PER_PAGE = 25


def overview(request):
    """The connection, the scopes granted and a page of the request history."""
    connection = TikTokConnection.of(request.user)
    history = Paginator(ApiCall.objects.filter(user=request.user), HISTORY_PER_PAGE)
    return {
        "connection": connection,
        "granted": scopes.describe(connection.scopes) if connection else [],
        "missing": scopes.describe(connection.missing_scopes()) if connection else [],
        "history": history.get_page(request.GET.get("page")),
    }
