"""Shared test helpers: personas, TikTok's answers, the fake TikTok behind
the client, and small tools for live servers and browsers.

Fixtures live in the conftest.py files; everything a test imports lives here.
The personas: Alice is a creator with a healthy TikTok connection, Bob is
another creator, a visitor is an anonymous phone browser.
"""

import itertools
import json
import secrets
import subprocess
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import redis
import requests
import time_machine
from django.tasks import default_task_backend
from django.utils import timezone
from PIL import Image

from accounts.models import User
from pages.models import Page, idle_due_at
from pages.sync import lost_images
from sandbox import testing as sandbox
from sources.tiktok import budget
from sources.tiktok import client as tiktok
from sources.tiktok.client import TokenSet, VideoPage, parse_scopes
from sources.tiktok.models import TikTokConnection
from tests.bench.servers import free_port

# TikTok at hosts nothing listens on: a test that forgets to mock a call fails.
API = "http://127.0.0.1:9/tiktok-api"
AUTH = "http://127.0.0.1:9/tiktok-web"
TOKEN_URL = f"{API}/v2/oauth/token/"
REVOKE_URL = f"{API}/v2/oauth/revoke/"
USER_URL = f"{API}/v2/user/info/"
CALLBACK = "/accounts/tiktok/login/callback/"
ALL_SCOPES = ["user.info.basic", "user.info.profile", "user.info.stats", "video.list"]
BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148"


# Personas.


def make_creator(username, *, scopes=None, page=False, expires_in=86400, user_id=None):
    """A creator connected to TikTok (tokens act.<name>-1 / rft.<name>-1), with a page if asked."""
    user = User.objects.create(username=username, id=user_id)
    user.set_unusable_password()
    user.save()
    connection = TikTokConnection(user=user, open_id=f"oid-{username}")
    connection.set_tokens(
        TokenSet(
            access_token=f"act.{username}-1",
            refresh_token=f"rft.{username}-1",
            open_id=f"oid-{username}",
            scopes=scopes or list(ALL_SCOPES),
            expires_in=expires_in,
            refresh_expires_in=31536000,
        )
    )
    connection.granted_at = timezone.now()
    connection.save()
    if page:
        give_page(user)
    return user


def give_page(user):
    """The creator's page, as their first sign-in makes it."""
    from pages.source import Profile

    return Page.create_for(
        user, Profile(username=user.username, display_name=user.username.title())
    )


def page_of(user):
    return Page.objects.get(user=user)


def synced_ago(pages, delta):
    """These pages' last sync was `delta` ago, and scheduled the next as a sync does."""
    synced = timezone.now() - delta
    pages.update(last_synced_at=synced, sync_due_at=idle_due_at(synced))


def change_form(page, **changes):
    """What the admin's change form posts for the page, with some fields changed."""
    data = {}
    for field in page._meta.fields:
        if field.name in ("id", "avatar", "share_image", "created") or not field.editable:
            continue
        value = getattr(page, field.attname)
        if isinstance(value, bool):
            if value:
                data[field.name] = "on"
        else:
            data[field.name] = "" if value is None else value
    for inline in ("links", "moderation_decisions"):
        data.update({f"{inline}-TOTAL_FORMS": 0, f"{inline}-INITIAL_FORMS": 0})
    data.update(changes)
    return data


def expire_access(user):
    TikTokConnection.objects.filter(user=user).update(
        access_expires_at=timezone.now() - timedelta(minutes=5)
    )


# TikTok's answers, as its API sends them.


def flush_counts():
    """Store every view, click and play counted so far in the daily rows, as
    the scheduler does a couple of minutes later (through Redis when it is the cache)."""
    from django.core.cache import cache

    from stats import counting as stats

    stats.write_pending()
    if stats.counts_in_cache():
        cache.delete(stats.LAST_FLUSH_KEY)
        stats.flush_views(now=time.time() + 180)


def count_of(page, metric, subject=None):
    """A page's stored count of a metric over all days (of one subject if given)."""
    from stats.models import DailyCount

    rows = DailyCount.objects.filter(page=page, metric=metric)
    if subject is not None:
        rows = rows.filter(subject=subject)
    return sum(rows.values_list("count", flat=True))


