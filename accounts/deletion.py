"""Deleting a creator: revoke at TikTok, then every row and file of theirs."""

import logging

from django.contrib.sessions.models import Session
from django.db import transaction

from accounts.models import ApiCall, TikTokConnection

logger = logging.getLogger(__name__)


def delete_creator(user):
    """Revoke TikTok access and delete the user with everything that hangs off them.

    The page, its links, videos and image files go by cascade (the pages app
    deletes files with their rows); sign-in calls recorded before the user
    existed are found by open_id; the user's sessions on every device go too.
    Returns False when TikTok could not confirm the revocation (the tokens are
    deleted anyway).
    """
    connection = TikTokConnection.objects.filter(user=user).first()
    confirmed = connection.disconnect() if connection else True
    with transaction.atomic():
        if connection:
            ApiCall.objects.filter(open_id=connection.open_id).delete()
        delete_sessions(user)
        user_id = user.pk
        user.delete()
    logger.info("Deleted user %s and all their data", user_id)
    return confirmed


def delete_sessions(user):
    """Delete every stored session signed in as `user` (all devices); returns how many.

    Sessions are not indexed by user, so each one is decoded. Only signed-in
    creators have sessions (visitors get no cookie), so there are few.
    """
    user_id = str(user.pk)
    keys = [
        session.session_key
        for session in Session.objects.iterator(chunk_size=2000)
        if str(session.get_decoded().get("_auth_user_id")) == user_id
    ]
    deleted = 0
    for start in range(0, len(keys), 500):
        deleted += Session.objects.filter(session_key__in=keys[start : start + 500]).delete()[0]
    return deleted
