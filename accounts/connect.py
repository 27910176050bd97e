"""Turning a successful TikTok sign-in into a creator: connection, page, first sync."""

import logging

from django.db import transaction

from accounts.models import ApiCall, TikTokConnection, User

logger = logging.getLogger(__name__)


def ensure_page(user, profile):
    """The creator's page, created from the TikTok profile on first sign-in."""
    from pages.models import Page

    page = Page.objects.filter(user=user).first()
    if page is not None:
        return page
    username = str(profile.get("username") or "")
    display_name = str(profile.get("display_name") or "")
    if hasattr(Page, "create_for"):
        return Page.create_for(user, username=username, display_name=display_name, profile=profile)
    return Page.objects.create(
        user=user, slug=Page.unique_slug(username, display_name), display_name=display_name[:200]
    )


def enqueue_first_sync(page_id):
    from pages.tasks import refresh_page

    refresh_page.enqueue(page_id)


def connect_creator(user, token_set, profile):
    """Store fresh tokens for the user's connection and make sure they have a page.

    Everything happens in one transaction: on any failure nothing is left
    half-made. The page's first sync is queued once the transaction commits.
    Sign-in calls made before the user existed join their request history.
    """
    with transaction.atomic():
        connection = TikTokConnection.objects.select_for_update().filter(
            user=user
        ).first() or TikTokConnection(user=user)
        connection.open_id = token_set.open_id
        connection.union_id = str(profile.get("union_id") or connection.union_id or "")
        connection.set_tokens(token_set)
        connection.scopes = list(token_set.scopes)
        connection.save()
        ApiCall.objects.filter(user=None, open_id=token_set.open_id).update(user=user)
        page = ensure_page(user, profile)
        transaction.on_commit(lambda: enqueue_first_sync(page.pk))
    logger.info("TikTok connected for user %s (scopes %s)", user.pk, ",".join(connection.scopes))
    return connection


def sign_in_creator(token_set, profile):
    """The creator for a TikTok account, made or updated exactly as the sign-in callback does.

    For callers without a browser round trip (the demo seed): same open_id,
    same user; a new user gets no password and no e-mail.
    """
    from allauth.account.adapter import get_adapter as get_account_adapter
    from allauth.socialaccount.models import SocialAccount

    from accounts.provider import TikTokProvider, identity

    extra_data = identity(profile)
    with transaction.atomic():
        account = (
            SocialAccount.objects.select_related("user")
            .filter(provider=TikTokProvider.id, uid=token_set.open_id)
            .first()
        )
        if account is None:
            candidates = [profile.get("username"), profile.get("display_name"), "creator"]
            user = User(username=get_account_adapter().generate_unique_username(candidates))
            user.set_unusable_password()
            user.save()
            SocialAccount.objects.create(
                user=user, provider=TikTokProvider.id, uid=token_set.open_id, extra_data=extra_data
            )
        else:
            user = account.user
            account.extra_data = extra_data
            account.save(update_fields=["extra_data"])
        connect_creator(user, token_set, profile)
    return user
