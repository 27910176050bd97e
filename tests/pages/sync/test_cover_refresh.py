"""TikTok's cover addresses expire and a creator can choose another cover: the
page mirrors the new one into our storage when a sync lists the video with
another cover, and asks TikTok (video/query) again for the covers it shows but
no longer lists, on a slow cadence and only when the rate limit has room.
TikTok is the sandbox behind a live server."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from pages.models import Page
from sandbox import testing
from sources.tiktok import budget
from tests.helpers import pin_oldest_beyond_the_list, sync
from tests.pages.sync.test_sandbox_sync import connect, sandbox  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db(transaction=True)


def shown_cover(visitor, video):
    """The cover address the public page shows for the video."""
    video.refresh_from_db()
    html = visitor.get(f"/@{video.page.slug}").content.decode()
    assert "/sandbox/tiktok/img/" not in html  # never TikTok's own addresses
    assert video.cover.url in html
    return video.cover.name


def queries():
    return testing.stats()["calls"]["video.query"]


@pytest.fixture
def alice(sandbox):  # noqa: F811
    budget.reset()
    testing.create_account("alice", display_name="Alice Sings", video_count=30)
    return connect("alice")


@pytest.fixture
def pinned(alice):
    """Alice pinned her oldest video, which TikTok's newest twenty no longer list."""
    oldest = pin_oldest_beyond_the_list(alice)
    assert oldest.page.videos.filter(pk=oldest.pk).exists()
    return oldest


def test_a_cover_the_creator_changed_on_tiktok_is_mirrored_at_the_next_sync(alice, visitor):
    sync(alice)
    newest = Page.objects.get(user=alice).videos.order_by("-create_time").first()
    before = shown_cover(visitor, newest)

    testing.change_cover("alice", newest.external_id)
    assert sync(alice) == "changed"

    after = shown_cover(visitor, newest)
    assert after != before


def test_the_same_cover_signed_anew_is_not_fetched_into_a_new_file(alice, visitor):
    sync(alice)
    newest = Page.objects.get(user=alice).videos.order_by("-create_time").first()
    before = shown_cover(visitor, newest)
    assert sync(alice) == "unchanged"
    assert shown_cover(visitor, newest) == before


def test_a_pinned_video_no_longer_listed_gets_its_new_cover_after_the_cadence(
    pinned, alice, visitor, settings
):
    before = shown_cover(visitor, pinned)
    testing.change_cover("alice", pinned.external_id)

    sync(alice)
    assert queries() == 0  # checked lately: not asked again yet
    assert shown_cover(visitor, pinned) == before

    later = timezone.now() + timedelta(seconds=settings.COVER_REFRESH_SECONDS + 3600)
    with time_machine.travel(later):
        assert sync(alice) == "changed"
        assert queries() == 1
        assert shown_cover(visitor, pinned) != before
        sync(alice)
        assert queries() == 1  # checked now: the next look is a cadence away


def test_no_room_in_the_rate_limit_means_no_cover_request(pinned, alice, visitor, settings):
    settings.TIKTOK_RATE_LIMIT_PER_MINUTE = 5  # a bucket of one call, slow to refill
    before = shown_cover(visitor, pinned)
    testing.change_cover("alice", pinned.external_id)

    later = timezone.now() + timedelta(seconds=settings.COVER_REFRESH_SECONDS + 3600)
    with time_machine.travel(later):
        while budget.spend("video.query"):
            pass
        assert sync(alice) in ("changed", "unchanged")  # the sync itself goes on
        assert queries() == 0
        assert shown_cover(visitor, pinned) == before
        budget.reset()
        sync(alice)
        assert queries() == 1  # asked at the next sync with room
        assert shown_cover(visitor, pinned) != before


def test_a_pinned_video_the_creator_deleted_on_tiktok_leaves_the_page_once_tiktok_says_so(
    pinned, alice, visitor, settings
):
    """Alice deleted the old video she had pinned: when TikTok's answer about
    it leaves it out, her page stops showing its cover, title and link."""
    cover = shown_cover(visitor, pinned)
    testing.delete_video("alice", pinned.external_id)

    later = timezone.now() + timedelta(seconds=settings.COVER_REFRESH_SECONDS + 3600)
    with time_machine.travel(later):
        assert sync(alice) == "changed"
        assert queries() == 1  # TikTok was asked, and said nothing of it
        html = visitor.get(f"/@{pinned.page.slug}").content.decode()
        assert pinned.external_id not in html
        assert pinned.cover.url not in html
        assert not Page.objects.get(user=alice).videos.filter(pk=pinned.pk).exists()
        assert not pinned.cover.storage.exists(cover)


def test_a_pinned_video_stays_while_tiktok_cannot_be_asked_about_it(
    pinned, alice, visitor, settings
):
    """TikTok refuses the question (it is down): nothing says the video is
    gone, so the page keeps it."""
    testing.add_fault("video.query", "api_error", error="internal_error", account="alice", times=5)

    later = timezone.now() + timedelta(seconds=settings.COVER_REFRESH_SECONDS + 3600)
    with time_machine.travel(later):
        sync(alice)
        assert Page.objects.get(user=alice).videos.filter(pk=pinned.pk).exists()
        assert pinned.cover.url in visitor.get(f"/@{pinned.page.slug}").content.decode()


def test_a_replaced_cover_still_shows_on_pages_cached_before_and_goes_once_they_expire(
    alice, visitor, settings
):
    """A visitor's browser (or a CDN) still holds the page as it was before
    Alice changed her cover: the old picture still loads; once no cached page
    can show it any more, its file is deleted."""
    sync(alice)
    newest = Page.objects.get(user=alice).videos.order_by("-create_time").first()
    before = shown_cover(visitor, newest)
    cached_html = visitor.get(f"/@{newest.page.slug}").content.decode()

    testing.change_cover("alice", newest.external_id)
    assert sync(alice) == "changed"
    assert shown_cover(visitor, newest) != before
    old_url = newest.cover.storage.url(before)
    assert old_url in cached_html
    assert visitor.get(old_url).status_code == 200  # the page held before still shows it

    grace = max(settings.PAGE_BROWSER_CACHE_SECONDS, settings.PAGE_CDN_CACHE_SECONDS)
    with time_machine.travel(timezone.now() + timedelta(seconds=grace + 2 * 86400)):
        sync(alice)  # the page's daily look at its images
        assert not newest.cover.storage.exists(before)
        shown_cover(visitor, newest)  # the current cover is kept


def test_a_replaced_cover_goes_at_once_with_the_page(alice, visitor):
    """Alice deletes her page right after changing a cover: no picture of
    hers stays behind, the replaced one included."""
    sync(alice)
    newest = Page.objects.get(user=alice).videos.order_by("-create_time").first()
    before = shown_cover(visitor, newest)
    testing.change_cover("alice", newest.external_id)
    sync(alice)
    assert newest.cover.storage.exists(before)

    Page.objects.get(user=alice).delete()

    assert not newest.cover.storage.exists(before)
