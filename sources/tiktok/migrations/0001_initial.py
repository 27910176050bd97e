"""The TikTok models move here from the accounts and pages apps.

Only Django's idea of where they live changes: the tables keep their names
(db_table), so an existing database keeps its creators, connections and API
call history. Their content types (and with them admin permissions and the
admin log) follow. The API budget's buckets are renamed to the endpoint ids
the rest of the code uses ("user.info"); a bucket that cannot be renamed is
dropped and starts full, which is what a missing bucket means anyway.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

MOVED = [("accounts", "tiktokconnection"), ("accounts", "apicall"), ("pages", "apibudget")]


def move_content_types(apps, schema_editor, forward=True):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for old_label, model in MOVED:
        old, new = (old_label, "tiktok") if forward else ("tiktok", old_label)
        moving = ContentType.objects.filter(app_label=old, model=model).first()
        if moving is None:
            continue
        # One already under the new label is an empty twin (made by code that
        # ran before this migration, or by a partial migrate): it goes, with
        # its automatic permissions, so that the real one (the admin log's,
        # the grants') can take its place.
        ContentType.objects.filter(app_label=new, model=model).delete()
        moving.app_label = new
        moving.save(update_fields=["app_label"])


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, forward=False)


def rename_budget_buckets(apps, schema_editor, old="/", new="."):
    ApiBudget = apps.get_model("tiktok", "ApiBudget")
    for bucket in ApiBudget.objects.filter(endpoint__contains=old):
        renamed = bucket.endpoint.replace(old, new)
        if not ApiBudget.objects.filter(endpoint=renamed).exists():
            ApiBudget.objects.create(endpoint=renamed, tokens=bucket.tokens, updated=bucket.updated)
        bucket.delete()


def rename_budget_buckets_back(apps, schema_editor):
    rename_budget_buckets(apps, schema_editor, old=".", new="/")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0003_token_refresh_lease"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("pages", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="TikTokConnection",
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
                        ("open_id", models.CharField(max_length=100, unique=True)),
                        ("union_id", models.CharField(blank=True, max_length=100)),
                        ("scopes", models.JSONField(blank=True, default=list)),
                        ("access_token_encrypted", models.TextField(blank=True, editable=False)),
                        ("refresh_token_encrypted", models.TextField(blank=True, editable=False)),
                        ("access_expires_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "refresh_expires_at",
                            models.DateTimeField(blank=True, db_index=True, null=True),
                        ),
                        ("last_refreshed_at", models.DateTimeField(blank=True, null=True)),
                        ("token_version", models.PositiveIntegerField(default=0, editable=False)),
                        (
                            "refresh_lease_until",
                            models.DateTimeField(blank=True, editable=False, null=True),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("active", "Connected"),
                                    ("needs_reconnect", "Needs reconnecting"),
                                    ("revoked", "Disconnected"),
                                ],
                                default="active",
                                max_length=20,
                            ),
                        ),
                        ("last_error", models.CharField(blank=True, max_length=300)),
                        ("sync_paused", models.BooleanField(default=False)),
                        ("created", models.DateTimeField(auto_now_add=True)),
                        ("updated", models.DateTimeField(auto_now=True)),
                        (
                            "user",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="tiktok",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "TikTok connection",
                        "db_table": "accounts_tiktokconnection",
                    },
                ),
                migrations.CreateModel(
                    name="ApiCall",
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
                        ("endpoint", models.CharField(max_length=32)),
                        ("page_id", models.PositiveBigIntegerField(blank=True, null=True)),
                        ("open_id", models.CharField(blank=True, db_index=True, max_length=100)),
                        ("http_status", models.PositiveSmallIntegerField(blank=True, null=True)),
                        ("error_code", models.CharField(blank=True, max_length=64)),
                        ("log_id", models.CharField(blank=True, max_length=128)),
                        ("duration_ms", models.PositiveIntegerField(default=0)),
                        (
                            "created",
                            models.DateTimeField(db_index=True, default=django.utils.timezone.now),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="api_calls",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "accounts_apicall",
                        "ordering": ["-created", "-id"],
                        "indexes": [
                            models.Index(fields=["user", "-created"], name="apicall_user_created"),
                            models.Index(
                                fields=["endpoint", "-created"], name="apicall_endpoint_created"
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="ApiBudget",
                    fields=[
                        (
                            "endpoint",
                            models.CharField(max_length=40, primary_key=True, serialize=False),
                        ),
                        ("tokens", models.FloatField(default=0)),
                        ("updated", models.FloatField(default=0)),
                    ],
                    options={
                        "verbose_name": "API budget",
                        "db_table": "pages_apibudget",
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
        migrations.RunPython(rename_budget_buckets, rename_budget_buckets_back),
    ]
