"""What a new creator meets on a 360 px phone: a refused link is told in the
first screen and survives a reload; a creator who declined the profile scope
grants it and moves to /@<username> in one click, her old address redirecting."""

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from pages.models import Page
from sources.tiktok.models import TikTokConnection
from tests.e2e import steps

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}


def test_a_refused_link_is_told_in_the_first_screen_and_a_reload_shows_no_405(alice):
    page = alice
    page.set_viewport_size(PHONE)
    page.goto(page.url)  # her dashboard, on the phone
    steps.add_link(page, "My shop", "javascript:alert(1)")

    summary = page.locator("#not-saved")
    expect(summary).to_be_visible()
    box = summary.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]  # the first screen
    assert page.evaluate("document.activeElement.id") == "not-saved"  # read out at once
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "id_url"  # the field to fix

    page.goto(page.url)  # Enter in the address bar
    assert "405" not in page.content()
    expect(page.get_by_role("heading", name="Links")).to_be_visible()
    page.go_back()
    page.reload()
    assert "HTTP ERROR" not in page.content()


def test_each_reason_in_the_error_summary_has_its_bullet_beside_its_first_line(alice):
    page = alice
    page.set_viewport_size(PHONE)
    page.goto(page.url)
    steps.add_link(page, "My shop", "javascript:alert(1)")

    item = page.locator("#not-saved li").first
    lines = item.evaluate(
        """li => { const r = document.createRange();
                   r.selectNodeContents(li.querySelector('a').firstChild);
                   return [...r.getClientRects()].map(b => [b.top, b.bottom]); }"""
    )
    assert len(lines) >= 2  # the reason wraps on a phone
    box = item.bounding_box()
    gutter = {"x": box["x"] - 16, "y": box["y"], "width": 14, "height": box["height"]}
    image = Image.open(io.BytesIO(page.screenshot(clip=gutter))).convert("L")
    dark = lambda y: min(image.getpixel((x, y)) for x in range(image.width)) < 128  # noqa: E731
    inked = [y for y in range(image.height) if dark(y)]
    assert inked, "no bullet in the gutter"
    bullet = box["y"] + (inked[0] + inked[-1]) / 2
    assert lines[0][0] <= bullet <= lines[0][1]  # not beside the last line, as if a second reason


def test_a_creator_who_declined_her_username_moves_to_it_in_one_click(page, live_server, tiktok):
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/signin/")
    page.get_by_role("button", name="Continue with TikTok").click()
    page.wait_for_url("**/sandbox/tiktok/v2/auth/authorize/**")
    page.get_by_role("radio", name="Alice Dances").check()
    for optional in page.locator("input[type=checkbox][name=scope]").all():
        optional.set_checked(False)  # the basic scope only
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url("**/dashboard/")
    steps.run_tasks()
    old = Page.objects.get().slug
    assert old == "alice_dances" and Page.objects.get().username == ""

    # She grants the rest from "Your data"; the sync brings @alice.dances.
    page.goto(live_server.url + "/dashboard/data/")
    page.get_by_role("button", name="Grant the rest on TikTok").click()
    steps.allow_on_tiktok(page)
    assert "user.info.profile" in TikTokConnection.objects.get().scopes
    steps.run_tasks()
    page.reload()

    offer = page.get_by_role("button", name=f"Move to /@{steps.SLUG}")
    expect(offer).to_be_visible()
    assert offer.bounding_box()["y"] < PHONE["height"] * 2
    offer.click()
    page.wait_for_url("**/dashboard/")
    expect(page.get_by_text(f"Your page is now at /@{steps.SLUG}")).to_be_visible()

    visit = page.context.request.get(live_server.url + f"/@{old}", max_redirects=0)
    assert visit.status == 301 and visit.headers["location"] == f"/@{steps.SLUG}"
    page.goto(live_server.url + f"/@{old}")
    assert page.url.endswith(f"/@{steps.SLUG}")
    expect(page.get_by_role("heading", name="Alice Dances")).to_be_visible()


def test_on_a_phone_each_link_shows_where_it_goes(alice):
    page = alice
    page.set_viewport_size(PHONE)
    mine = Page.objects.get(slug=steps.SLUG)
    mine.links.create(title="My merch", url="https://shop.example.com/a/very/long/path?ref=tt")
    mine.links.create(title="Mail me", url="mailto:alice@example.com")
    page.reload()

    merch = page.locator("ol.dash-links > li", has_text="My merch")
    expect(merch.get_by_text("shop.example.com", exact=True)).to_be_visible()
    expect(page.get_by_text("alice@example.com", exact=True)).to_be_visible()


TOO_SMALL = """(selector) => [...document.querySelectorAll(selector)]
  .map((el) => el.getBoundingClientRect())
  .filter((box) => box.width && (box.height < 44 || box.width < 44))
  .map((box) => `${Math.round(box.width)}x${Math.round(box.height)}`)"""


