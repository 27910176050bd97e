"""A page's former addresses: each leads to the page (a permanent redirect)
for a year after the page moved, and no other page may take it meanwhile."""

from datetime import timedelta

from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

# How long an old address keeps leading to the page that left it.
KEPT_FOR = timedelta(days=365)


class FormerAddressQuerySet(models.QuerySet):
    def kept(self, now=None):
        """The addresses that still lead to their page."""
        return self.filter(expires_at__gt=now or timezone.now())

    def at_address(self, slug):
        """Those of /@slug, spelt so in any case (one index look-up)."""
        return self.alias(address=Lower("slug")).filter(address=slug.lower())


class FormerAddress(models.Model):
    """/@slug as a page was reached before it moved."""

    page = models.ForeignKey("pages.Page", models.CASCADE, related_name="former_addresses")
    slug = models.SlugField(max_length=40)
    created = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    objects = FormerAddressQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-id"]
        # /@Name and /@name are one address (at_address).
        indexes = [models.Index(Lower("slug"), "expires_at", name="former_address")]

    def __str__(self):
        return f"@{self.slug}"

    def export(self):
        return {
            "slug": self.slug,
            "created": self.created.isoformat(),
            "expires_at": self.expires_at.isoformat(),
        }
