"""Without JavaScript a video tile links to the video on TikTok, at the
share_url TikTok gave. TikTok's answer is outside input: whatever it says, a
tile never links to a script or to another site."""

import pytest

from pages import publish
from pages.models import Video
from sources.tiktok.source import is_tiktok_page
from tests.helpers import page_of, sync

pytestmark = pytest.mark.django_db

HOSTILE_SHARE_URLS = [
    "javascript:alert(document.cookie)",
    "JavaScript:alert(1)//https://www.tiktok.com/",
    "data:text/html,<script>alert(1)</script>",
    "https://evil.example/@alice/video/1",
    "https://tiktok.com.evil.example/@alice/video/1",
    "https://eviltiktok.com/@alice/video/1",
    "https://www.tiktok.com@evil.example/@alice/video/1",
    "https://user:pw@www.tiktok.com/@alice/video/1",
    "http://www.tiktok.com/@alice/video/1",
    "https://www.tiktok.com:8443/@alice/video/1",
    "//evil.example/@alice/video/1",
    "https:\\\\evil.example\\@alice",
    "https://www.tiktok.com/@alice/video/1\nhttps://evil.example",
    "https://www.tiktok.com/@alice/video/1 onmouseover=alert(1)",
    "http://127.0.0.1:9/tiktok-web/../../evil",
    "http://127.0.0.1:9/tiktok-web/%2E%2e/%2e%2e/evil",
    "",
    None,
    12345,
]


@pytest.mark.parametrize(
    "url",
    [
        "https://www.tiktok.com/@alice/video/7300000000000000001?utm_campaign=tt4d_open_api",
        "https://tiktok.com/@alice/video/7300000000000000001",
        "https://vm.tiktok.com/ZMabcdef/",
    ],
)
def test_tiktok_share_urls_are_tiktok_pages(url):
    assert is_tiktok_page(url)


@pytest.mark.parametrize("url", HOSTILE_SHARE_URLS)
def test_anything_else_is_not(url):
    assert not is_tiktok_page(url)


def test_a_tile_links_to_the_video_on_tiktok(alice, tiktok, visitor):
    share = tiktok.videos[0]["share_url"] + "?utm_campaign=tt4d_open_api&utm_source=abc"
    tiktok.videos[0]["share_url"] = share
    sync(alice)
    html = visitor.get("/@alice").content.decode()
    assert f'class="pf-play" href="{share.replace("&", "&amp;")}"' in html


@pytest.mark.parametrize("hostile", HOSTILE_SHARE_URLS)
def test_a_hostile_share_url_from_tiktok_never_becomes_a_link(alice, tiktok, visitor, hostile):
    tiktok.videos[0]["share_url"] = hostile
    sync(alice)
    video = Video.objects.get(external_id=tiktok.videos[0]["id"])
    assert video.share_url == ""
    html = visitor.get("/@alice").content.decode()
    assert f'href="https://www.tiktok.com/@_/video/{video.external_id}"' in html
    assert "evil.example" not in html and "javascript:" not in html.lower()


@pytest.mark.parametrize("stored", ["javascript:alert(1)", "https://evil.example/@a/video/1"])
def test_a_hostile_value_stored_earlier_is_not_linked_either(alice, tiktok, visitor, stored):
    sync(alice)
    page = page_of(alice)
    page.videos.update(share_url=stored)
    publish.page_changed(page)
    html = visitor.get("/@alice").content.decode()
    assert stored not in html
    assert html.count('href="https://www.tiktok.com/@_/video/') == page.videos.count()
