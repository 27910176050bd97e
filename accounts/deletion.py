"""Deleting a creator: every app's data (through the personal data registry),
the sessions on every device, then the user; the admin log keeps its rows
about them without their names."""

import logging

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models.deletion import Collector

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
    logged = logged_objects(user)
    notes = personal_data.erase(user)
    with transaction.atomic():
        delete_sessions(user)
        user_id = user.pk
        user.delete()
        scrub_admin_log(logged)
    logger.info("Deleted user %s and all their data", user_id)
    return notes


def logged_objects(user):
    """(content type id, object id) of the user and of every row that goes
    with them, whichever app it belongs to (Django's deletion collector)."""
    collector = Collector(using="default")
    collector.collect([user])
    ids = []
    for model, instances in collector.data.items():
        content_type = ContentType.objects.get_for_model(model)
        ids += [(content_type.pk, str(instance.pk)) for instance in instances]
    for queryset in collector.fast_deletes:  # rows deleted without being loaded
        content_type = ContentType.objects.get_for_model(queryset.model)
        ids += [(content_type.pk, str(pk)) for pk in queryset.values_list("pk", flat=True)]
    return ids


def scrub_admin_log(objects):
    """Keep the admin's history of these objects but drop their names and
    what was changed and which row it was: the row says an admin acted on a
    page (say), no longer on whose."""
    by_type = {}
    for content_type_id, object_id in objects:
        by_type.setdefault(content_type_id, []).append(object_id)
    for content_type_id, object_ids in by_type.items():
        for start in range(0, len(object_ids), 500):
            LogEntry.objects.filter(
                content_type_id=content_type_id, object_id__in=object_ids[start : start + 500]
            ).update(object_id=None, object_repr="(deleted)", change_message="")


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
