"""Why a page was suspended, the creator's appeals, and who decided what."""

from django.conf import settings
from django.db import models

# Why an admin suspends a page: the visitors' unavailable page says it in
# these words, the creator reads the admin's note beside it.
REASONS = [
    ("spam", "Spam or scam links"),
    ("impersonation", "Pretending to be someone else"),
    ("harmful", "Harmful or illegal content"),
    ("rules", "Another breach of our terms"),
]
# Not an admin's choice: the source says the creator's account there was
# deleted or is held (pages/signals.py). Nothing the creator broke here, so
# visitors read no accusation and the creator has nothing to appeal; the
# connection's note tells her what the source told us.
SOURCE_CLOSED = "source_closed"
CAUSES = [*REASONS, (SOURCE_CLOSED, "Account closed at its source")]


class ModerationDecision(models.Model):
    """One admin decision about a page, kept as the page's moderation log."""

    SUSPEND = "suspend"
    UNSUSPEND = "unsuspend"
    REFUSE_APPEAL = "refuse_appeal"
    ACTIONS = [
        (SUSPEND, "Suspended"),
        (UNSUSPEND, "Unsuspended"),
        (REFUSE_APPEAL, "Appeal refused"),
    ]

    page = models.ForeignKey("pages.Page", models.CASCADE, related_name="moderation_decisions")
    created = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=20, choices=ACTIONS)
    reason = models.CharField(max_length=20, choices=REASONS, blank=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self):
        return f"{self.get_action_display()} @{self.page.slug}"

    def export(self):
        return {
            "created": self.created.isoformat(),
            "action": self.action,
            "reason": self.reason,
            "note": self.note,
        }


class Appeal(models.Model):
    """A suspended creator asks an admin to look again."""

    OPEN = "open"
    GRANTED = "granted"
    REFUSED = "refused"
    STATUSES = [(OPEN, "Waiting for an admin"), (GRANTED, "Granted"), (REFUSED, "Refused")]

    page = models.ForeignKey("pages.Page", models.CASCADE, related_name="appeals")
    created = models.DateTimeField(auto_now_add=True)
    message = models.TextField(max_length=2000)
    status = models.CharField(max_length=10, choices=STATUSES, default=OPEN)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self):
        return f"Appeal of @{self.page.slug}"

    def export(self):
        return {
            "created": self.created.isoformat(),
            "message": self.message,
            "status": self.status,
            "decided_at": self.decided_at.isoformat() if self.decided_at else None,
        }
