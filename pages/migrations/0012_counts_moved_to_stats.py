"""DailyCount and HourlyCount now belong to the stats app (stats/); their
tables stay where they are."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("pages", "0011_media_checked_at"),
        ("stats", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="DailyCount"),
                migrations.DeleteModel(name="HourlyCount"),
            ],
        ),
    ]
