"""Zelda deletes her account: afterwards no table, no cache entry and no file
holds her user id, page id, TikTok open_id, address or name, on either stack
(SQLite and the file cache; PostgreSQL and Redis)."""

import pickle
import zlib
from pathlib import Path

import pytest
from django.contrib.admin.models import LogEntry
from django.core.cache import cache
from django.db import connection

from accounts.models import User
from pages import publish
from pages.models import Link, Page
from pages.source import Profile
from pages.sync.tasks import sync_page
from sources.tiktok.models import TikTokConnection
from tests.helpers import BROWSER, make_creator, sync

pytestmark = pytest.mark.django_db

USER_ID, PAGE_ID = 987650001, 987650002
OPEN_ID, SLUG, NAME = "oid-zeldaqu", "zeldaqu", "Zelda Quixotic-Umber"


@pytest.fixture
def zelda(tiktok, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    tiktok.profile.update(open_id=OPEN_ID, username=SLUG, display_name=NAME)
    user = make_creator(SLUG, user_id=USER_ID)
    TikTokConnection.objects.filter(user=user).update(open_id=OPEN_ID)
    page = Page.create_for(user, Profile(username=SLUG, display_name=NAME))
    Page.objects.filter(pk=page.pk).update(id=PAGE_ID)
    return user


def needles():
    return [str(USER_ID), str(PAGE_ID), OPEN_ID, SLUG, NAME]


def table_hits():
    hits = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (table names from the database)
            for row in cursor.fetchall():
                text = " ".join(str(value) for value in row)
                hits += [(table, n, text[:200]) for n in needles() if n in text]
    return hits


def cache_hits(settings):
    found = []
    if "FileBasedCache" in settings.CACHES["default"]["BACKEND"]:
        for path in Path(settings.CACHES["default"]["LOCATION"]).glob("*.djcache"):
            with path.open("rb") as f:
                pickle.load(f)  # the expiry
                blob = zlib.decompress(f.read())
            found += [(path.name, n) for n in needles() if n.encode() in blob]
    else:
        client = cache._cache.get_client()
        for key in client.scan_iter("*"):
            blob = key + redis_value(client, key)
            found += [(key, n) for n in needles() if n.encode() in blob]
    return found


def redis_value(client, key):
    kind = client.type(key).decode()
    if kind == "string":
        return client.get(key) or b""
    if kind == "hash":
        return b" ".join(k + b"=" + v for k, v in client.hgetall(key).items())
    if kind == "list":
        return b" ".join(client.lrange(key, 0, -1))
    if kind == "set":
        return b" ".join(client.smembers(key))
    if kind == "zset":
        return b" ".join(client.zrange(key, 0, -1))
    return b""


def media_hits(settings):
    root = Path(settings.MEDIA_ROOT)
    files = [p for p in root.rglob("*")] if root.exists() else []
    return [
        (str(p), n)
        for p in files
        for n in needles()
        if n in str(p.relative_to(root)) or (p.is_file() and n.encode() in p.read_bytes())
    ]


def test_deleting_the_account_leaves_nothing_anywhere(
    admin_client, zelda, visitor, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sync(zelda)
    page = Page.objects.get(user=zelda)
    Link.objects.create(page=page, title="Zelda's shop", url="https://shop.example.com")
    for _ in range(3):  # three versions, each rendered and cached
        publish.page_changed(page)
        assert visitor.get(f"/@{SLUG}", HTTP_USER_AGENT=BROWSER).status_code == 200
        assert visitor.get(f"/@{SLUG}?page=1").status_code == 200
    visitor.post(f"/@{SLUG}/report", {"reason": "other", "message": f"{NAME} again"})
    admin_client.post(f"/admin/pages/page/{PAGE_ID}/change/", {"slug": SLUG})  # may refuse
    LogEntry.objects.log_actions(
        user_id=User.objects.get(is_superuser=True).pk,
        queryset=[page],
        action_flag=2,
        change_message=f"Looked at {NAME}",
    )
    sync_page.enqueue(PAGE_ID)
    assert table_hits() and cache_hits(settings)  # the scan sees her before

    zelda_client = type(visitor)()
    zelda_client.force_login(zelda)
    with django_capture_on_commit_callbacks(execute=True):
        response = zelda_client.post("/dashboard/data/delete/", {"confirm": "yes"}, follow=True)
    assert b"deleted" in response.content

    assert table_hits() == []
    assert cache_hits(settings) == []
    assert media_hits(settings) == []
    assert LogEntry.objects.filter(object_repr="(deleted)").exists()  # the history stays
