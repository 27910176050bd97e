"""Pages made before the follower count was off by default: those that never
chose stop showing it, and their creator reads why in "Your data"."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from pages.models import Page

BEFORE = [("pages", "0013_follower_count_off_and_former_addresses")]
AFTER = [("pages", "0014_follower_count_off_unless_chosen")]


@pytest.mark.django_db(transaction=True)
def test_a_page_that_never_chose_stops_showing_its_follower_count(client):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    try:
        for name, shown in (("alice", True), ("bob", False)):
            user = old.get_model("accounts", "User").objects.create(username=name)
            old.get_model("pages", "Page").objects.create(
                user=user, slug=name, follower_count=131900, show_follower_count=shown, version=4
            )
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    alice, bob = Page.objects.get(slug="alice"), Page.objects.get(slug="bob")

    assert not alice.show_follower_count and alice.version == 5  # cached copies are stale
    assert "followers" not in client.get("/@alice").content.decode()
    client.force_login(alice.user)
    your_data = client.get("/dashboard/data/").content.decode()
    assert "Your follower count is no longer shown on your page" in your_data
    assert "only if you switch it on" in your_data
    assert bob.version == 4 and not bob.change_notes.exists()  # nothing changed for Bob
