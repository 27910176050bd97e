"""The daily and hourly counts move here from the pages app.

Only Django's idea of where they live changes: the tables keep their names
(db_table), so an existing database keeps every count. Their content types
(and with them admin permissions and the admin log) follow.
"""

import django.db.models.deletion
from django.db import migrations, models

MOVED = ["dailycount", "hourlycount"]

METRICS = [
    ("views", "views"),
    ("visitors", "unique visitors"),
    ("link_clicks", "link clicks"),
    ("video_plays", "video plays"),
    ("video_link_clicks", "video link clicks"),
    ("source", "source"),
    ("device", "device"),
    ("browser", "browser"),
    ("language", "language"),
]


def move_content_types(apps, schema_editor, forward=True):
    ContentType = apps.get_model("contenttypes", "ContentType")
    old, new = ("pages", "stats") if forward else ("stats", "pages")
    for model in MOVED:
        moving = ContentType.objects.filter(app_label=old, model=model).first()
        if moving is None:
            continue
        # One already under the new label is an empty twin (made by code that
        # ran before this migration): it goes, with its automatic permissions,
        # so that the real one (the admin log's, the grants') can take its place.
        ContentType.objects.filter(app_label=new, model=model).delete()
        moving.app_label = new
        moving.save(update_fields=["app_label"])


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, forward=False)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("pages", "0011_media_checked_at"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="DailyCount",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("day", models.DateField()),
                        ("metric", models.CharField(choices=METRICS, max_length=20)),
                        ("subject", models.CharField(blank=True, max_length=100)),
                        ("count", models.PositiveIntegerField(default=0)),
                        (
                            "page",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="daily_counts",
                                to="pages.page",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "pages_dailycount",
                        "indexes": [models.Index(fields=["day"], name="daily_count_day")],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("page", "day", "metric", "subject"),
                                name="unique_daily_count",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="HourlyCount",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("hour", models.DateTimeField()),
                        ("metric", models.CharField(choices=METRICS, max_length=20)),
                        ("count", models.PositiveIntegerField(default=0)),
                        (
                            "page",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="hourly_counts",
                                to="pages.page",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "pages_hourlycount",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("page", "hour", "metric"), name="unique_hourly_count"
                            )
                        ],
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
