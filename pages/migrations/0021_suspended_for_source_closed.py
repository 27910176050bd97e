from django.db import migrations, models

# What the source's closure wrote until now (sources/tiktok/removals.py).
CLOSED_AT_SOURCE = [
    "TikTok: the account was deleted",
    "TikTok: the user's age changed (pending review)",
    "TikTok: banned (pending review)",
]


def mark_closed_at_source(apps, schema_editor):
    """Pages already hidden because TikTok closed the account say so."""
    apps.get_model("pages", "Page").objects.filter(
        is_suspended=True, suspended_for="", suspended_reason__in=CLOSED_AT_SOURCE
    ).update(suspended_for="source_closed")


def unmark(apps, schema_editor):
    apps.get_model("pages", "Page").objects.filter(suspended_for="source_closed").update(
        suspended_for=""
    )


class Migration(migrations.Migration):
    dependencies = [
        ("pages", "0020_page_source_and_video_external_id"),
    ]

    operations = [
        migrations.AlterField(
            model_name="page",
            name="suspended_for",
            field=models.CharField(
                blank=True,
                choices=[
                    ("spam", "Spam or scam links"),
                    ("impersonation", "Pretending to be someone else"),
                    ("harmful", "Harmful or illegal content"),
                    ("rules", "Another breach of our terms"),
                    ("source_closed", "Account closed at its source"),
                ],
                max_length=20,
            ),
        ),
        migrations.RunPython(mark_closed_at_source, unmark),
    ]
