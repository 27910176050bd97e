"""The sign-in and page journey against a running deployment, in a real
browser: `make prod-local` (gunicorn, PostgreSQL, Redis, an S3 server,
workers, the scheduler, the sandbox as TikTok), or any site whose TikTok is
the sandbox. CI runs it against prod-local:

    DEPLOYED_SITE_URL=http://127.0.0.1:8100 .venv/bin/pytest -m deployed

Without DEPLOYED_SITE_URL it is skipped: it needs a whole deployment, which
`.ci/run` starts for it in a step of its own.
"""

import os
import secrets
import time

import pytest
from playwright.sync_api import expect

from tests.helpers import fresh_page

pytestmark = [pytest.mark.deployed, pytest.mark.e2e]

GUEST = "(guest)"  # a deployment with the sandbox is a public demo: visitors are guests


@pytest.fixture
def site():
    url = os.environ.get("DEPLOYED_SITE_URL", "").rstrip("/")
    if not url:
        pytest.skip("DEPLOYED_SITE_URL names no running deployment (make prod-local)")
    return url


def until(check, seconds=60):
    """The workers sync in the background: wait for what they bring."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(1)
    return True


def test_a_guest_signs_in_adds_a_link_and_a_visitor_sees_the_page(site, browser, page):
    page.goto(site + "/")
    page.get_by_role("link", name="Sign in with TikTok").click()
    page.get_by_role("button", name="Continue with TikTok").click()
    page.wait_for_url("**/sandbox/tiktok/v2/auth/authorize/**")
    expect(page.get_by_role("radio", name="A new guest account")).to_be_checked()
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url("**/dashboard/")
    mine = page.locator("a[href^='/@']").first.get_attribute("href").split("?")[0]

    title = f"Book a session {secrets.token_hex(3)}"  # a new link on every run
    page.get_by_label("Title").fill(title)
    page.get_by_label("Address").fill("https://example.com/dani/book")
    page.get_by_role("button", name="Add link").click()
    expect(page.locator(".dash-links .dl-title", has_text=title)).to_have_count(1)

    with fresh_page(browser) as visitor:
        # The first sync (run by a worker) brings the videos and mirrors the
        # pictures into the bucket. A browser keeps a page for a minute: the
        # visitor reloads, which asks the site again.
        visitor.goto(site + mine)

        def synced():
            visitor.reload()
            return visitor.locator("img[src*='/c-']").count() > 0

        assert until(synced), "the first sync never showed the videos"
        links = visitor.get_by_role("navigation", name="Links")
        expect(links.get_by_role("link", name=title)).to_have_count(1)
        expect(visitor.get_by_role("heading", level=1)).to_contain_text(GUEST)
        pictures = visitor.locator("img[src^='/media/pages/']")
        assert pictures.count() >= 2
        for n in range(pictures.count()):
            picture = pictures.nth(n)
            picture.scroll_into_view_if_needed()
            expect(picture).to_have_js_property("complete", True)
            assert picture.evaluate("img => img.naturalWidth") > 0, picture.get_attribute("src")
