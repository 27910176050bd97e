"""The product reads Alice's profile and videos through the Display API."""

import pytest
import time_machine
from django.utils import timezone

from sandbox import testing

from .calls import USER_INFO, VIDEO_QUERY, bearer, user_info, video_list, video_query

pytestmark = pytest.mark.django_db

ALL_USER_FIELDS = (
    "open_id,union_id,avatar_url,avatar_url_100,avatar_large_url,display_name,"
    "bio_description,profile_deep_link,is_verified,username,"
    "follower_count,following_count,likes_count,video_count"
)
ALL_VIDEO_FIELDS = (
    "id,create_time,cover_image_url,share_url,video_description,duration,height,width,"
    "title,embed_html,embed_link,like_count,comment_count,share_count,view_count"
)


def assert_envelope(response, status, code):
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"data", "error"}
    assert set(body["error"]) == {"code", "message", "log_id"}
    assert body["error"]["code"] == code
    assert body["error"]["log_id"]
    if code == "ok":
        assert body["error"]["message"] == ""
    return body


def test_user_info_answers_every_field_alice_granted(client, alice):
    tokens = testing.grant("alice")
    body = assert_envelope(user_info(client, tokens["access_token"], ALL_USER_FIELDS), 200, "ok")
    user = body["data"]["user"]
    assert list(user) == ALL_USER_FIELDS.split(",")
    assert user["open_id"] == tokens["open_id"]
    assert user["display_name"] == "Alice Martin"
    assert user["username"] == "alice"
    assert user["bio_description"] == "Baking bread every Sunday"
    assert user["is_verified"] is True
    assert user["follower_count"] == 1_250_000
    assert user["following_count"] == 310
    assert user["video_count"] == 5
    assert user["likes_count"] > 0
    assert "x-expires=" in user["avatar_url"] and "x-signature=" in user["avatar_url"]
    assert user["profile_deep_link"].endswith("/sandbox/tiktok/@alice")


def test_user_info_answers_only_the_fields_asked_for(client, alice):
    tokens = testing.grant("alice")
    body = assert_envelope(user_info(client, tokens["access_token"], "display_name"), 200, "ok")
    assert body["data"] == {"user": {"display_name": "Alice Martin"}}


@pytest.mark.parametrize(
    ("granted", "field"),
    [
        (["user.info.basic"], "username"),
        (["user.info.basic"], "follower_count"),
        (["user.info.basic", "user.info.profile"], "video_count"),
        (["user.info.basic", "user.info.stats"], "bio_description"),
    ],
)
def test_a_field_of_a_declined_scope_fails_the_whole_call(client, alice, granted, field):
    tokens = testing.grant("alice", granted)
    response = user_info(client, tokens["access_token"], f"open_id,display_name,{field}")
    body = assert_envelope(response, 401, "scope_not_authorized")
    assert body["data"] == {}


def test_an_app_missing_the_scope_itself_gets_scope_permission_missed(client, alice):
    testing.register_client(
        "https://small.example/cb",
        client_key="small",
        client_secret="s",
        scopes=["user.info.basic"],
    )
    tokens = testing.grant("alice", ["user.info.basic"], client_key="small")
    assert_envelope(
        user_info(client, tokens["access_token"], "username"), 400, "scope_permission_missed"
    )


@pytest.mark.parametrize("fields", ["display_name,email", "", "phone_number"])
def test_unknown_or_missing_fields_are_invalid_params(client, alice, fields):
    tokens = testing.grant("alice")
    assert_envelope(user_info(client, tokens["access_token"], fields), 400, "invalid_params")


def test_a_missing_or_unknown_token_is_access_token_invalid(client, alice):
    assert_envelope(client.get(USER_INFO, {"fields": "open_id"}), 401, "access_token_invalid")
    assert_envelope(user_info(client, "act.made-up"), 401, "access_token_invalid")


def test_an_access_token_dies_when_it_expires(client, alice, settings):
    settings.TIKTOK_SANDBOX_ACCESS_TOKEN_SECONDS = 3600
    tokens = testing.grant("alice")
    with time_machine.travel(timezone.now() + timezone.timedelta(seconds=3601)):
        assert_envelope(user_info(client, tokens["access_token"]), 401, "access_token_invalid")


