"""Turning a successful TikTok sign-in into a connected creator."""

import logging
import re

from allauth.socialaccount.models import SocialAccount
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from sources.base import creator_connected
from sources.tiktok.models import ApiCall, TikTokConnection
from sources.tiktok.provider import TikTokProvider, identity
from sources.tiktok.source import to_profile

logger = logging.getLogger(__name__)


_TIKTOK_USERNAME = re.compile(r"[A-Za-z0-9_.]{2,30}")


def _name_base(*candidates):
    """A TikTok username as it is (lower-case); otherwise the page-slug rule:
    the first candidate that slugifies to something."""
    for candidate in candidates:
        candidate = candidate or ""
        if _TIKTOK_USERNAME.fullmatch(candidate):
            return candidate.lower()
        base = slugify(candidate).replace("-", "_")[:30]
        if base:
            return base
    return "creator"


def creator_name(*candidates, user=None):
    """A free user name made from the first usable candidate (the TikTok
    username, else the display name), never allauth's "user"."""
    base = _name_base(*candidates)
    others = User.objects.exclude(pk=user.pk) if user is not None and user.pk else User.objects
    name, n = base, 1
    while others.filter(username__iexact=name).exists():
        n += 1
        name = f"{base}{n}"
    return name


def _follow_tiktok_username(user, profile):
    """A creator named from their display name (no profile scope then) takes
    their TikTok username once TikTok shares it."""
    username = profile.get("username")
    if not username or user.pk is None:
        return
    base = _name_base(username)
    if re.fullmatch(re.escape(base) + r"[0-9]*", user.username):
        return
    user.username = creator_name(username, user=user)
    user.save(update_fields=["username"])


def connect_creator(user, token_set, profile):
    """Store fresh tokens for the user's connection and announce the creator.

    Everything happens in one transaction: on any failure nothing is left
    half-made. Sign-in calls made before the user existed join their request
    history. `creator_connected` is sent inside the transaction, so what its
    receivers make (the page) is made or dropped with the connection.
    """
    with transaction.atomic():
        connection = TikTokConnection.objects.select_for_update().filter(
            user=user
        ).first() or TikTokConnection(user=user)
        connection.open_id = token_set.open_id
        connection.union_id = str(profile.get("union_id") or connection.union_id or "")
        connection.set_tokens(token_set)
        connection.scopes = list(token_set.scopes)
        connection.permission_missed_at = None  # granted again: TikTok will say if still missing
        connection.granted_at = timezone.now()
        connection.save()
        ApiCall.objects.filter(user=None, open_id=token_set.open_id).update(user=user)
        _follow_tiktok_username(user, profile)
        creator_connected.send(sender=TikTokProvider.id, user=user, profile=to_profile(profile))
    logger.info("TikTok connected for user %s (scopes %s)", user.pk, ",".join(connection.scopes))
    return connection


def sign_in_creator(token_set, profile):
    """The creator for a TikTok account, made or updated exactly as the sign-in callback does.

    For callers without a browser round trip (the demo seed): same open_id,
    same user; a new user gets no password and no e-mail.
    """
    extra_data = identity(profile)
    with transaction.atomic():
        account = (
            SocialAccount.objects.select_related("user")
            .filter(provider=TikTokProvider.id, uid=token_set.open_id)
            .first()
        )
        if account is None:
            user = User(username=creator_name(profile.get("username"), profile.get("display_name")))
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
