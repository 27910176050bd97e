"""A creator's access ended on TikTok's side: what each of TikTok's reasons does.

TikTok's `authorization.removed` event (webhooks.py) says why: 0 unknown,
1 the user disconnected the app in TikTok, 2 the account was deleted, 3 the
user's age changed, 4 the account was banned, 5 the developer revoked. The
tokens are revoked at TikTok already when the event arrives.

- every reason: the connection is revoked and its tokens dropped; the page
  keeps its last data and the creator reads why on the dashboard;
- 2: the page answers 410 at once and the creator's data is deleted after
  TIKTOK_DELETED_ACCOUNT_GRACE_DAYS (erase_deleted_accounts, a scheduled job);
- 3 and 4: the page is suspended at once, for an admin to review.

A creator who signed in again since the removal keeps the new connection: a
sign-in later by more than CLOCK_SKEW ignores the event; one within CLOCK_SKEW
of it (the clocks cannot tell the order) is asked about with user/info and the
current token, and ignores the event while TikTok still answers.

Neither is a breach of our terms: the page is suspended as closed at its
source (pages/signals.py), the creator reads the note below, never a charge.
"""

import logging
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.deletion import delete_creator
from sources.base import source_account_closed
from sources.tiktok import client
from sources.tiktok.models import TikTokConnection, WebhookEvent

logger = logging.getLogger(__name__)

UNKNOWN, DISCONNECTED, DELETED, AGE_CHANGED, BANNED, DEVELOPER_REVOKED = range(6)
REASONS = {
    UNKNOWN: "unknown",
    DISCONNECTED: "the user disconnected linkinbio in TikTok",
    DELETED: "the TikTok account was deleted",
    AGE_CHANGED: "the user's age changed",
    BANNED: "the TikTok account was banned",
    DEVELOPER_REVOKED: "the developer revoked the authorization",
}
# What the creator reads on the dashboard (the connection's note).
NOTES = {
    UNKNOWN: "TikTok told us linkinbio's access to your account ended. "
    "Your page keeps its last data; reconnect to keep it up to date.",
    DISCONNECTED: "You removed linkinbio's access in TikTok's settings. "
    "Your page keeps its last data; reconnect to keep it up to date.",
    DELETED: "TikTok told us your TikTok account was deleted. Your page is no longer shown, "
    "and everything linkinbio holds about you will be deleted on {erase_on}.",
    AGE_CHANGED: "TikTok told us your account changed. Your page is hidden until we have "
    "looked at it; nothing for you to do.",
    BANNED: "TikTok told us your account was suspended. Your page is hidden until we have "
    "looked at it.",
    DEVELOPER_REVOKED: "linkinbio's access to your TikTok account was revoked. "
    "Your page keeps its last data; reconnect to keep it up to date.",
}
HELD_FOR_REVIEW = {AGE_CHANGED: "TikTok: the user's age changed", BANNED: "TikTok: banned"}
# The account itself is gone or held: signing in again cannot bring the access back.
CLOSED = frozenset({DELETED, *HELD_FOR_REVIEW})
# TikTok's create_time is on TikTok's clock, a sign-in on ours: a sign-in
# counts as after the removal only when it is later by more than this.
CLOCK_SKEW = timedelta(minutes=2)


def note(connection):
    """The creator's words for a removal, or "" when TikTok removed nothing."""
    reason = connection.removed_reason
    if reason is None:
        return ""
    erase_on = f"{connection.erase_after:%-d %B %Y}" if connection.erase_after else ""
    return NOTES.get(reason, NOTES[UNKNOWN]).format(erase_on=erase_on)


