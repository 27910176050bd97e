"""Alice's view counts are exact, whichever process counted them and however
quiet her page is afterwards."""

import threading
import time
from collections import Counter

import pytest
from django.db import DatabaseError, connection, connections

from pages import stats
from tests.helpers import count_of, page_of


@pytest.fixture
def file_cache(settings, tmp_path):
    """The default cache of a server without Redis."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    }


def a_while_later():
    stats._last_write[0] = time.monotonic() - stats.FLUSH_SECONDS - 1


def views_of(page):
    return count_of(page, "views")


@pytest.mark.django_db
def test_views_reach_alices_dashboard_after_a_quiet_spell(file_cache, alice, alice_client, visitor):
    """No scheduler runs and nobody visits again: Alice's own next request is
    enough for the views counted a while ago to show."""
    a_while_later()
    for n in range(3):
        assert visitor.get("/@alice", REMOTE_ADDR=f"192.0.2.{n}").status_code == 200
    assert views_of(page_of(alice)) == 1  # the first view stored, the others wait
    a_while_later()
    html = alice_client.get("/dashboard/").content.decode()
    assert "<strong>3</strong> views" in html
    assert page_of(alice).last_viewed_at is not None


@pytest.mark.django_db
def test_views_stored_without_redis_never_touch_the_cache(file_cache, alice, visitor):
    from django.core.cache import cache

    a_while_later()
    visitor.get("/@alice")
    assert cache.get(stats._counts_key(stats._minute())) is None
    assert views_of(page_of(alice)) == 1


PROCESSES, FLUSHES, VIEWS = 8, 5, 25


def count_in_parallel(page_id):
    """Like eight web processes storing their counts at the same moments."""
    start = threading.Barrier(PROCESSES)
    errors = []

    def process():
        try:
            start.wait()
            for _ in range(FLUSHES):
                stats.store_counts(Counter({(page_id, stats._hour(), "views", ""): VIEWS}))
        except Exception as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=process) for _ in range(PROCESSES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("store", ["database", "redis"])
def test_views_counted_by_many_processes_at_once_add_up_exactly(settings, tmp_path, store):
    if connection.vendor == "sqlite":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serializes them)")
    if store == "database":
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                "LOCATION": str(tmp_path / "cache"),
            }
        }
    elif not stats.counts_in_cache():
        pytest.skip("needs REDIS_URL")
    from tests.helpers import make_creator

    page = page_of(make_creator("alice", page=True))
    count_in_parallel(page.pk)
    if store == "redis":
        stats.flush_views(now=time.time() + 180)
    assert views_of(page) == PROCESSES * FLUSHES * VIEWS


@pytest.mark.django_db
def test_a_storage_failure_half_way_never_counts_a_view_twice(file_cache, alice, bob, monkeypatch):
    alices, bobs = page_of(alice), page_of(bob)
    hour = stats._hour()
    stats._pending.update({(alices.pk, hour, "views", ""): 5, (bobs.pk, hour, "views", ""): 7})
    real_add = stats._add_daily

    def failing_for_bob(page_id, *args):
        if page_id == bobs.pk:
            raise DatabaseError("database went away")
        real_add(page_id, *args)

    monkeypatch.setattr(stats, "_add_daily", failing_for_bob)
    assert stats.write_pending() == 5
    monkeypatch.setattr(stats, "_add_daily", real_add)
    assert stats.write_pending() == 7

    assert views_of(alices) == 5
    assert views_of(bobs) == 7
