"""Deleting a creator: revoke at TikTok, then every row and file of theirs."""

import logging

from django.db import transaction

from accounts.models import ApiCall, TikTokConnection

logger = logging.getLogger(__name__)


def delete_creator(user):
    """Revoke TikTok access and delete the user with everything that hangs off them.

    The page, its links, videos and image files go by cascade (the pages app
    deletes files with their rows); sign-in calls recorded before the user
    existed are found by open_id. Returns False when TikTok could not confirm
    the revocation (the tokens are deleted anyway).
    """
    connection = TikTokConnection.objects.filter(user=user).first()
    confirmed = connection.disconnect() if connection else True
    with transaction.atomic():
        if connection:
            ApiCall.objects.filter(open_id=connection.open_id).delete()
        user_id = user.pk
        user.delete()
    logger.info("Deleted user %s and all their data", user_id)
    return confirmed