def test_a_refresh_token_cannot_read_data(client, alice):
    tokens = testing.grant("alice")
    assert_envelope(user_info(client, tokens["refresh_token"]), 401, "access_token_invalid")


def test_user_info_needs_get(client, alice):
    tokens = testing.grant("alice")
    response = client.post(f"{USER_INFO}?fields=open_id", **bearer(tokens["access_token"]))
    assert_envelope(response, 400, "invalid_params")


def test_video_list_answers_tiktoks_video_shape_newest_first(client, alice):
    tokens = testing.grant("alice")
    response = video_list(client, tokens["access_token"], {"max_count": 20}, ALL_VIDEO_FIELDS)
    body = assert_envelope(response, 200, "ok")
    data = body["data"]
    assert set(data) == {"videos", "cursor", "has_more"}
    videos = data["videos"]
    assert len(videos) == 5
    assert data["has_more"] is False
    for video in videos:
        assert list(video) == ALL_VIDEO_FIELDS.split(",")
        assert isinstance(video["id"], str) and len(video["id"]) in (19, 20)
        assert video["id"].isdigit()
        assert 1_600_000_000 < video["create_time"] < 2_200_000_000
        assert "x-expires=" in video["cover_image_url"]
        share, _, share_query = video["share_url"].partition("?")
        assert share.endswith(f"/sandbox/tiktok/@alice/video/{video['id']}")
        embed, _, embed_query = video["embed_link"].partition("?")
        assert embed.endswith(f"/sandbox/tiktok/player/v1/{video['id']}")
        assert "utm_campaign=tt4d_open_api" in share_query and "utm_source=" in embed_query
        assert f'data-video-id="{video["id"]}"' in video["embed_html"]
    times = [v["create_time"] for v in videos]
    assert times == sorted(times, reverse=True)
    # The cursor is in milliseconds: that of the last video of the page.
    assert data["cursor"] // 1000 == videos[-1]["create_time"]


def test_paging_through_65_videos_sees_each_once(client, db):
    testing.create_account("chef", video_count=65)
    tokens = testing.grant("chef")
    seen, cursor, pages = [], None, 0
    while True:
        body = {"max_count": 20} if cursor is None else {"max_count": 20, "cursor": cursor}
        data = video_list(client, tokens["access_token"], body).json()["data"]
        pages += 1
        seen += [v["id"] for v in data["videos"]]
        assert cursor is None or data["cursor"] < cursor
        cursor = data["cursor"]
        if not data["has_more"]:
            break
    assert pages == 4
    assert len(seen) == 65 == len(set(seen))
    all_ids = {v.video_id for v in testing.Account.objects.get(username="chef").videos.all()}
    assert set(seen) == all_ids


def test_videos_posted_in_the_same_second_are_not_lost_between_pages(client, db):
    same_second = [{"title": f"Clip {n}", "create_time": 1_700_000_000} for n in range(6)]
    testing.create_account("burst", videos=same_second)
    tokens = testing.grant("burst")
    first = video_list(client, tokens["access_token"], {"max_count": 4}).json()["data"]
    second = video_list(
        client, tokens["access_token"], {"max_count": 4, "cursor": first["cursor"]}
    ).json()["data"]
    titles = [v["title"] for v in first["videos"] + second["videos"]]
    assert sorted(titles) == [f"Clip {n}" for n in range(6)]
    assert first["has_more"] is True and second["has_more"] is False


def test_video_list_defaults_to_ten(client, db):
    testing.create_account("chef", video_count=12)
    data = video_list(client, testing.grant("chef")["access_token"]).json()["data"]
    assert len(data["videos"]) == 10 and data["has_more"] is True


@pytest.mark.parametrize(
    "body",
    [
        {"max_count": 21},
        {"max_count": 0},
        {"max_count": "5"},
        {"cursor": "soon"},
        {"cursor": -1},
        [1, 2],
    ],
)
def test_bad_paging_is_invalid_params(client, alice, body):
    tokens = testing.grant("alice")
    assert_envelope(video_list(client, tokens["access_token"], body), 400, "invalid_params")


def test_a_body_that_is_not_json_is_invalid_params(client, alice):
    tokens = testing.grant("alice")
    response = client.post(
        "/sandbox/tiktok/v2/video/list/?fields=id",
        "{not json",
        content_type="application/json",
        **bearer(tokens["access_token"]),
    )
    assert_envelope(response, 400, "invalid_params")


