"""Alice's page synced from the TikTok sandbox over real HTTP (one live server)."""

import pytest

from pages.models import Page
from pages.source import Profile
from sandbox import testing
from sources.tiktok import client
from tests.helpers import closing_session, connect_through_sandbox, sync


@pytest.fixture
def sandbox(live_server, settings, closing_connections):
    base = f"{live_server.url}/sandbox/tiktok"
    settings.TIKTOK_API_BASE = base
    settings.TIKTOK_AUTH_BASE = base
    testing.register_live_server(live_server.url)
    yield base
    client.session.close()  # no keep-alive connection left to the stopped server


def connect(username):
    user = connect_through_sandbox(username)
    Page.create_for(user, Profile(username=username, display_name=username))
    return user


@pytest.mark.django_db(transaction=True)
def test_page_follows_the_sandbox_creator(sandbox, visitor):
    testing.create_account("alice", display_name="Alice Sings", video_count=25)
    alice = connect("alice")
    before = testing.stats()["calls"]
    assert sync(alice) == "changed"
    page = Page.objects.get(user=alice)
    assert page.display_name == "Alice Sings"
    assert page.avatar.name.endswith(".webp")
    assert page.videos.count() == 20
    assert all(v.cover.name.endswith(".webp") for v in page.videos.all())
    calls = testing.stats()["calls"]
    assert calls["user.info"] - before["user.info"] == 1
    assert calls["video.list"] - before["video.list"] == 1

    newest = page.videos.order_by("-create_time").first()
    testing.delete_video("alice", newest.external_id)
    [added] = testing.add_videos("alice", [{"title": "Straight from the studio"}])
    sync(alice)
    html = visitor.get("/@alice").content.decode()
    assert "Straight from the studio" in html
    assert newest.external_id not in html
    # Visitors cost no TikTok calls.
    calls = testing.stats()["calls"]
    for _ in range(10):
        visitor.get("/@alice")
    assert testing.stats()["calls"] == calls


@pytest.mark.django_db(transaction=True)
def test_the_sandboxs_19_and_20_digit_ids_play_on_the_page(sandbox, visitor, settings):
    settings.TIKTOK_PLAYER_BASE = sandbox
    testing.create_account("alice", display_name="Alice Sings", video_count=12)
    alice = connect("alice")
    sync(alice)

    ids = list(Page.objects.get(user=alice).videos.values_list("external_id", flat=True))
    assert {len(video_id) for video_id in ids} <= {19, 20} and len(ids) == 12
    html = visitor.get("/@alice").content.decode()
    for video_id in ids:
        assert f'data-player="{sandbox}/player/v1/{video_id}"' in html
    player = closing_session().get(f"{sandbox}/player/v1/{max(ids, key=len)}")
    assert player.status_code == 200
