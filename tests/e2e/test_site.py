"""A newcomer opens linkinbio in a real browser."""

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_newcomer_reads_the_home_page_and_the_privacy_policy(page, live_server, outside_requests):
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(live_server.url + "/")
    assert page.get_by_role("heading", level=1).inner_text() == "One link for your TikTok bio"
    assert page.get_by_role("link", name="Sign in with TikTok").is_visible()

    page.get_by_role("link", name="Privacy").click()
    page.wait_for_url("**/privacy/")
    assert page.get_by_role("heading", name="How long we keep it").is_visible()
    assert errors == []
    assert outside_requests == []


def test_the_stylesheet_applies_in_the_browser(page, live_server):
    page.goto(live_server.url + "/")
    button = page.get_by_role("link", name="Sign in with TikTok")
    radius = button.evaluate("el => getComputedStyle(el).borderRadius")
    assert radius == "999px"


def test_on_a_phone_the_sign_in_button_stands_apart_from_the_footer(page, live_server):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_server.url + "/signin/")
    button = page.get_by_role("button", name="Continue with TikTok").bounding_box()
    footer = page.locator("footer.footer").bounding_box()
    assert footer["y"] - (button["y"] + button["height"]) >= 16


def test_on_a_phone_continue_with_tiktok_is_in_the_first_screen_with_what_it_asks_under_it(
    page, live_server
):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_server.url + "/signin/")

    button = page.get_by_role("button", name="Continue with TikTok").bounding_box()
    asked = page.get_by_role("heading", name="What we ask for, and why").bounding_box()

    assert button["y"] + button["height"] <= 740
    # The scopes' explanation comes right under the button, before anything else.
    assert 0 < asked["y"] - (button["y"] + button["height"]) <= 120
