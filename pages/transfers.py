"""What each sync received from the source and what it changed, in a line a
creator reads ("profile: name, avatar changed; 20 videos: 2 new, 1 removed"),
kept as long as the request history (TikTok's data portability guidelines
recommend transfer dates and a log of the received data content). Only the
names of what came, never the values or a token."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

# The words for a page's profile fields in a summary.
PROFILE_WORDS = {
    "display_name": "name",
    "username": "username",
    "bio": "bio",
    "is_verified": "verified badge",
    "follower_count": "followers",
    "following_count": "following",
    "likes_count": "likes",
    "video_count": "number of videos",
    "profile_deep_link": "profile link",
    "avatar": "avatar",
}


@dataclass
class Received:
    """What one sync received and changed, gathered while it runs."""

    profile_fields: list = field(default_factory=list)
    profile_changed: list = field(default_factory=list)
    videos: int = 0
    new: int = 0
    removed: int = 0
    titles_changed: int = 0
    other_changes: int = 0

    def summary(self):
        parts = []
        if self.profile_fields:
            changed = [
                PROFILE_WORDS[name] for name in PROFILE_WORDS if name in self.profile_changed
            ]
            parts.append(
                f"profile: {', '.join(changed)} changed" if changed else "profile: unchanged"
            )
        if self.videos or self.removed:
            noun = "video" if self.videos == 1 else "videos"
            news = [
                f"{self.new} new" if self.new else "",
                f"{self.removed} removed" if self.removed else "",
                f"{self.titles_changed} title{'s' if self.titles_changed != 1 else ''} changed"
                if self.titles_changed
                else "",
                f"{self.other_changes} with new counts or covers" if self.other_changes else "",
            ]
            news = [n for n in news if n] or ["unchanged"]
            parts.append(f"{self.videos} {noun}: {', '.join(news)}")
        return "; ".join(parts) or "nothing received"


class Transfer(models.Model):
    """One successful sync of a page: when, and what it brought."""

    page = models.ForeignKey("pages.Page", models.CASCADE, related_name="transfers")
    created = models.DateTimeField(default=timezone.now)
    summary = models.CharField(max_length=300)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["created"], name="transfer_created")]

    def __str__(self):
        return self.summary

    def export(self):
        return {"created": self.created.isoformat(), "summary": self.summary}


def prune_transfers():
    """Delete transfer summaries older than API_CALL_RETENTION_DAYS, with the
    request history they belong to; returns how many."""
    cutoff = timezone.now() - timedelta(days=settings.API_CALL_RETENTION_DAYS)
    deleted, _ = Transfer.objects.filter(created__lt=cutoff).delete()
    return deleted
