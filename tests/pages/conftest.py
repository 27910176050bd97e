"""Fixtures of the pages tests: Alice and Bob with their pages, a visitor, and
`tiktok`, the fake TikTok behind the client (tests/helpers.py) whose profile,
videos and faults a test sets."""

import pytest
from django.db import connections
from django.tasks import default_task_backend
from django.test import Client

from sources.tiktok import budget, client
from tests.helpers import BROWSER, FakeTikTok, give_page


@pytest.fixture(autouse=True)
def pages_settings(settings):
    settings.TIKTOK_API_BASE = "http://127.0.0.1:9/tiktok-api"
    settings.TIKTOK_PLAYER_BASE = "http://127.0.0.1:9/tiktok-web"
    settings.SITE_URL = "http://testserver"
    settings.TASKS = {
        "default": {
            **settings.TASKS["default"],
            "BACKEND": "django.tasks.backends.dummy.DummyBackend",
        }
    }


@pytest.fixture
def tiktok(monkeypatch):
    fake = FakeTikTok()
    monkeypatch.setattr(client, "user_info", fake.user_info)
    monkeypatch.setattr(client, "video_list", fake.video_list)
    monkeypatch.setattr(client, "download", fake.download)
    return fake


@pytest.fixture
def empty_queue():
    """No task queued and the API budget full, before and after the test."""
    default_task_backend.clear()
    budget.reset()
    yield
    default_task_backend.clear()


@pytest.fixture
def closing_connections(monkeypatch):
    """A live server's threads close their database connections after each
    request, so PostgreSQL lets the test database be dropped at the end."""
    if connections["default"].vendor == "postgresql":
        monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)


@pytest.fixture
def alice(alice):
    give_page(alice)
    return alice


@pytest.fixture
def bob(bob):
    give_page(bob)
    return bob


@pytest.fixture
def alice_client(alice):
    c = Client()
    c.force_login(alice)
    return c


@pytest.fixture
def bob_client(bob):
    c = Client()
    c.force_login(bob)
    return c


@pytest.fixture
def visitor():
    return Client(HTTP_USER_AGENT=BROWSER)
