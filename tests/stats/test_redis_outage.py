"""Redis stops: visitors notice nothing. Pages a process holds in memory are
served from there, others are rendered from the database, link redirects go
on, reports are taken, the log says once that Redis is away and once that it
is back, and the views and clicks counted meanwhile are stored when it is.

Each test runs its own redis-server on a free port and stops that one."""

import contextlib
import logging
import os
import signal
import subprocess
import time

import pytest
import redis

from pages import cache as page_cache
from pages import publish
from pages.models import Link
from stats import counting as stats
from stats import visitors
from tests.helpers import BROWSER, PrivateRedis, count_of, flush_counts, page_of

pytestmark = pytest.mark.django_db
RETRY_SECONDS = 0.2


@pytest.fixture
def private_redis(settings):
    server = PrivateRedis().start()
    settings.CACHES = {
        "default": {
            "BACKEND": "linkinbio.redis_cache.OutageTolerantRedisCache",
            "LOCATION": server.url,
            "OPTIONS": {"RETRY_SECONDS": RETRY_SECONDS},
        }
    }
    # Every visit asks the shared cache for the page's version, so none is
    # served from memory merely because it was read a moment ago.
    settings.PAGE_MEMORY_CHECK_SECONDS = 0
    page_cache.forget_missing()
    visitors.forget_salts()
    yield server
    server.stop()


def back_again(server, client):
    """Start Redis again and let the cache's next try find it."""
    server.start()
    time.sleep(RETRY_SECONDS * 2)
    client.get("/@alice")


def warnings_in(caplog):
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


def test_visitors_notice_nothing_while_redis_is_away(private_redis, alice, bob, visitor, caplog):
    shop = Link.objects.create(page=page_of(alice), title="Shop", url="https://shop.example/")
    assert visitor.get("/@alice").status_code == 200  # in this process's memory now
    flush_counts()

    private_redis.stop()
    with caplog.at_level(logging.INFO):
        for n in range(10):
            phone = {"HTTP_USER_AGENT": BROWSER, "REMOTE_ADDR": f"198.51.100.{n}"}
            page = visitor.get("/@alice", **phone)
            assert page.status_code == 200
            assert b"Shop" in page.content
            click = visitor.get(f"/l/{shop.pk}", **phone)
            assert click.status_code == 302
            assert click["Location"] == "https://shop.example/"
        cold = visitor.get("/@bob")  # never served by this process: from the database
        assert cold.status_code == 200
        assert b"Bob" in cold.content
        report = visitor.post("/@alice/report", {"reason": "spam", "message": "Fake giveaway"})
        assert "Thank you" in report.content.decode()
        stats.write_pending()  # the process's turn to store its counts: they wait
    assert warnings_in(caplog) == [
        "Redis is unreachable (ConnectionError): pages are served from memory or rendered from "
        f"the database, counts wait in this process; trying again every {RETRY_SECONDS} s"
    ]

    caplog.clear()
    with caplog.at_level(logging.INFO):
        back_again(private_redis, visitor)
        flush_counts()
    assert len(warnings_in(caplog)) == 1
    assert warnings_in(caplog)[0].startswith("Redis is back after ")
    assert count_of(page_of(alice), "views") == 1 + 10
    assert count_of(page_of(alice), "link_clicks", str(shop.pk)) == 10
    assert count_of(page_of(bob), "views") == 1


def test_a_silent_redis_is_asked_once_not_by_every_visitor(
    private_redis, alice, visitor, settings, monkeypatch
):
    settings.CACHES["default"]["OPTIONS"] = {"RETRY_SECONDS": 3600}
    assert visitor.get("/@alice").status_code == 200
    asked = []
    connect = redis.ConnectionPool.get_connection
    monkeypatch.setattr(
        redis.ConnectionPool,
        "get_connection",
        lambda pool, *args, **kwargs: asked.append(1) or connect(pool, *args, **kwargs),
    )

    os.kill(private_redis.process.pid, signal.SIGSTOP)  # hung: accepts, never answers
    try:
        for n in range(20):
            answer = visitor.get("/@alice", REMOTE_ADDR=f"198.51.100.{n}")
            assert answer.status_code == 200
    finally:
        os.kill(private_redis.process.pid, signal.SIGCONT)
    assert len(asked) == 1


def test_a_reporter_is_still_held_to_the_limit_while_redis_is_away(private_redis, alice):
    private_redis.stop()
    from django.test import Client

    carol = Client(HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="203.0.113.7")
    answers = [
        carol.post("/@alice/report", {"reason": "spam", "message": f"report {n}"}) for n in range(6)
    ]
    assert all("Thank you" in answer.content.decode() for answer in answers[:5])
    assert answers[5].status_code == 429
    assert "what you wrote is still here" in answers[5].content.decode()


class PersistentRedis(PrivateRedis):
    """A private redis-server that keeps its data across a restart, as one
    with `appendonly yes` does."""

    def __init__(self, folder):
        super().__init__()
        self.folder = folder

    def start(self):
        server = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port)
        for _ in range(100):
            with contextlib.suppress(redis.ConnectionError, redis.BusyLoadingError):
                client.ping()
                self.process = server
                return self
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.process is not None:
            redis.Redis(port=self.port).save()
        super().stop()


def test_an_edit_made_while_redis_was_away_shows_once_it_is_back_with_its_data(
    private_redis, settings, tmp_path, alice, bob, visitor
):
    """Redis restarts with what it held: Alice's new link, added while it was
    away, shows on her page once it is back, not the page Redis still held."""
    server = PersistentRedis(tmp_path).start()
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": server.url}}
    try:
        assert b"Shop" not in visitor.get("/@alice").content  # her page is in Redis
        server.stop()
        Link.objects.create(page=page_of(alice), title="Shop", url="https://shop.example/")
        publish.page_changed(page_of(alice))  # as her dashboard does
        back_again(server, visitor)
        page = visitor.get("/@alice")
        assert page.status_code == 200
        assert b"Shop" in page.content
    finally:
        server.stop()
