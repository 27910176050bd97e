from django.db import migrations, models
from django.utils.text import slugify


def address_for(name):
    """Page.address_for, as it was when this migration was written."""
    return slugify(name or "").replace("-", "_")[:30]


def fill(apps, schema_editor):
    """Each page's username_address becomes the address its username gives
    ("_mia_" -> "mia"), which the computed column did not always hold."""
    Page = apps.get_model("pages", "Page")
    pages = Page.objects.exclude(username="").only("pk", "username").order_by("pk")
    batch = []
    for page in pages.iterator(chunk_size=2000):
        page.username_address = address_for(page.username)
        batch.append(page)
        if len(batch) >= 2000:
            Page.objects.bulk_update(batch, ["username_address"])
            batch = []
    if batch:
        Page.objects.bulk_update(batch, ["username_address"])


class Migration(migrations.Migration):
    dependencies = [
        ("pages", "0021_suspended_for_source_closed"),
    ]

    operations = [
        migrations.RemoveField(model_name="page", name="username_address"),
        migrations.AddField(
            model_name="page",
            name="username_address",
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=100),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
