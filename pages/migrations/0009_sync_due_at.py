from datetime import timedelta

import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def schedule_pages(apps, schema_editor):
    """Each page falls due when the scheduler used to find it due: a day
    (less the early share) after its last sync, or when a visitor saw it stale."""
    Page = apps.get_model("pages", "Page")
    idle = timedelta(seconds=settings.PAGE_IDLE_REFRESH_SECONDS * (1 - 1 / 24))
    refresh = timedelta(seconds=settings.PAGE_REFRESH_SECONDS)
    synced = Page.objects.filter(last_synced_at__isnull=False)
    synced.update(sync_due_at=models.F("last_synced_at") + idle)
    synced.filter(last_viewed_at__gt=models.F("last_synced_at") + refresh).update(
        sync_due_at=models.F("last_viewed_at")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("pages", "0008_merge_fleet"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="page",
            name="page_sync_order",
        ),
        migrations.AddField(
            model_name="page",
            name="sync_due_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        # The index before the data: on PostgreSQL, the UPDATEs leave deferred
        # foreign key checks pending, and no index can be made on the table
        # until the transaction ends.
        migrations.AddIndex(
            model_name="page",
            index=models.Index(fields=["sync_due_at", "id"], name="page_sync_due"),
        ),
        migrations.RunPython(schedule_pages, migrations.RunPython.noop),
    ]
