"""Keeping the site clean: blocked link domains and visitors' abuse reports."""

from django.db import models


class BlockedDomain(models.Model):
    """A domain links may not point to (and its subdomains)."""

    domain = models.CharField(max_length=253, unique=True)
    reason = models.CharField(max_length=200, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.domain

    def save(self, *args, **kwargs):
        self.domain = self.domain.strip().lower().rstrip(".")
        super().save(*args, **kwargs)


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

    class Meta:
        ordering = ["resolved", "-created"]

    def __str__(self):
        return f"{self.get_reason_display()} on @{self.page.slug}"
