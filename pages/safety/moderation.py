"""Keeping the site clean: blocked link domains and visitors' abuse reports."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F

from pages.safety import hosts


class BlockedDomain(models.Model):
    """A domain links may not point to (and its subdomains)."""

    domain = models.CharField(max_length=253, unique=True)
    reason = models.CharField(max_length=200, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.domain

    def save(self, *args, **kwargs):
        """Stored in the form browsers reach (punycode, no trailing dot), the
        form links are compared in; a name that does not normalise is kept
        as typed, lower-case, and matches nothing."""
        try:
            self.domain = hosts.normalize(self.domain.strip())
        except hosts.BadHost:
            self.domain = self.domain.strip().lower().rstrip(".")
        super().save(*args, **kwargs)

    def clean(self):
        try:
            self.domain = hosts.normalize(self.domain.strip())
        except hosts.BadHost:
            raise ValidationError({"domain": "This is not a domain name."}) from None


class AbuseReport(models.Model):
    """A visitor's report about a page, for the admins."""

    REASONS = [
        ("spam", "Spam or scam"),
        ("impersonation", "Impersonation"),
        ("harmful", "Harmful or illegal content"),
        ("other", "Something else"),
    ]
    page = models.ForeignKey("pages.Page", models.CASCADE, related_name="reports")
    reason = models.CharField(max_length=20, choices=REASONS)
    message = models.TextField(max_length=1000, blank=True)
    resolved = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True)
    repeats = models.PositiveIntegerField(
        default=0, help_text="Further reports of this page counted on this one while it was open."
    )

    class Meta:
        ordering = ["resolved", "-created"]

    def __str__(self):
        return f"{self.get_reason_display()} on @{self.page.slug}"

    @classmethod
    def receive(cls, page, reason, message, *, repeat=False):
        """Store a visitor's report. A repeat (the same reporter again, or a
        page past its hourly ceiling) adds one to the page's newest open
        report instead of a row, so the queue shows the volume, not a flood;
        a repeat with words of its own still gets a row, unless the page is
        past its ceiling (`repeat="ceiling"`)."""
        if repeat:
            open_reports = cls.objects.filter(page=page, resolved=False)
            if repeat != "ceiling" and message:
                open_reports = open_reports.filter(message__in=["", message])
            newest = (
                open_reports.filter(reason=reason).order_by("-created").first()
                or open_reports.order_by("-created").first()
            )
            if newest is not None:
                cls.objects.filter(pk=newest.pk).update(repeats=F("repeats") + 1)
                return newest
        return cls.objects.create(page=page, reason=reason, message=message)