def test_on_a_phone_nothing_is_flush_touching_or_too_small_to_tap(alice, live_server, visitor):
    page = alice
    page.set_viewport_size(PHONE)
    mine = Page.objects.get(slug=steps.SLUG)
    video = mine.videos.first()
    page.goto(page.url)

    # The creator's name stands clear of the top bar.
    bar = page.locator("header.topbar").bounding_box()
    name = page.locator(".dash-head h1").bounding_box()
    assert name["y"] - (bar["y"] + bar["height"]) >= 16
    # "Show this link" with its box is one 44 px target; so are the footer's links.
    form = page.locator("details.add-link")
    if form.get_attribute("open") is None:  # open for a creator with no links yet
        page.get_by_text("Add a link or a section header").click()
    expect(form.locator(".check")).to_be_visible()
    assert page.evaluate(TOO_SMALL, "details[open] .check") == []
    # So are "Link" and "Section header" with their dots, and the way to a new address.
    assert page.evaluate(TOO_SMALL, "details[open] label:has(> input[type=radio])") == []
    assert page.evaluate(TOO_SMALL, ".dash-head a[href$='/address/']") == []
    # On Stats: the periods, the CSV and each "Show as a table".
    page.goto(live_server.url + "/dashboard/stats/")
    assert page.evaluate(TOO_SMALL, ".periods a, main details > summary") == []
    assert page.evaluate(TOO_SMALL, "footer.footer a") == []
    visitor.set_viewport_size(PHONE)
    visitor.goto(live_server.url + f"/@{steps.SLUG}")
    assert visitor.evaluate(TOO_SMALL, ".pf-foot a") == []

    # "Save link" and "Cancel" stand apart.
    page.goto(live_server.url + f"/dashboard/videos/{video.pk}/")
    save = page.get_by_role("button", name="Save link").bounding_box()
    cancel = page.get_by_role("link", name="Cancel").bounding_box()
    apart = (
        cancel["x"] - (save["x"] + save["width"])
        if cancel["y"] == save["y"]
        else (cancel["y"] - (save["y"] + save["height"]))
    )
    assert apart >= 8


def test_the_appearance_preview_keeps_showing_the_page_while_the_next_look_loads(
    alice, live_server
):
    page = alice
    page.goto(live_server.url + "/dashboard/appearance/")
    preview = page.frame_locator("#preview").locator("body")
    expect(preview).to_have_class("profile theme-classic btn-pill")
    shown_src = page.locator("#preview").get_attribute("src")
    held = []
    page.route("**/dashboard/appearance/preview?*", lambda route: held.append(route))

    page.get_by_role("radio", name="Mint").check()
    page.wait_for_timeout(600)  # past the form's 250 ms pause: the next look is asked for

    assert held, "the next look was asked for"
    # While it loads (in a hidden frame), the shown frame keeps showing the
    # page it shows: it never turns into a blank, white document meanwhile.
    assert page.locator("#preview").get_attribute("src") == shown_src
    expect(page.locator("#preview")).to_be_visible()
    expect(preview).to_have_class("profile theme-classic btn-pill")
    held[-1].continue_()
    page.unroute("**/dashboard/appearance/preview?*")
    expect(preview).to_have_class("profile theme-mint btn-pill")
    assert page.locator("iframe.phone").count() == 1


def background(page_or_frame):
    return page_or_frame.locator("body").evaluate("el => getComputedStyle(el).backgroundColor")


def test_classic_can_be_pinned_light_and_the_preview_shows_both_looks(alice, live_server, browser):
    page = alice
    dark_visitor = browser.new_context(color_scheme="dark").new_page()
    address = live_server.url + f"/@{steps.SLUG}"
    dark_visitor.goto(address)
    assert background(dark_visitor) == "rgb(17, 18, 23)"  # Classic follows the device

    page.goto(live_server.url + "/dashboard/appearance/")
    preview = page.frame_locator("#preview")
    page.get_by_role("link", name="dark mode").click()
    expect(preview.locator("body")).to_have_class("profile theme-classic btn-pill mode-dark")
    assert background(preview) == "rgb(17, 18, 23)"
    page.get_by_role("link", name="light mode").click()
    expect(preview.locator("body")).to_have_class("profile theme-classic btn-pill mode-light")

    page.get_by_label("Always light").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your page's look is saved.")).to_be_visible()
    dark_visitor.context.close()
    another = browser.new_context(color_scheme="dark")  # nothing cached of the old look
    dark_visitor = another.new_page()
    dark_visitor.goto(address)
    assert background(dark_visitor) == "rgb(250, 250, 250)"  # pinned light, dark phone
    another.close()
