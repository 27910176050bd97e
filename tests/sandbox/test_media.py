"""Covers, avatars and the player, as the product's page and a visitor's browser see them."""

import io
from urllib.parse import urlsplit

import pytest
import time_machine
from django.utils import timezone
from PIL import Image

from sandbox import testing

from .calls import user_info, video_list

pytestmark = pytest.mark.django_db


def local(url):
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def covers(client, username, count=20):
    tokens = testing.grant(username)
    body = {"max_count": count}
    data = video_list(client, tokens["access_token"], body, "id,title,cover_image_url").json()
    return data["data"]["videos"]


def test_cover_urls_serve_real_images_with_distinct_colours(client, alice):
    videos = covers(client, "alice")
    colours = set()
    for video in videos:
        response = client.get(local(video["cover_image_url"]))
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        image = Image.open(io.BytesIO(response.content))
        assert image.size == (360, 640)
        colours.add(image.convert("RGB").getpixel((180, 2)))
    assert len(videos) == 5
    assert len(colours) >= 4


def test_a_cover_shows_the_videos_title(client, alice):
    video = alice.videos.first()
    url = local(covers(client, "alice")[0]["cover_image_url"])
    before = client.get(url).content
    video.title = "A different title"
    video.save()
    assert client.get(url).content != before


def test_cover_urls_carry_an_expiry_about_six_hours_ahead(client, alice):
    url = covers(client, "alice")[0]["cover_image_url"]
    query = dict(p.split("=", 1) for p in urlsplit(url).query.split("&"))
    expires = int(query["x-expires"])
    now = timezone.now().timestamp()
    assert 6 * 3600 - 5 <= expires - now <= 6 * 3600 + 5


def test_an_expired_cover_url_is_forbidden(client, alice, settings):
    settings.TIKTOK_SANDBOX_IMAGE_URL_SECONDS = 600
    url = local(covers(client, "alice")[0]["cover_image_url"])
    assert client.get(url).status_code == 200
    with time_machine.travel(timezone.now() + timezone.timedelta(seconds=601)):
        assert client.get(url).status_code == 403


@pytest.mark.parametrize(
    "tamper",
    [
        lambda url: url.replace("x-expires=1", "x-expires=2", 1),
        lambda url: url[:-1] + ("1" if url.endswith("0") else "0"),
        lambda url: url.split("&x-signature")[0],
        lambda url: url.split("?")[0],
    ],
)
def test_a_tampered_cover_url_is_forbidden(client, alice, tamper):
    url = local(covers(client, "alice")[0]["cover_image_url"])
    assert client.get(tamper(url)).status_code == 403


def test_a_signature_is_bound_to_its_video(client, alice):
    first, second = covers(client, "alice")[:2]
    query = urlsplit(first["cover_image_url"]).query
    other_path = urlsplit(second["cover_image_url"]).path
    assert client.get(f"{other_path}?{query}").status_code == 403


def test_video_query_hands_out_fresh_cover_urls(client, alice, settings):
    settings.TIKTOK_SANDBOX_IMAGE_URL_SECONDS = 600
    settings.TIKTOK_SANDBOX_ACCESS_TOKEN_SECONDS = 86400  # still valid seven hours on
    tokens = testing.grant("alice")
    video_id = alice.videos.first().video_id
    with time_machine.travel(timezone.now() + timezone.timedelta(hours=7)):
        response = client.post(
            "/sandbox/tiktok/v2/video/query/?fields=id,cover_image_url",
            {"filters": {"video_ids": [video_id]}},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}",
        )
        fresh = response.json()["data"]["videos"][0]["cover_image_url"]
        assert client.get(local(fresh)).status_code == 200


def test_avatars_come_in_tiktoks_three_sizes(client, alice):
    tokens = testing.grant("alice")
    fields = "avatar_url_100,avatar_url,avatar_large_url"
    user = user_info(client, tokens["access_token"], fields).json()["data"]["user"]
    sizes = []
    for field in fields.split(","):
        response = client.get(local(user[field]))
        assert response.status_code == 200
        sizes.append(Image.open(io.BytesIO(response.content)).size)
    assert sizes == [(100, 100), (168, 168), (720, 720)]


def test_an_expired_avatar_url_is_forbidden(client, alice, settings):
    settings.TIKTOK_SANDBOX_IMAGE_URL_SECONDS = 60
    tokens = testing.grant("alice")
    url = user_info(client, tokens["access_token"], "avatar_url").json()["data"]["user"]
    with time_machine.travel(timezone.now() + timezone.timedelta(seconds=61)):
        assert client.get(local(url["avatar_url"])).status_code == 403


def test_the_player_page_can_be_framed_by_the_product(client, alice):
    video = alice.videos.first()
    response = client.get(f"/sandbox/tiktok/player/v1/{video.video_id}?autoplay=1")
    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    assert "frame-ancestors *" in response["Content-Security-Policy"]
    html = response.content.decode()
    assert video.title in html
    assert "/sandbox/tiktok/img/cover/" in html


def test_an_unknown_video_has_no_player(client, alice):
    assert client.get("/sandbox/tiktok/player/v1/7000000000000000000").status_code == 404


def test_share_url_and_profile_link_lead_to_pages(client, alice):
    tokens = testing.grant("alice")
    video = video_list(client, tokens["access_token"], {}, "share_url,title").json()
    share = video["data"]["videos"][0]["share_url"]
    assert client.get(urlsplit(share).path).status_code == 200
    user = user_info(client, tokens["access_token"], "profile_deep_link").json()
    profile = client.get(urlsplit(user["data"]["user"]["profile_deep_link"]).path)
    assert "Alice Martin" in profile.content.decode()


def test_hostile_titles_are_escaped_on_the_player(client, db):
    testing.create_account("mallory", videos=[{"title": "<script>alert(1)</script>"}])
    video = testing.Account.objects.get(username="mallory").videos.get()
    html = client.get(f"/sandbox/tiktok/player/v1/{video.video_id}").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html
