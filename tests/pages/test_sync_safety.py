"""Alice's page never loses what she set up because TikTok answered strangely,
and it stops showing what she no longer shares."""

from pathlib import Path

import pytest
import responses
from django.conf import settings

from accounts import client
from accounts.client import VideoPage
from tests.pages.conftest import page_of, sync

pytestmark = pytest.mark.django_db

REAL_VIDEO_LIST = client.video_list


def media(name):
    return Path(settings.MEDIA_ROOT) / name


def set_up_videos(alice, tiktok):
    """Alice's five videos, one hidden, one pinned with a shop link."""
    sync(alice)
    page = page_of(alice)
    page.videos.filter(title="Video number 2").update(hidden=True)
    page.videos.filter(title="Video number 1").update(
        pinned=True, link_url="https://shop.example.com/look"
    )
    page.last_synced_at = None
    page.save()
    return page


def settings_of(page):
    return sorted(page.videos.values_list("title", "hidden", "pinned", "link_url"))


MALFORMED_LISTS = {
    "ok without data": {"data": {}, "error": {"code": "ok", "message": "", "log_id": "l1"}},
    "more to come without a cursor": {
        "data": {"videos": [], "has_more": True},
        "error": {"code": "ok", "message": "", "log_id": "l2"},
    },
}


@pytest.mark.parametrize("kind", MALFORMED_LISTS)
def test_a_malformed_video_list_keeps_every_video_and_its_settings(
    alice, tiktok, monkeypatch, visitor, kind
):
    page = set_up_videos(alice, tiktok)
    before = settings_of(page)
    covers = [media(v.cover.name) for v in page.videos.all()]
    monkeypatch.setattr(client, "video_list", REAL_VIDEO_LIST)
    with responses.RequestsMock() as tiktok_api:
        tiktok_api.post(f"{settings.TIKTOK_API_BASE}/v2/video/list/", json=MALFORMED_LISTS[kind])
        assert sync(alice) == "failed"
    page = page_of(alice)
    assert settings_of(page) == before
    assert all(cover.exists() for cover in covers)
    assert "could not read" in page.last_sync_error
    html = visitor.get("/@alice").content.decode()
    assert "Video number 1" in html and "Shop this look" in html


def test_a_list_cut_short_without_a_cursor_keeps_the_older_videos(alice, tiktok, monkeypatch):
    sync(alice)
    newest_two = tiktok.videos[:2]

    def cut_short(access_token, fields, **kwargs):
        return VideoPage(videos=newest_two, cursor=None, has_more=True)

    monkeypatch.setattr(client, "video_list", cut_short)
    page = page_of(alice)
    page.last_synced_at = None
    page.save()
    sync(alice)
    assert page_of(alice).videos.count() == 5
