"""Deleting a creator: every app's data (through the personal data registry),
the sessions on every device, then the user."""

import logging

from django.contrib.sessions.models import Session
from django.db import transaction

from accounts import personal_data

logger = logging.getLogger(__name__)


def delete_creator(user):
    """Erase everything every app holds about the user, then the user.

    The apps' erasers run first (the TikTok connection's revokes at TikTok,
    outside any transaction); sessions and the user go in one transaction,
    and whatever still hangs off the user goes with it by cascade. Returns
    the notes of what could not be confirmed (TikTok did not confirm the
    revocation); the data is deleted anyway.
    """
    notes = personal_data.erase(user)
    with transaction.atomic():
        delete_sessions(user)
        user_id = user.pk
        user.delete()
    logger.info("Deleted user %s and all their data", user_id)
    return notes


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
