"""Suspending and unsuspending pages, and appeals: every decision is logged
with the admin who took it (pages/suspensions.py)."""

from django.db import transaction
from django.utils import timezone

from pages import publish
from pages.models import Appeal, ModerationDecision, Page
from pages.suspensions import SOURCE_CLOSED

# One open appeal at a time: a creator waits for the answer before writing again.
APPEAL_MAX_LENGTH = 2000


def suspend(pages, *, by, reason, note=""):
    """Suspend these pages for `reason` (a key of REASONS), the admin's note
    shown to their creators."""
    with transaction.atomic():
        for page in pages:
            page.is_suspended, page.suspended_for, page.suspended_reason = True, reason, note
            page.save(update_fields=["is_suspended", "suspended_for", "suspended_reason"])
            ModerationDecision.objects.create(
                page=page,
                decided_by=by,
                action=ModerationDecision.SUSPEND,
                reason=reason,
                note=note,
            )
            publish.page_changed(page)


def unsuspend(pages, *, by, note=""):
    """Put these pages back up; an open appeal of each is granted."""
    now = timezone.now()
    with transaction.atomic():
        for page in pages:
            page.is_suspended, page.suspended_for, page.suspended_reason = False, "", ""
            page.save(update_fields=["is_suspended", "suspended_for", "suspended_reason"])
            ModerationDecision.objects.create(
                page=page, decided_by=by, action=ModerationDecision.UNSUSPEND, note=note
            )
            page.appeals.filter(status=Appeal.OPEN).update(status=Appeal.GRANTED, decided_at=now)
            publish.page_changed(page)
        # By id: a list's own filter (say "suspended: yes") no longer holds.
        Page.objects.filter(pk__in=[page.pk for page in pages]).syncable().reschedule()


def refuse_appeals(appeals, *, by, note=""):
    """The pages stay suspended; their creators read that the appeal was refused."""
    now = timezone.now()
    with transaction.atomic():
        for appeal in appeals.filter(status=Appeal.OPEN).select_related("page"):
            appeal.status, appeal.decided_at = Appeal.REFUSED, now
            appeal.save(update_fields=["status", "decided_at"])
            ModerationDecision.objects.create(
                page=appeal.page, decided_by=by, action=ModerationDecision.REFUSE_APPEAL, note=note
            )


def open_appeal(page):
    return page.appeals.filter(status=Appeal.OPEN).first()


def appeal(page, message):
    """The creator's appeal, unless one is already open (returns it then)."""
    return open_appeal(page) or Appeal.objects.create(page=page, message=message)


def is_appealable(page):
    """Suspended by us: a page hidden because its source closed the account
    has nothing to appeal here (the creator reads the source's note)."""
    return page.is_suspended and page.suspended_for != SOURCE_CLOSED


def status_for_creator(page):
    """What the creator's dashboard says about a suspension, or None."""
    if not is_appealable(page):
        return None
    last_appeal = page.appeals.first()
    return {
        "reason": page.get_suspended_for_display() or "A breach of our terms",
        "note": page.suspended_reason,
        "since": page.moderation_decisions.filter(action=ModerationDecision.SUSPEND)
        .values_list("created", flat=True)
        .first(),
        "appeal": last_appeal,
        "may_appeal": last_appeal is None or last_appeal.status != Appeal.OPEN,
    }
