"""ApiBudget now belongs to the tiktok app (its table stays); the page's sync
bookkeeping is named for syncs ("refresh" is only said of tokens)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("pages", "0001_initial"),
        ("tiktok", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ApiBudget")],
        ),
        migrations.RenameField(
            model_name="page", old_name="refresh_lease_until", new_name="sync_lease_until"
        ),
        migrations.RenameField(
            model_name="page", old_name="refresh_waiting_since", new_name="sync_waiting_since"
        ),
        migrations.RenameField(
            model_name="page", old_name="manual_refresh_at", new_name="manual_sync_at"
        ),
    ]
