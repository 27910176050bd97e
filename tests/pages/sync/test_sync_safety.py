"""Alice's page never loses what she set up because TikTok answered strangely,
and it stops showing what she no longer shares."""

from pathlib import Path

import pytest
import responses
from django.conf import settings

from pages.models import Page
from sources.tiktok import client
from sources.tiktok.client import ScopeNotAuthorized, VideoPage
from sources.tiktok.models import TikTokConnection
from tests.helpers import page_of, sync

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


def without_video_access(user):
    connection = TikTokConnection.objects.get(user=user)
    scopes = [scope for scope in connection.scopes if scope != "video.list"]
    TikTokConnection.objects.filter(pk=connection.pk).update(scopes=scopes)


def test_videos_leave_the_page_when_alice_withdraws_video_access(
    alice, tiktok, visitor, django_capture_on_commit_callbacks
):
    sync(alice)
    covers = [media(v.cover.name) for v in page_of(alice).videos.all()]
    assert "Video number 3" in visitor.get("/@alice").content.decode()
    without_video_access(alice)
    Page.objects.filter(user=alice).update(last_synced_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        assert sync(alice) == "changed"
    assert page_of(alice).videos.count() == 0
    assert not any(cover.exists() for cover in covers)
    html = visitor.get("/@alice").content.decode()
    assert "Video number 3" not in html and "Alice Sings" in html


def test_a_refusal_of_video_access_rereads_what_alice_granted(alice, tiktok, monkeypatch, visitor):
    """TikTok refuses the video list; meanwhile a token refresh learned that
    video access was withdrawn: the videos go instead of retrying for ever."""
    sync(alice)

    def refuse(access_token, fields, **kwargs):
        without_video_access(alice)
        raise ScopeNotAuthorized("scope_not_authorized", http_status=401)

    monkeypatch.setattr(client, "video_list", refuse)
    Page.objects.filter(user=alice).update(last_synced_at=None)
    assert sync(alice) == "changed"
    page = page_of(alice)
    assert page.videos.count() == 0 and page.sync_backoff_until is None
    assert "Video number 3" not in visitor.get("/@alice").content.decode()
