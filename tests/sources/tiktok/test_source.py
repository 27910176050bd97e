"""TikTok as a page's source: what the pages app gets back through the seam
(plain profiles and video lists, or one of three neutral errors), whatever
TikTok answered."""

import pytest

from accounts.models import User
from sources.base import NeedsReconnect, TryLater, Unusable
from sources.tiktok import breakers, budget, client
from sources.tiktok.client import (
    BadResponse,
    InvalidGrant,
    RateLimited,
    ScopeNotAuthorized,
    ServerError,
    TokenInvalid,
)
from sources.tiktok.models import TikTokConnection
from sources.tiktok.source import TikTokSource, to_profile
from tests.helpers import FakeTikTok, make_creator

pytestmark = pytest.mark.django_db
source = TikTokSource()


@pytest.fixture
def fake(monkeypatch):
    fake = FakeTikTok()
    for name in ("user_info", "video_list", "download"):
        monkeypatch.setattr(client, name, getattr(fake, name))
    budget.reset()
    return fake


def test_the_profile_comes_back_in_the_pages_words(alice, fake):
    profile = source.profile(alice)
    assert (profile.display_name, profile.username, profile.bio) == (
        "Alice Sings",
        "alice",
        "Songs every Friday",
    )
    assert profile.avatar_url == fake.profile["avatar_url_100"]
    assert profile.likes_count is None  # not shared: the page keeps what it has


def test_the_largest_avatar_is_asked_for(alice, fake):
    fake.profile["avatar_url"] = "https://cdn.example.test/avatar/alice-168.jpg"
    fake.profile["avatar_large_url"] = "https://cdn.example.test/avatar/alice-720.jpg"
    assert source.profile(alice).avatar_url == fake.profile["avatar_large_url"]


def test_fields_of_scopes_not_granted_are_not_asked_for_and_stay_unknown(fake):
    dana = make_creator("dana", scopes=["user.info.basic"])
    profile = source.profile(dana)
    assert profile.display_name == "Alice Sings"
    assert profile.bio is None and profile.follower_count is None


def test_the_latest_videos_are_complete_when_tiktok_has_no_more(alice, fake):
    videos = source.latest_videos(alice, 12)
    assert [item.title for item in videos.items][:2] == ["Video number 5", "Video number 4"]
    assert videos.complete and not videos.cut_short
    assert videos.items[0].create_time > videos.items[1].create_time


def test_a_creator_without_video_access_has_an_empty_complete_list_and_no_call(fake):
    dana = make_creator("dana", scopes=["user.info.basic"])
    videos = source.latest_videos(dana, 12)
    assert videos.items == [] and videos.complete
    assert fake.calls["video.list"] == 0


def test_asking_for_no_videos_calls_nothing_and_drops_nothing(alice, fake):
    videos = source.latest_videos(alice, 0)
    assert videos.items == [] and videos.cut_short and not videos.complete
    assert fake.calls["video.list"] == 0


@pytest.mark.parametrize(
    ("fault", "neutral"),
    [
        (RateLimited("rate_limit_exceeded", log_id="L1"), TryLater),
        (ServerError("server_error"), TryLater),
        (BadResponse("missing_keys"), Unusable),
        (ScopeNotAuthorized("scope_not_authorized"), Unusable),
    ],
)
def test_tiktoks_failures_reach_the_pages_as_neutral_errors(alice, fake, fault, neutral):
    fake.fault = fault
    with pytest.raises(neutral) as raised:
        source.profile(alice)
    assert raised.value.code == fault.code
    assert "TikTok" in raised.value.message and "token" not in raised.value.message.lower()


def test_a_refused_refresh_reads_as_needs_reconnect(alice, fake, monkeypatch):
    fake.fault = TokenInvalid("access_token_invalid")

    def refused(refresh_token, *, user=None):
        raise InvalidGrant("invalid_grant", "refresh token revoked")

    monkeypatch.setattr(client, "refresh_access_token", refused)
    with pytest.raises(NeedsReconnect):
        source.profile(alice)
    assert TikTokConnection.of(alice).needs_reconnect


def test_a_spent_budget_means_waiting_not_failing(alice, fake, settings):
    settings.TIKTOK_RATE_LIMIT_PER_MINUTE = 5  # a bucket of one call
    source.profile(alice)
    with pytest.raises(TryLater) as raised:
        source.profile(alice)
    assert raised.value.waiting
    assert fake.calls["user.info"] == 1


def test_repeated_server_errors_open_the_breaker_and_stop_the_calls(alice, fake):
    fake.fault = ServerError("server_error")
    for _ in range(breakers.THRESHOLD + 2):
        with pytest.raises(TryLater):
            source.profile(alice)
    assert fake.calls["user.info"] == breakers.THRESHOLD


def test_the_connection_is_described_without_tiktoks_words(alice):
    assert source.connection(alice).can_sync
    TikTokConnection.objects.filter(user=alice).set_sync_paused(True)
    state = source.connection(TikTokConnection.objects.get(user=alice).user)
    assert state.paused and not state.can_sync and not state.needs_reconnect
    TikTokConnection.objects.filter(user=alice).update(status="revoked")
    state = source.connection(TikTokConnection.objects.get(user=alice).user)
    assert state.disconnected and state.needs_reconnect
    assert source.connection(User.objects.create(username="never.connected")) is None


def test_the_profile_mapping_drops_what_pages_do_not_keep():
    profile = to_profile(
        {"open_id": "x", "union_id": "u", "bio_description": "Hi", "avatar_url": ""}
    )
    assert profile.bio == "Hi" and profile.avatar_url == ""
    assert not hasattr(profile, "open_id")
