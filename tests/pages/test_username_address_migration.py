"""Pages whose creators had a TikTok username before the upgrade keep the
address it gives: @_mia_'s /@mia is hers once the upgrade is done."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from pages import addresses
from pages.models import Page
from tests.helpers import make_creator

BEFORE = [("pages", "0021_suspended_for_source_closed")]
AFTER = [("pages", "0022_username_address_as_its_address_gives")]


@pytest.mark.django_db(transaction=True)
def test_a_username_synced_before_the_upgrade_keeps_the_address_it_gives():
    mia = make_creator("mia")
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    try:
        old.get_model("pages", "Page").objects.create(
            user_id=mia.pk, slug="mia_art", username="_Mia_", display_name="Mia"
        )
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    mallory = make_creator("mallory")
    page = Page.objects.create(user=mallory, slug="mallory", display_name="Mallory")
    assert addresses.problem(page, "mia") == "/@mia is taken. Try another address."
