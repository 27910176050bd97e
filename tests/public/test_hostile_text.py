"""A creator's TikTok profile carries text no database or visitor should
get: NUL (PostgreSQL refuses it, which would fail every sync of that page),
bidi overrides that turn what a visitor reads around, lone surrogates, and
far more text than a column holds. The sync stores it clean, cut to size,
and keeps syncing. Runs on SQLite and on PostgreSQL (`make test` with
DATABASE_URL)."""

import pytest
from django.db import connection

from pages.models import Page
from tests.helpers import page_of, sync

pytestmark = pytest.mark.django_db

HOSTILE = "\x00\u202e\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069\ud800\x1b\x7f"


def stored_text(page):
    page = Page.objects.get(pk=page.pk)
    values = [page.display_name, page.username, page.bio, page.profile_deep_link]
    for video in page.videos.all():
        values += [video.external_id, video.title, video.share_url, video.cover_source]
    return values + [page.avatar_source]


def test_hostile_profile_and_video_text_is_stored_clean(alice, tiktok, visitor):
    tiktok.profile["display_name"] = f"Alice{HOSTILE} Sings" + "!" * 500
    tiktok.profile["bio_description"] = f"Songs{HOSTILE}\nevery Friday " + "la " * 5000
    tiktok.profile["username"] = f"alice{HOSTILE}"
    tiktok.profile["profile_deep_link"] = f"https://www.tiktok.com/@alice{HOSTILE}"
    tiktok.profile["avatar_url_100"] = f"https://cdn.example.test/avatar/{HOSTILE}.jpg"
    tiktok.videos[0]["title"] = f"Dance{HOSTILE} challenge " + "x" * 1000
    tiktok.videos[0]["share_url"] = f"https://www.tiktok.com/@alice/video/1{HOSTILE}"
    tiktok.videos[0]["cover_image_url"] = f"https://cdn.example.test/c/{HOSTILE}.jpg"
    tiktok.videos[1]["id"] = f"73{HOSTILE}"

    assert sync(alice) == "changed"

    page = page_of(alice)
    for value in stored_text(page):
        assert not set(value) & set(HOSTILE), (connection.vendor, value)
    assert page.display_name.startswith("Alice Sings!") and len(page.display_name) == 200
    assert page.bio.startswith("Songs\nevery Friday la ") and len(page.bio) == 1000
    assert page.username == "alice"
    assert page.videos.count() == 4  # the video whose id cannot be stored is left out
    title = page.videos.get(title__startswith="Dance").title
    assert title.startswith("Dance challenge xxx") and len(title) == 300
    html = visitor.get("/@alice").content.decode()
    assert "Alice Sings!" in html and "\u202e" not in html and "\x00" not in html


def test_a_hostile_profile_does_not_stop_later_syncs(alice, tiktok):
    tiktok.profile["bio_description"] = f"Songs{HOSTILE}"
    assert sync(alice) == "changed"
    assert sync(alice) == "unchanged"  # the cleaned text is what the next sync compares
    tiktok.profile["bio_description"] = "New bio"
    assert sync(alice) == "changed"
    assert page_of(alice).bio == "New bio"
    assert page_of(alice).last_sync_error == ""
