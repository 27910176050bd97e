"""A visitor opens a creator's page: links, videos, and TikTok only on play."""

import re

import pytest
from playwright.sync_api import expect

from pages import publish
from pages.models import Link, Page, Video
from tests.e2e.steps import SLUG

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_visitor_sees_links_and_videos_without_third_party_requests_until_play(
    synced_creator, page, live_server, tiktok, outside_requests
):
    alice_page = Page.objects.get(user=synced_creator)
    link = Link.objects.create(
        page=alice_page, title="How I keep your data", url=f"{live_server.url}/privacy/"
    )
    publish.page_changed(alice_page)
    newest = Video.objects.filter(page=alice_page).order_by("-create_time").first()
    requests = []
    page.on("request", lambda request: requests.append(request.url))

    page.goto(f"{live_server.url}/@{SLUG}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Alice Dances")
    expect(page.get_by_role("link", name="How I keep your data")).to_be_visible()
    plays = page.get_by_role("link", name="Play video:")
    expect(plays).to_have_count(6)
    covers = page.locator(".pf-grid img")
    for cover in covers.all()[:3]:
        assert cover.evaluate("img => img.complete && img.naturalWidth > 0")
    assert page.context.cookies() == []
    assert page.locator("iframe").count() == 0
    assert not [url for url in requests if "/player/" in url]
    assert outside_requests == []

    play = page.get_by_role("link", name=f"Play video: {newest.title}")
    play.click()
    player = page.locator("iframe.pf-frame")
    expect(player).to_have_attribute(
        "src", re.compile(rf"^{re.escape(tiktok)}/player/v1/{newest.external_id}\b")
    )
    expect(page.frame_locator("iframe.pf-frame").get_by_text(newest.title)).to_be_visible()
    expect(page.locator(".pf-title", has_text=newest.title)).to_have_count(1)
    expect(page.locator("iframe")).to_have_count(1)

    page.get_by_role("link", name="How I keep your data").click()
    page.wait_for_url(f"{live_server.url}/privacy/")
    expect(page.get_by_role("heading", name="How long we keep it")).to_be_visible()
    assert f"{live_server.url}/l/{link.pk}" in requests
    assert page.context.cookies() == []
    assert outside_requests == []


def test_a_playing_video_shows_its_title_in_light_text_on_the_dark_player(
    synced_creator, page, live_server
):
    newest = Video.objects.filter(page__user=synced_creator).order_by("-create_time").first()
    page.emulate_media(color_scheme="light")  # where the consent screen's dark text comes from
    page.goto(f"{live_server.url}/@{SLUG}")
    page.get_by_role("link", name=f"Play video: {newest.title}").click()

    title = page.frame_locator("iframe.pf-frame").locator(".tt-player-title")
    expect(title).to_have_text(newest.title)
    assert title.evaluate("el => getComputedStyle(el).color") == "rgb(255, 255, 255)"
    body = page.frame_locator("iframe.pf-frame").locator("body")
    assert body.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(0, 0, 0)"