def test_unknown_video_fields_are_invalid_params(client, alice):
    tokens = testing.grant("alice")
    response = video_list(client, tokens["access_token"], {}, "id,music")
    assert_envelope(response, 400, "invalid_params")


def test_video_list_needs_the_video_scope(client, alice):
    tokens = testing.grant("alice", ["user.info.basic", "user.info.profile"])
    assert_envelope(video_list(client, tokens["access_token"]), 401, "scope_not_authorized")
    ids = [alice.videos.first().video_id]
    assert_envelope(video_query(client, tokens["access_token"], ids), 401, "scope_not_authorized")


def test_a_creator_without_videos_gets_an_empty_page(client, db):
    testing.create_account("quiet")
    data = video_list(client, testing.grant("quiet")["access_token"]).json()["data"]
    assert data["videos"] == [] and data["has_more"] is False
    assert isinstance(data["cursor"], int)


def test_private_videos_are_never_listed(client, db):
    testing.create_account(
        "shy", videos=[{"title": "Public"}, {"title": "Drafty", "is_public": False}]
    )
    tokens = testing.grant("shy")
    data = video_list(client, tokens["access_token"], {}, "title").json()["data"]
    assert [v["title"] for v in data["videos"]] == ["Public"]


def test_a_new_post_comes_first_and_a_deleted_one_disappears(client, alice):
    tokens = testing.grant("alice")
    [new] = testing.add_videos("alice", [{"title": "Fresh out of the oven"}])
    oldest = alice.videos.order_by("created_ms").first()
    testing.delete_video("alice", oldest.video_id)
    data = video_list(client, tokens["access_token"], {"max_count": 20}).json()["data"]
    ids = [v["id"] for v in data["videos"]]
    assert ids[0] == new.video_id
    assert oldest.video_id not in ids
    assert len(ids) == 5


def test_video_query_refreshes_alices_own_videos_only(client, alice, bob):
    tokens = testing.grant("alice")
    alices = [v.video_id for v in alice.videos.all()[:2]]
    bobs = [bob.videos.first().video_id]
    response = video_query(client, tokens["access_token"], alices + bobs + ["7000000000000000000"])
    body = assert_envelope(response, 200, "ok")
    assert set(body["data"]) == {"videos"}
    assert [v["id"] for v in body["data"]["videos"]] == alices
    assert all("x-signature=" in v["cover_image_url"] for v in body["data"]["videos"])


@pytest.mark.parametrize(
    "body",
    [
        {"filters": {"video_ids": []}},
        {"filters": {"video_ids": [str(7_000_000_000_000_000_000 + n) for n in range(21)]}},
        {"filters": {}},
        {"video_ids": ["7000000000000000000"]},
        {"filters": {"video_ids": [None]}},
    ],
)
def test_bad_video_queries_are_invalid_params(client, alice, body):
    tokens = testing.grant("alice")
    response = client.post(
        f"{VIDEO_QUERY}?fields=id",
        body,
        content_type="application/json",
        **bearer(tokens["access_token"]),
    )
    assert_envelope(response, 400, "invalid_params")


def test_the_user_removing_the_app_ends_access_and_refresh(client, alice):
    tokens = testing.grant("alice")
    testing.revoke_app("alice")
    assert_envelope(user_info(client, tokens["access_token"]), 401, "access_token_invalid")
    assert_envelope(video_list(client, tokens["access_token"]), 401, "access_token_invalid")


def test_video_ids_have_19_or_20_digits_like_tiktoks(client, alice):
    testing.create_account("many", video_count=40)
    token = testing.grant("many", ["user.info.basic", "video.list"])["access_token"]
    first = video_list(client, token, {"max_count": 20}).json()["data"]
    second = video_list(client, token, {"max_count": 20, "cursor": first["cursor"]}).json()["data"]
    ids = [video["id"] for video in first["videos"] + second["videos"]]
    assert len(ids) == 40 and all(video_id.isdigit() for video_id in ids)
    assert {len(video_id) for video_id in ids} == {19, 20}
    assert any(int(video_id) > 2**63 - 1 for video_id in ids)  # beyond a signed 64-bit integer
