"""Alice's page follows her TikTok: new videos, deleted videos, profile changes,
and TikTok's bad days."""

import time
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from pages.models import Video
from pages.sync import leases, reconcile
from pages.sync import schedule as syncing
from sources.tiktok import breakers, client
from sources.tiktok.client import BadResponse, InvalidGrant, RateLimited, ServerError, TokenInvalid
from sources.tiktok.models import TikTokConnection
from tests.helpers import make_creator, page_of, queued_pages, sync

pytestmark = pytest.mark.django_db


def media(name):
    return Path(settings.MEDIA_ROOT) / name


def test_first_sync_builds_the_page_from_tiktok(alice, tiktok):
    assert sync(alice) == "changed"
    page = page_of(alice)
    assert page.display_name == "Alice Sings"
    assert page.bio == "Songs every Friday"
    assert page.is_verified and page.follower_count == 12345
    assert page.avatar.name.endswith(".webp") and media(page.avatar.name).exists()
    assert page.videos.count() == 5
    assert all(media(v.cover.name).read_bytes()[8:12] == b"WEBP" for v in page.videos.all())
    assert page.last_synced_at is not None and page.last_sync_error == ""
    assert tiktok.calls["user.info"] == 1 and tiktok.calls["video.list"] == 1


def test_a_sync_with_nothing_new_writes_nothing(alice, tiktok):
    sync(alice)
    version = page_of(alice).version
    downloads = tiktok.calls["download"]
    assert sync(alice) == "unchanged"
    assert page_of(alice).version == version
    assert tiktok.calls["download"] == downloads  # re-signed CDN URLs are not new images


def test_hidden_and_pinned_videos_keep_their_settings_after_a_sync(alice, tiktok, visitor):
    sync(alice)
    page = page_of(alice)
    hidden = page.videos.get(title="Video number 3")
    hidden.hidden = True
    hidden.save()
    pinned = page.videos.get(title="Video number 1")
    pinned.pinned, pinned.link_url = True, "https://shop.example.com/look"
    pinned.save()
    tiktok.videos[2]["title"] = "Video number 3 (renamed)"
    tiktok.add_video(title="Brand new")
    sync(alice)
    hidden.refresh_from_db()
    pinned.refresh_from_db()
    assert hidden.hidden and hidden.title == "Video number 3 (renamed)"
    assert pinned.pinned and pinned.link_url == "https://shop.example.com/look"
    html = visitor.get("/@alice").content.decode()
    assert "Video number 3" not in html
    assert html.index("Video number 1") < html.index("Brand new")  # pinned first
    assert f'href="/l/v{pinned.pk}"' in html and "Shop this look" in html


def test_a_video_deleted_on_tiktok_disappears_with_its_cover(alice, tiktok, visitor):
    sync(alice)
    gone = page_of(alice).videos.get(title="Video number 4")
    cover = media(gone.cover.name)
    assert cover.exists()
    tiktok.videos = [v for v in tiktok.videos if v["id"] != gone.external_id]
    sync(alice)
    assert not Video.objects.filter(pk=gone.pk).exists()
    assert "Video number 4" not in visitor.get("/@alice").content.decode()


def test_a_new_video_appears_after_a_sync(alice, tiktok, visitor):
    sync(alice)
    assert "Dance challenge" not in visitor.get("/@alice").content.decode()
    tiktok.add_video(title="Dance challenge")
    sync(alice)
    assert "Dance challenge" in visitor.get("/@alice").content.decode()


def test_65_videos_are_fetched_in_pages_of_20(alice, tiktok):
    tiktok.videos = [tiktok.add_video() for _ in range(65)]
    page = page_of(alice)
    page.videos_shown = 65
    page.save()
    sync(alice)
    assert page.videos.count() == 65
    assert tiktok.calls["video.list"] == 4


def test_only_as_many_videos_as_shown_are_fetched(alice, tiktok):
    tiktok.videos = [tiktok.add_video() for _ in range(65)]
    sync(alice)
    assert page_of(alice).videos.count() == 20  # one page of 20 covers the 12 shown
    assert tiktok.calls["video.list"] == 1


def test_only_granted_fields_are_asked_for(db, tiktok, monkeypatch, visitor):
    asked = []
    original = tiktok.user_info

    def user_info(access_token, fields, **kwargs):
        asked.extend(fields)
        return original(access_token, fields, **kwargs)

    monkeypatch.setattr(client, "user_info", user_info)
    dana = make_creator("dana", scopes=["user.info.basic"], page=True)
    assert sync(dana) == "changed"
    assert "display_name" in asked and "follower_count" not in asked and "username" not in asked
    assert tiktok.calls["video.list"] == 0  # no video.list scope, no video call
    assert "followers" not in visitor.get("/@dana").content.decode()


FAULTS = {
    "rate limit": RateLimited("rate_limit_exceeded", http_status=429),
    "server error": ServerError("internal_error", http_status=500),
    "timeout": ServerError("timeout", "read timed out"),
    "malformed body": BadResponse("bad_json", "not JSON", http_status=200),
}


