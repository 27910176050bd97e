"""Pages synced before they named their source keep everything through the
upgrade: they are TikTok's, their videos keep their ids (now the source's),
and their creators' tokens and their counts are untouched."""

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from pages.models import Page
from sources.tiktok.models import TikTokConnection
from stats.models import DailyCount
from tests.helpers import make_creator

BEFORE = [("pages", "0019_username_address_and_address_indexes"), ("stats", "0001_initial")]
AFTER = [("pages", "0020_page_source_and_video_external_id")]


@pytest.mark.django_db(transaction=True)
def test_a_page_synced_before_the_upgrade_keeps_its_videos_tokens_and_counts(client):
    alice = make_creator("alice")
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    try:
        page = old.get_model("pages", "Page").objects.create(
            user_id=alice.pk, slug="alice", display_name="Alice", version=3
        )
        for n in (1, 2):
            old.get_model("pages", "Video").objects.create(
                page=page, tiktok_id=f"730{n}", title=f"Song {n}", create_time=timezone.now()
            )
        old.get_model("stats", "DailyCount").objects.create(
            page=page, day=date(2026, 12, 1), metric="views", count=42
        )
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    page = Page.objects.get(slug="alice")
    assert page.source == "tiktok" and page.version == 3
    assert sorted(page.videos.values_list("external_id", "title")) == [
        ("7301", "Song 1"),
        ("7302", "Song 2"),
    ]
    assert TikTokConnection.objects.get(user=alice).access_token == "act.alice-1"
    assert DailyCount.objects.get(page=page).count == 42
    assert "Song 2" in client.get("/@alice").content.decode()
