"""Alice's page as it travels: a video tile opens the video on TikTok even
without JavaScript, a shared link shows her share picture, and a visitor who
mistypes a free name is invited to claim it."""

import pytest
from playwright.sync_api import expect

from pages.models import Page, Video
from tests.e2e.steps import SLUG, run_tasks

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_without_javascript_a_tile_opens_the_video_on_tiktok(
    browser, synced_creator, live_server, tiktok
):
    newest = Video.objects.order_by("-create_time").first()
    assert newest.share_url.startswith(f"{tiktok}/@alice.dances/video/{newest.external_id}?")
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/@{SLUG}")
        page.get_by_role("link", name=f"Play video: {newest.title}").click()
        page.wait_for_url(f"{tiktok}/@alice.dances/video/{newest.external_id}?*")
        expect(page.get_by_text(newest.title).first).to_be_visible()
    finally:
        context.close()


def test_a_shared_link_shows_her_picture_made_in_the_background(page, synced_creator, live_server):
    run_tasks()  # the share picture queued by the first sync
    mine = Page.objects.get(slug=SLUG)
    assert mine.share_image
    page.goto(f"{live_server.url}/@{SLUG}")
    url = page.locator('meta[property="og:image"]').get_attribute("content")
    assert url == live_server.url + mine.share_image.url
    picture = page.request.get(url)
    assert picture.status == 200 and picture.headers["content-type"] == "image/png"


def test_a_free_name_invites_its_owner_on_a_phone(page, live_server, db):
    page.set_viewport_size({"width": 360, "height": 740})
    response = page.goto(f"{live_server.url}/@dance_crew")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("@dance_crew is free")
    claim = page.get_by_role("link", name="Claim @dance_crew")
    assert claim.bounding_box()["height"] >= 44
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    claim.click()
    page.wait_for_url("**/signin/")