def handle(event_id):
    """Act on a stored authorization.removed event, once; returns what was done.

    The claim of the event and its effects are one transaction: a worker that
    dies midway leaves the event unhandled for the next try, never half done.
    """
    # Asked before the transaction: no row is locked while TikTok answers.
    works_since = _sign_in_that_still_works(event_id)
    with transaction.atomic():
        claimed = WebhookEvent.objects.filter(pk=event_id, handled_at=None).update(
            handled_at=timezone.now()
        )
        if not claimed:
            return "handled already"
        event = WebhookEvent.objects.get(pk=event_id)
        connection = (
            TikTokConnection.objects.select_for_update().filter(open_id=event.open_id).first()
        )
        outcome = _apply(event, connection, works_since=works_since)
        WebhookEvent.objects.filter(pk=event_id).update(outcome=outcome[:100])
    logger.info("TikTok webhook event %s (reason %s): %s", event_id, event.reason, outcome)
    return outcome


def _removed_at(event):
    return datetime.fromtimestamp(event.create_time, UTC) if event.create_time else None


def _sign_in_that_still_works(event_id):
    """When the creator signed in within CLOCK_SKEW of the removal (either
    side: the clocks cannot tell which came first) and reconnecting could
    help, whether TikTok still answers user/info with the current token: the
    moment of that sign-in if it does, else None."""
    event = WebhookEvent.objects.filter(pk=event_id, handled_at=None).first()
    removed_at = _removed_at(event) if event is not None else None
    if removed_at is None or event.reason in CLOSED:
        return None
    connection = TikTokConnection.objects.filter(
        open_id=event.open_id, status=TikTokConnection.Status.ACTIVE
    ).first()
    if (
        connection is None
        or connection.granted_at is None
        or abs(connection.granted_at - removed_at) > CLOCK_SKEW
        or connection.access_expired()
    ):
        return None
    try:
        client.user_info(connection.access_token, ["open_id"], user=connection.user_id)
    except client.TikTokError:
        return None
    return connection.granted_at


def _apply(event, connection, works_since=None):
    if connection is None:
        return "no such creator"
    if works_since is not None and connection.granted_at == works_since:
        # Signed in again about when the app was removed, and TikTok still
        # answers with the new token: the event is about the grant before it.
        return "older than the creator's sign-in, whose token still works"
    # Only a new sign-in (a new grant) can come after a removal: a refresh
    # just before it, on a clock ahead of TikTok's, must not hide it.
    removed_at = _removed_at(event)
    if (
        removed_at is not None
        and connection.granted_at is not None
        and connection.granted_at > removed_at + CLOCK_SKEW
    ):
        # The creator signed in again since: a late event must not undo that.
        return "older than the creator's sign-in"
    reason = event.reason if event.reason in REASONS else UNKNOWN
    already = (
        connection.status == TikTokConnection.Status.REVOKED and connection.removed_reason == reason
    )
    if already:
        return "removed already"
    now = timezone.now()
    connection.status = TikTokConnection.Status.REVOKED
    connection.clear_tokens()
    connection.removed_reason = reason
    connection.removed_at = now
    connection.last_error = f"Removed on TikTok's side: {REASONS[reason]}."
    if reason == DELETED:
        grace = timedelta(days=settings.TIKTOK_DELETED_ACCOUNT_GRACE_DAYS)
        connection.erase_after = now + grace
    connection.save()  # announces that the pages may no longer sync
    if reason == DELETED:
        closed = "TikTok: the account was deleted"
        source_account_closed.send(sender="tiktok", user_id=connection.user_id, reason=closed)
        return f"revoked; page gone, data erased after {connection.erase_after:%Y-%m-%d}"
    if reason in HELD_FOR_REVIEW:
        source_account_closed.send(
            sender="tiktok",
            user_id=connection.user_id,
            reason=f"{HELD_FOR_REVIEW[reason]} (pending review)",
        )
        return "revoked; page suspended for review"
    return "revoked"


def erase_deleted_accounts(limit=100):
    """Delete, as "Delete account" does, the creators whose TikTok account was
    deleted more than the grace period ago. Returns how many."""
    due = TikTokConnection.objects.filter(
        erase_after__lte=timezone.now(), removed_reason=DELETED
    ).select_related("user")[:limit]
    erased = 0
    for connection in due:
        delete_creator(connection.user)
        erased += 1
    if erased:
        logger.info("Deleted %d creator(s) whose TikTok account was deleted", erased)
    return erased