@pytest.mark.parametrize("kind", FAULTS)
def test_tiktok_faults_keep_the_page_up_with_last_good_data(alice, tiktok, visitor, kind):
    sync(alice)
    before = visitor.get("/@alice").content.decode()
    tiktok.fault = FAULTS[kind]
    tiktok.profile["display_name"] = "Changed while down"
    page = page_of(alice)
    page.last_synced_at = None
    page.save()
    assert sync(alice) == "failed"
    page = page_of(alice)
    assert page.videos.count() == 5
    assert page.sync_failures == 1 and page.sync_backoff_until is not None
    assert "TikTok" in page.last_sync_error and "keeps its current content" in page.last_sync_error
    response = visitor.get("/@alice")
    assert response.status_code == 200
    assert response.content.decode() == before
    # The backoff holds off the next attempt; TikTok is not hammered.
    assert not leases.claim(page.pk, stale_only=False)


def test_backoff_grows_with_each_failure():
    delays = [leases.backoff_seconds(n) for n in (1, 2, 3, 4)]
    assert delays[0] < delays[1] < delays[2] < delays[3] <= 6 * 3600 * 1.2


def test_repeated_server_errors_open_the_endpoints_circuit(db, tiktok):
    tiktok.fault = ServerError("internal_error", http_status=500)
    creators = [make_creator(f"creator{n}", page=True) for n in range(5)]
    for user in creators:
        sync(user)
    # After a few failures in a row nobody calls user/info for a while.
    assert tiktok.calls["user.info"] == breakers.THRESHOLD
    assert breakers.is_open("user.info")
    assert page_of(creators[0]).last_sync_error


def test_pages_held_back_by_the_circuit_sync_as_soon_as_it_closes(db, tiktok, empty_queue):
    tiktok.fault = ServerError("internal_error", http_status=500)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        creators = [make_creator(f"creator{n}", page=True) for n in range(5)]
        outcomes = [sync(user) for user in creators]
        assert outcomes == ["failed"] * breakers.THRESHOLD + ["waiting"] * 2
        held_back = [page_of(user) for user in creators[breakers.THRESHOLD :]]
        # Our own refusal is no failure of the page: nothing to back off from.
        assert all(p.sync_failures == 0 and p.sync_backoff_until is None for p in held_back)
        tiktok.fault = None  # TikTok is back
        syncing.enqueue_due_syncs()
        assert queued_pages() == []  # the circuit is still open: no sync spends a task
        clock.shift(breakers.open_until("user.info") - time.time() + 1)
        syncing.enqueue_due_syncs()
        # The first run after the circuit closes takes them, first in line; the
        # pages that met TikTok's own errors wait out their backoff.
        assert queued_pages() == [p.pk for p in held_back]
        for user in creators[breakers.THRESHOLD :]:
            assert sync(user) == "changed"


def test_revoked_access_stops_syncing_and_tells_the_creator(alice, tiktok, monkeypatch, visitor):
    sync(alice)
    tiktok.fault = TokenInvalid("access_token_invalid", http_status=401)

    def refuse(refresh_token, *, user=None):
        raise InvalidGrant("invalid_grant", "refresh token revoked")

    monkeypatch.setattr(client, "refresh_access_token", refuse)
    page = page_of(alice)
    page.last_synced_at = None
    page.save()
    assert sync(alice) == "reconnect"
    connection = TikTokConnection.objects.get(user=alice)
    assert connection.status == "needs_reconnect"
    page = page_of(alice)
    assert page.next_sync_at() is None
    assert page.videos.count() == 5
    assert visitor.get("/@alice").status_code == 200
    from django.test import Client

    c = Client()
    c.force_login(alice)
    assert "Reconnect TikTok" in c.get("/dashboard/").content.decode()


def test_paused_and_suspended_pages_are_not_synced(alice, tiktok):
    TikTokConnection.objects.filter(user=alice).update(sync_paused=True)
    assert page_of(alice).next_sync_at() is None
    assert sync(alice) == "skipped"
    assert tiktok.calls["user.info"] == 0


def test_deleting_the_creator_deletes_the_mirrored_images(
    alice, tiktok, django_capture_on_commit_callbacks
):
    sync(alice)
    page = page_of(alice)
    files = [media(page.avatar.name)] + [media(v.cover.name) for v in page.videos.all()]
    assert all(f.exists() for f in files)
    with django_capture_on_commit_callbacks(execute=True):
        alice.delete()
    assert not any(f.exists() for f in files)


def test_an_unexpected_error_keeps_the_page_and_retries_later(alice, tiktok, visitor):
    sync(alice)
    tiktok.image = b"not an image"  # covers fail quietly; a crash is what we simulate next
    tiktok.fault = KeyError("surprise")
    page = page_of(alice)
    page.last_synced_at = None
    page.save()
    assert sync(alice) == "failed"
    page = page_of(alice)
    assert page.last_sync_error and page.sync_backoff_until is not None
    assert page.sync_lease_until is None
    assert visitor.get("/@alice").status_code == 200 and page.videos.count() == 5


