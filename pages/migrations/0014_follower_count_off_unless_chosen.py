"""Pages that never chose to show their follower count stop showing it, as
the sign-in page promised ("only if you switch it on"), and their change log
says so. The box was ticked from the start, so a tick cannot be told from a
choice: every page showing the count is treated as never having chosen."""

from django.db import migrations
from django.db.models import F

NOTE = (
    "Your follower count is no longer shown on your page: we promised at sign-in to show it "
    "only if you switch it on. Switch it on under Appearance if you want it shown."
)


def hide_follower_counts(apps, schema_editor):
    Page = apps.get_model("pages", "Page")
    ChangeNote = apps.get_model("pages", "ChangeNote")
    shown = Page.objects.filter(show_follower_count=True)
    ChangeNote.objects.bulk_create(
        ChangeNote(page_id=page_id, text=NOTE) for page_id in shown.values_list("pk", flat=True)
    )
    # A new version: cached pages are rendered afresh without the count.
    shown.update(show_follower_count=False, version=F("version") + 1)


def show_them_again(apps, schema_editor):
    Page = apps.get_model("pages", "Page")
    ChangeNote = apps.get_model("pages", "ChangeNote")
    notes = ChangeNote.objects.filter(text=NOTE)
    pages = Page.objects.filter(pk__in=notes.values("page_id"))
    pages.update(show_follower_count=True, version=F("version") + 1)
    notes.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("pages", "0013_follower_count_off_and_former_addresses"),
    ]

    operations = [migrations.RunPython(hide_follower_counts, show_them_again)]
