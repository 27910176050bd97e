"""Alice's view counts are exact, whichever process counted them and however
quiet her page is afterwards."""

import threading
import time
from collections import Counter

import pytest
from django.db import DatabaseError, connection, connections
from django.test import Client

from stats import counting as stats
from tests.helpers import BROWSER, count_of, flush_counts, page_of


@pytest.fixture
def file_cache(settings, tmp_path):
    """The default cache of a server without Redis."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    }


def views_of(page):
    return count_of(page, "views")


@pytest.fixture
def flushing_thread(settings, monkeypatch):
    """The process's own thread stores counts, as in a web process (quickly here)."""
    settings.COUNTS_FLUSH_THREAD = True
    monkeypatch.setattr(stats, "FLUSH_SECONDS", 0.05)
    yield
    stats.stop_flushing()


def eventually(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
    return condition()


@pytest.mark.django_db(transaction=True)
def test_visits_are_stored_by_the_process_never_inside_a_visitors_request(
    flushing_thread, monkeypatch, closing_connections
):
    """Nobody waits for counts to be stored: no request (a view, a click, the
    dashboard) stores them, and they reach Alice's dashboard with nobody
    visiting again."""
    from pages.models import Link
    from tests.helpers import give_page, make_creator

    alice = make_creator("alice")
    page = give_page(alice)
    shop = Link.objects.create(page=page, title="Shop", url="https://shop.example.com")
    storing_threads = []
    real_store = stats.store_counts

    def recording(*args, **kwargs):
        storing_threads.append(threading.current_thread().name)
        return real_store(*args, **kwargs)

    monkeypatch.setattr(stats, "store_counts", recording)
    for n in range(3):
        visitor = Client(HTTP_USER_AGENT=BROWSER, REMOTE_ADDR=f"192.0.2.{n}")
        assert visitor.get("/@alice").status_code == 200
        assert visitor.get(f"/l/{shop.pk}").status_code == 302
        time.sleep(0.1)  # the thread flushes between visits too
    assert threading.current_thread().name not in storing_threads

    def all_stored():
        with stats._flush_lock:  # not half-way through a flush
            return not (stats._waiting or stats._pending or stats._unique)

    assert eventually(all_stored)
    assert set(storing_threads) == {"counts"}
    flush_counts()  # with Redis, the scheduler moves them into the daily rows
    assert (views_of(page), count_of(page, "link_clicks")) == (3, 3)
    alice_client = Client()
    alice_client.force_login(alice)
    assert "<strong>3</strong> views" in alice_client.get("/dashboard/").content.decode()


@pytest.mark.django_db
def test_views_stored_without_redis_never_touch_the_cache(file_cache, alice, visitor):
    from django.core.cache import cache

    visitor.get("/@alice")
    stats.write_pending()
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