def envelope(data=None, code="ok", message="", log_id="log-ok-1"):
    return {"data": data or {}, "error": {"code": code, "message": message, "log_id": log_id}}


def token_answer(access="act.alice-1", refresh="rft.alice-1", open_id="oid-alice", scope=None):
    return {
        "access_token": access,
        "expires_in": 86400,
        "open_id": open_id,
        "refresh_expires_in": 31536000,
        "refresh_token": refresh,
        "scope": scope or ",".join(ALL_SCOPES),
        "token_type": "Bearer",
    }


def start_sign_in(client, **data):
    """Press "Continue with TikTok"; returns the authorize URL's query."""
    response = client.post("/accounts/tiktok/login/", {"next": "/dashboard/", **data})
    assert response.status_code == 302
    url = urlsplit(response["Location"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{AUTH}/v2/auth/authorize/"
    return {key: values[0] for key, values in parse_qs(url.query).items()}


def back_from_tiktok(client, query, **params):
    """TikTok sends the browser back to the callback (with a code, unless told otherwise)."""
    params = {"code": "code-1", "scopes": query["scope"], "state": query["state"], **params}
    return client.get(CALLBACK, {key: value for key, value in params.items() if value is not None})


def tiktok_answers():
    """TikTok's documented answers (tests/answers/tiktok.json), each with the
    doc page it follows and what the client must make of it."""
    path = Path(__file__).with_name("answers") / "tiktok.json"
    return json.loads(path.read_text())["answers"]


def png(color="red", size=(60, 100)):
    out = BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


_ids = itertools.count(7_300_000_000_000_000_000)


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
    """An in-memory TikTok behind the client's functions (user_info, video_list,
    download), for tests of what the pages make of TikTok's answers."""

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
        self.calls = {"user.info": 0, "video.list": 0, "download": 0}
        self.image = png()

    def add_video(self, **kwargs):
        item = video(100 + len(self.videos), **kwargs)
        self.videos.insert(0, item)
        return item

    def user_info(self, access_token, fields, *, user=None, page_id=None):
        self.calls["user.info"] += 1
        if self.fault:
            raise self.fault
        return {k: v for k, v in self.profile.items() if k in fields}

    def video_list(
        self, access_token, fields, *, cursor=None, max_count=20, user=None, page_id=None
    ):
        self.calls["video.list"] += 1
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


# The task queue.


def queued_pages():
    """The ids of the pages whose sync is queued, in order."""
    return [result.args[0] for result in default_task_backend.results]


def sync(user):
    """Run a sync of the user's page the way the worker does, under a lease
    taken as a claim takes it (also when a claim would refuse: the page was
    paused or suspended after its sync was queued)."""
    from pages.sync import leases
    from pages.sync.tasks import sync_page

    page_id, lease = page_of(user).pk, secrets.token_hex(16)
    until = timezone.now() + timedelta(seconds=leases.LEASE_SECONDS)
    Page.objects.filter(pk=page_id).update(sync_lease_until=until, sync_lease_token=lease)
    return sync_page.call(page_id, lease)


# Live servers and browsers.


class ClosingAdapter(requests.adapters.HTTPAdapter):
    def send(self, *args, **kwargs):
        response = super().send(*args, **kwargs)
        response.content  # noqa: B018 (read the body before closing)
        self.close()
        return response


def closing_session():
    """A requests session that closes its connection after every response, so
    each live-server request thread ends (and closes its database connection)
    before the test that started it is torn down."""
    session = requests.Session()
    session.headers["Connection"] = "close"
    session.mount("http://", ClosingAdapter())
    return session


@contextmanager
def fresh_page(browser):
    """A page in a browser context of its own: no cookies, nothing cached."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        yield page
    finally:
        context.close()


# Services a test may stop: its own, on a free port, never the shared ones.


class PrivateRedis:
    """A redis-server of a test's own, without persistence, that it can stop and start."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        for _ in range(100):
            try:
                client.ping()
                return self
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait()
            self.process = None


# A source that is not TikTok.


class FakeSource:
    """A second source of profiles and videos, in memory: it has the shape of
    `sources.base.Source` without subclassing it, and nothing of TikTok.
    Registered under the key "fake" by the `fake_source` fixture
    (tests/conftest.py); each creator's profile and videos are set per user."""

    key = "fake"
    display_name = "Fakeflix"

    def __init__(self):
        self.profiles = {}  # user id -> Profile
        self.videos = {}  # user id -> [VideoItem], newest first
        self.connected = set()  # user ids
        self.paused = set()
        self.rooms = 10
        self.fault = None  # a SourceError to raise from the data calls
        self.images = {}  # url -> bytes

    def connect(self, user, profile, videos=()):
        self.connected.add(user.pk)
        self.profiles[user.pk] = profile
        self.videos[user.pk] = list(videos)

    def profile(self, user, *, page_id=None):
        self._check(user)
        return self.profiles[user.pk]

    def latest_videos(self, user, count, *, page_id=None):
        from sources.base import VideoList

        self._check(user)
        return VideoList(items=self.videos[user.pk][:count], complete=True)

    def known_videos(self, user, ids, *, page_id=None):
        from sources.base import VideoList

        self._check(user)
        items = [item for item in self.videos[user.pk] if item.id in ids]
        return VideoList(items=items, cut_short=True)

    def connection(self, user):
        from sources.base import Connection

        if user.pk not in self.connected:
            return None
        return Connection(state="connected", paused=user.pk in self.paused)

    def syncable_users(self, among=None):
        ids = self.connected - self.paused
        users = User.objects.filter(pk__in=ids)
        if among is not None:
            users = users.filter(pk=among)
        return users.values("pk")

    def room(self):
        return self.rooms

    def player_url(self, video_id):
        return f"https://fakeflix.example/embed/{video_id}"

    def watch_url(self, video_id, share_url=""):
        return f"https://fakeflix.example/watch/{video_id}"

    def download(self, url, *, max_bytes):
        from sources.base import Unusable

        if url not in self.images:
            raise Unusable("No such picture.", code="not_found")
        return self.images[url]

    def _check(self, user):
        from sources.base import NeedsReconnect

        if self.fault:
            raise self.fault
        if user.pk not in self.connected:
            raise NeedsReconnect("Connect Fakeflix again.", code="reconnect")


def use_sandbox_as_tiktok(live_server, settings, monkeypatch):
    """Points the site at the sandbox its live server runs, as `make run` does:
    sign-in and API calls go there, with a fresh call budget and a session that
    closes each connection (see `closing_session`)."""
    base = live_server.url + "/sandbox/tiktok"
    settings.SITE_URL = live_server.url
    settings.TIKTOK_API_BASE = settings.TIKTOK_AUTH_BASE = base
    settings.TIKTOK_CLIENT_KEY = "sandbox-linkinbio"
    settings.TIKTOK_CLIENT_SECRET = "sandbox-linkinbio-secret"
    sandbox.register_live_server(live_server.url)
    monkeypatch.setattr(tiktok, "session", closing_session())
    budget.reset()


def connect_through_sandbox(username):
    """A creator who allowed everything at the sandbox's consent screen, her
    tokens stored as a sign-in stores them; she has no page yet."""
    answer = sandbox.grant(username)
    user = User.objects.create(username=username)
    connection = TikTokConnection(user=user, open_id=answer["open_id"])
    connection.set_tokens(
        TokenSet(
            access_token=answer["access_token"],
            refresh_token=answer["refresh_token"],
            open_id=answer["open_id"],
            scopes=parse_scopes(answer["scope"]),
            expires_in=answer["expires_in"],
            refresh_expires_in=answer["refresh_expires_in"],
        )
    )
    connection.save()
    return user


def retire_after_cached_pages_expire(user):
    """The creator's page syncs once no browser or CDN can still hold a copy
    of it that shows a picture it replaced (its daily look at its images)."""
    later = timezone.now() + timedelta(seconds=lost_images.retired_grace_seconds() + 86400)
    with time_machine.travel(later):
        return sync(user)


def pin_oldest_beyond_the_list(user):
    """The creator pinned her oldest video and shows 6: the newest twenty
    TikTok lists no longer hold it, yet her page keeps it."""
    page = page_of(user)
    page.videos_shown = 40
    page.save()
    sync(user)
    oldest = page.videos.order_by("create_time").first()
    oldest.pinned = True
    oldest.save()
    page.videos_shown = 6
    page.save()
    sync(user)
    return oldest
