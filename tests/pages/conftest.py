"""Personas and a fake TikTok for the pages tests.

Alice is a creator with a healthy TikTok connection and a page; Bob is another
creator; `visitor` is an anonymous browser. `tiktok` replaces the functions of
accounts.client (the one module that speaks to TikTok) with an in-memory
TikTok whose profile, videos and faults a test sets.
"""

import itertools
from datetime import UTC, datetime, timedelta
from io import BytesIO

import pytest
from django.db import connections
from django.tasks import default_task_backend
from django.test import Client
from PIL import Image

from accounts import client
from accounts.client import TokenSet, VideoPage
from accounts.models import TikTokConnection, User
from pages import budget, stats
from pages.models import Page

ALL_SCOPES = ["user.info.basic", "user.info.profile", "user.info.stats", "video.list"]
BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148"
_ids = itertools.count(7_300_000_000_000_000_000)


@pytest.fixture(autouse=True)
def pages_settings(settings):
    settings.TIKTOK_API_BASE = "http://127.0.0.1:9/tiktok-api"
    settings.TIKTOK_PLAYER_BASE = "http://127.0.0.1:9/tiktok-web"
    settings.SITE_URL = "http://testserver"
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    stats._pending.clear()


def png(color="red", size=(60, 100)):
    out = BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def video(n, *, title=None, days_ago=None, views=1000):
    """A TikTok video dict as video/list returns it; higher n is newer."""
    created = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=n)
    if days_ago is not None:
        created = datetime.now(UTC) - timedelta(days=days_ago)
    video_id = str(next(_ids))
    return {
        "id": video_id,
        "create_time": int(created.timestamp()),
        "cover_image_url": f"https://cdn.example.test/cover/{video_id}.jpg?x-expires=1&sig=abc",
        "share_url": f"https://www.tiktok.com/@alice/video/{video_id}",
        "video_description": "",
        "title": title if title is not None else f"Video number {n}",
        "duration": 30,
        "view_count": views,
        "like_count": 10,
    }


class FakeTikTok:
    """An in-memory TikTok behind accounts.client's functions."""

    def __init__(self):
        self.profile = {
            "open_id": "oid-alice",
            "display_name": "Alice Sings",
            "username": "alice",
            "bio_description": "Songs every Friday",
            "is_verified": True,
            "follower_count": 12345,
            "avatar_url_100": "https://cdn.example.test/avatar/alice.jpg?x-expires=1",
            "profile_deep_link": "https://www.tiktok.com/@alice",
        }
        self.videos = [video(n) for n in range(5, 0, -1)]  # newest first
        self.fault = None  # an exception to raise from the data endpoints
        self.calls = {"user/info": 0, "video/list": 0, "download": 0}
        self.image = png()

    def add_video(self, **kwargs):
        item = video(100 + len(self.videos), **kwargs)
        self.videos.insert(0, item)
        return item

    def user_info(self, access_token, fields, *, user=None, page_id=None):
        self.calls["user/info"] += 1
        if self.fault:
            raise self.fault
        return {k: v for k, v in self.profile.items() if k in fields}

    def video_list(
        self, access_token, fields, *, cursor=None, max_count=20, user=None, page_id=None
    ):
        self.calls["video/list"] += 1
        if self.fault:
            raise self.fault
        items = sorted(self.videos, key=lambda v: v["create_time"], reverse=True)
        if cursor is not None:
            items = [v for v in items if v["create_time"] * 1000 < cursor]
        chunk = items[:max_count]
        more = len(items) > max_count
        next_cursor = chunk[-1]["create_time"] * 1000 if chunk else None
        return VideoPage(videos=chunk, cursor=next_cursor, has_more=more)

    def download(self, url, *, max_bytes=5_000_000):
        self.calls["download"] += 1
        return self.image


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


def queued_pages():
    """The ids of the pages whose refresh is queued, in order."""
    return [result.args[0] for result in default_task_backend.results]


@pytest.fixture
def closing_connections(monkeypatch):
    """A live server's threads close their database connections after each
    request, so PostgreSQL lets the test database be dropped at the end."""
    if connections["default"].vendor == "postgresql":
        monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)


def make_creator(username, *, scopes=None, page=True):
    user = User.objects.create(username=username)
    user.set_unusable_password()
    user.save()
    connection = TikTokConnection(user=user, open_id=f"oid-{username}")
    connection.set_tokens(
        TokenSet(
            access_token=f"act.{username}",
            refresh_token=f"rft.{username}",
            open_id=f"oid-{username}",
            scopes=scopes or list(ALL_SCOPES),
            expires_in=86400,
            refresh_expires_in=31536000,
        )
    )
    connection.save()
    if page:
        Page.create_for(user, username=username, display_name=username.title())
    return user


@pytest.fixture
def alice(db):
    return make_creator("alice")


@pytest.fixture
def bob(db):
    return make_creator("bob")


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


def page_of(user):
    return Page.objects.get(user=user)


def sync(user):
    """Run a refresh of the user's page the way the worker does."""
    from pages.tasks import refresh_page

    return refresh_page.call(page_of(user).pk)
