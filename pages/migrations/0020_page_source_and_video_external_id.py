"""A page says which source its profile and videos come from (every page made
so far came from TikTok), and a video's id is the source's, whichever it is:
the column is renamed, its values and the one-video-per-page rule kept."""

from django.db import migrations, models

import sources.registry


class Migration(migrations.Migration):
    dependencies = [("pages", "0019_username_address_and_address_indexes")]

    operations = [
        migrations.AddField(
            model_name="page",
            name="source",
            field=models.CharField(default="tiktok", max_length=20),
        ),
        migrations.AlterField(
            model_name="page",
            name="source",
            field=models.CharField(default=sources.registry.default_key, max_length=20),
        ),
        migrations.RemoveConstraint(model_name="video", name="unique_video_per_page"),
        migrations.RenameField(model_name="video", old_name="tiktok_id", new_name="external_id"),
        migrations.AddConstraint(
            model_name="video",
            constraint=models.UniqueConstraint(
                fields=("page", "external_id"), name="unique_video_per_page"
            ),
        ),
    ]
