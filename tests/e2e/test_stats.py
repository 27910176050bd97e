"""Alice shares her page; a visitor clicks her link and plays a video; Alice
opens the Stats tab on her phone and sees both."""

import time

import pytest
from playwright.sync_api import expect

from pages import publish
from pages.models import Link, Page
from tests.e2e.steps import SLUG
from tests.helpers import count_of, flush_counts

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Mobile/15E148 musical_ly_34.1.0 JsSdk/2.0 NetType/WIFI BytedanceWebview/d8a21c6"
)


def stored(page, metric):
    """The count once the live server's counts are stored (as the scheduler would)."""
    deadline = time.monotonic() + 10
    while True:
        flush_counts()
        if count_of(page, metric) or time.monotonic() > deadline:
            return count_of(page, metric)
        time.sleep(0.2)


def test_a_click_and_a_play_show_on_alices_stats_tab(alice, browser, live_server):
    creator = Page.objects.get(slug=SLUG)
    Link.objects.create(page=creator, title="My tour dates", url=f"{live_server.url}/terms/")
    publish.page_changed(creator)

    # A visitor comes from TikTok's in-app browser (its own browser, no cookies).
    context = browser.new_context(user_agent=PHONE, viewport={"width": 360, "height": 740})
    try:
        visitor = context.new_page()
        visitor.goto(f"{live_server.url}/@{SLUG}")
        visitor.get_by_role("link", name="My tour dates").click()
        visitor.wait_for_url(f"{live_server.url}/terms/")
        visitor.go_back()
        with visitor.expect_request(lambda request: request.url.endswith("/play")) as beacon:
            visitor.get_by_role("link", name="Play video:").first.click()
        assert beacon.value.method == "POST"
        expect(visitor.locator("iframe.pf-frame")).to_have_count(1)
        assert context.cookies() == []
    finally:
        context.close()
    assert stored(creator, "link_clicks") == 1
    assert stored(creator, "video_plays") == 1

    alice.set_viewport_size({"width": 360, "height": 740})
    alice.get_by_role("navigation", name="Dashboard").get_by_role("link", name="Stats").click()
    alice.wait_for_url("**/dashboard/stats/")
    expect(alice.locator('[data-metric="views"]')).to_have_text("1")
    expect(alice.locator('[data-metric="link_clicks"]')).to_have_text("1")
    expect(alice.locator('[data-metric="video_plays"]')).to_have_text("1")
    expect(alice.get_by_role("row", name="My tour dates 1 100.0%")).to_be_visible()
    expect(alice.locator(".tops")).to_contain_text("tiktok.com")
    assert alice.evaluate("document.documentElement.scrollWidth") <= 360
    alice.get_by_text("Show as a table").first.click()
    assert alice.evaluate("document.documentElement.scrollWidth") <= 360
