"""Made-up addresses cannot push real pages out of the cache: a flood of
/@<random> answers 404 without writing a cache entry, and the warm pages
stay warm (served with no query on the app's tables)."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pages import cache as page_cache
from pages.models import Page
from public import views as public
from stats import counting as stats
from tests.helpers import BROWSER, make_creator

pytestmark = pytest.mark.django_db

FLOOD = 25_000


def app_reads(queries):
    """The queries on the app's tables that a warm page must not need."""
    return [
        q["sql"]
        for q in queries
        if q["sql"].startswith("SELECT") and ('"pages_' in q["sql"] or '"accounts_' in q["sql"])
    ]


def cache_keys(settings):
    """The entries the cache holds (files of the file cache, keys on Redis)."""
    location = settings.CACHES["default"]["LOCATION"]
    if "FileBasedCache" in settings.CACHES["default"]["BACKEND"]:
        from pathlib import Path

        return {path.name for path in Path(location).glob("*.djcache")}
    return set(cache._cache.get_client().keys("*"))


def test_a_flood_of_unknown_addresses_leaves_warm_pages_warm(visitor, settings):
    creators = [make_creator(f"creator{n}", page=True) for n in range(5)]
    Page.objects.update(last_synced_at=timezone.now())  # fresh: visits ask for no sync
    for creator in creators:
        assert visitor.get(f"/@{creator.page.slug}").status_code == 200  # warm
    stats.write_pending()  # the warm-up's views are stored (on Redis, as keys) before counting
    before = cache_keys(settings)

    # Straight to the view (the middleware in front only reads the cache),
    # so that the flood takes seconds, not minutes.
    factory = RequestFactory(HTTP_USER_AGENT=BROWSER)
    for n in range(FLOOD):
        slug = f"nobody{n}"
        assert public.public_page(factory.get(f"/@{slug}"), slug).status_code == 404
    assert visitor.get("/@nobody-at-all").status_code == 404

    assert cache_keys(settings) - before == set()
    stats.write_pending()  # views counted during the flood are stored now, not below
    with CaptureQueriesContext(connection) as queries:
        for creator in creators:
            assert visitor.get(f"/@{creator.page.slug}").status_code == 200
    assert app_reads(queries.captured_queries) == []


def test_a_made_up_address_costs_one_look_up(visitor):
    make_creator("fern", page=True)
    with CaptureQueriesContext(connection) as queries:
        assert visitor.get("/@nobody.here").status_code == 404
    # Its page, an address a page left and a username that gives it: one question.
    assert len(app_reads(queries.captured_queries)) == 1


def test_an_unknown_address_asked_again_costs_no_query(visitor):
    assert visitor.get("/@nobody").status_code == 404
    with CaptureQueriesContext(connection) as queries:
        assert visitor.get("/@nobody").status_code == 404
        assert visitor.get("/@NoBody").status_code == 404
    assert app_reads(queries.captured_queries) == []


def test_a_page_made_elsewhere_appears_though_this_process_remembered_its_absence(
    visitor, settings
):
    assert visitor.get("/@carol").status_code == 404
    # Another process makes the page: only the shared generation tells this one.
    make_creator("carol", page=True)
    page_cache.remember_missing("carol", page_cache.slug_generation() - 1)
    assert visitor.get("/@carol").status_code == 200