def test_20_digit_ids_and_utm_links_reach_the_page_intact(alice, tiktok, visitor, settings):
    # Real TikTok: ids beyond a 64-bit integer, share links with campaign parameters.
    item = tiktok.add_video(title="Twenty digits")
    item["id"] = "17300000000000000042"
    item["share_url"] = (
        f"https://www.tiktok.com/@alice/video/{item['id']}"
        "?utm_campaign=tt4d_open_api&utm_source=aWQ9MTIz"
    )
    sync(alice)

    video = page_of(alice).videos.get(title="Twenty digits")
    assert video.external_id == "17300000000000000042"
    html = visitor.get("/@alice").content.decode()
    assert (
        'href="https://www.tiktok.com/@alice/video/17300000000000000042'
        '?utm_campaign=tt4d_open_api&amp;utm_source=aWQ9MTIz"'
    ) in html
    assert f'data-player="{settings.TIKTOK_PLAYER_BASE}/player/v1/17300000000000000042"' in html


@given(odd=st.sampled_from(["1/../../x", "../../etc/passwd", "7 7", "12a", "١٢٣", "9" * 25]))
@hypothesis_settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_a_video_id_that_is_not_digits_never_stops_the_page_from_syncing(
    alice, tiktok, visitor, odd
):
    """TikTok's ids are digits: an answer with another id costs that video only,
    never every sync of Alice's page from then on."""
    item = tiktok.add_video(title="Odd one")
    item["id"] = odd
    try:
        sync(alice)
        page = page_of(alice)
        assert page.last_sync_error == ""
        assert not page.videos.filter(title="Odd one").exists()
        assert page.videos.count() == len(tiktok.videos) - 1
        assert visitor.get("/@alice").status_code == 200
    finally:
        tiktok.videos.remove(item)


def test_a_cover_the_storage_refuses_costs_that_video_its_cover_only(
    alice, tiktok, visitor, monkeypatch
):
    """The storage fails to write one cover (a full disk, a name it refuses):
    the page syncs, every other video keeps its cover."""
    storage = Video._meta.get_field("cover").storage
    save = storage.save

    def refusing(name, *args, **kwargs):
        if "c-" + tiktok.videos[1]["id"] in name:
            raise OSError("No space left on device")
        return save(name, *args, **kwargs)

    monkeypatch.setattr(storage, "save", refusing)
    assert sync(alice) == "changed"

    page = page_of(alice)
    assert page.last_sync_error == ""
    assert page.videos.count() == len(tiktok.videos)
    assert page.videos.exclude(cover="").count() == len(tiktok.videos) - 1


def test_videos_a_failed_sync_already_stored_reach_the_public_page(
    alice, tiktok, visitor, monkeypatch
):
    """A sync stores a new video, then fails unexpectedly (a bug, a database
    hiccup): what it stored is what the public page shows, though no later
    sync finds it new again."""
    assert sync(alice) == "changed"
    assert "Brand new song" not in visitor.get("/@alice").content.decode()  # cached

    tiktok.add_video(title="Brand new song")

    def hiccup(*args, **kwargs):
        raise RuntimeError("database hiccup")

    with monkeypatch.context() as patch:
        patch.setattr(reconcile, "_drop_missing", hiccup)
        assert sync(alice) == "failed"
    assert page_of(alice).videos.filter(title="Brand new song").exists()
    assert sync(alice) == "unchanged"

    assert "Brand new song" in visitor.get("/@alice").content.decode()


@pytest.mark.parametrize("kept_before", [False, True])
def test_the_same_cover_from_another_cdn_host_is_not_downloaded_again(alice, tiktok, kept_before):
    """TikTok hands out one picture from several CDN hosts, each signed anew;
    the path names the picture. A sync that only sees another host downloads
    and re-encodes nothing (covers kept with their host before included)."""
    for item in tiktok.videos:
        item["cover_image_url"] = (
            f"https://p16-sign-va.tiktokcdn.com/obj/tos-maliva-p-0068/{item['id']}"
            "?x-expires=1&x-signature=a"
        )
    sync(alice)
    if kept_before:
        for video in page_of(alice).videos.all():
            video.cover_source = "p16-sign-va.tiktokcdn.com" + video.cover_source
            video.save(update_fields=["cover_source"])
    downloads = tiktok.calls["download"]

    for item in tiktok.videos:
        item["cover_image_url"] = (
            item["cover_image_url"]
            .replace("p16-sign-va.tiktokcdn.com", "p19-sign.tiktokcdn-us.com")
            .replace("x-signature=a", "x-signature=b")
        )
    assert sync(alice) == "unchanged"
    assert tiktok.calls["download"] == downloads
