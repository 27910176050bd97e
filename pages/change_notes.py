"""What the site itself changed on a creator's page, and why: the dated lines
of "Your data"'s change log (and of the export)."""

from django.db import models


class ChangeNote(models.Model):
    """One line of a page's change log: a change the creator did not make."""

    page = models.ForeignKey("pages.Page", models.CASCADE, related_name="change_notes")
    created = models.DateTimeField(auto_now_add=True)
    text = models.CharField(max_length=300)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self):
        return self.text

    def export(self):
        return {"created": self.created.isoformat(), "text": self.text}
