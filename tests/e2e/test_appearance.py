"""Alice styles her page on the Appearance tab, on a desktop and on a phone."""

import os

import pytest
from playwright.sync_api import expect

from pages.models import Page
from tests.e2e.steps import SLUG

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("SCREENSHOTS")  # a folder to keep screenshots in, when set


def shot(page, name):
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def preview_body(page):
    return page.frame_locator("#preview").locator("body")


def test_alice_picks_a_theme_and_her_own_colours_with_a_live_preview(alice, live_server, visitor):
    page = alice
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + "/dashboard/appearance/")

    # The phone-sized preview of her real page stands beside the form.
    frame = page.locator("#preview")
    form = page.locator("#appearance")
    assert frame.bounding_box()["x"] > form.bounding_box()["x"] + form.bounding_box()["width"] - 1
    assert 360 <= frame.bounding_box()["width"] <= 380
    expect(preview_body(page).get_by_role("heading", level=1)).to_have_text(
        "Alice Dances ✓ (verified on TikTok)"
    )

    # Themes are swatches: she picks Mint and the preview follows before she saves.
    page.get_by_role("radio", name="Mint").check()
    expect(preview_body(page)).to_have_class("profile theme-mint btn-pill")
    page.get_by_role("radio", name="Square").check()
    expect(preview_body(page)).to_have_class("profile theme-mint btn-square")

    # A dark background under Mint's dark text is refused, with the ratio.
    page.get_by_label("Use my own colours").check()
    page.get_by_label("Background").fill("#333333")
    page.get_by_label("Title (leave empty").fill("Alice on stage")
    shot(page, "appearance-desktop")
    page.get_by_role("button", name="Save").click()
    # Said at the top, where a phone's screen shows it, and at the field.
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Nothing was saved yet.")
    expect(summary).to_contain_text("Text on this background has a contrast of 1.1:1")
    expect(page.locator("#id_background_color_error")).to_contain_text("at least 4.5:1")
    expect(page.get_by_label("Background")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Title (leave empty")).to_have_value("Alice on stage")
    expect(page.get_by_role("radio", name="Mint")).to_be_checked()
    assert Page.objects.get(slug=SLUG).theme == "classic"
    # The refused form comes back with 400, which the browser reports; nothing else.
    assert [e for e in errors if "status of 400" not in e] == []
    errors.clear()

    # A light cream passes; the page changes for visitors once saved.
    page.get_by_label("Background").fill("#fff8e7")
    page.get_by_label("Accent (buttons)").fill("#1f3a93")
    expect(preview_body(page)).to_have_class("profile theme-mint btn-square custom")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your page's look is saved.")).to_be_visible()
    saved = Page.objects.get(slug=SLUG)
    assert (saved.theme, saved.background_color, saved.accent_color) == (
        "mint",
        "#fff8e7",
        "#1f3a93",
    )
    visitor.goto(f"{live_server.url}/@{SLUG}")
    background = visitor.locator("body").evaluate("el => getComputedStyle(el).backgroundColor")
    assert background == "rgb(255, 248, 231)"
    assert errors == []


def test_the_appearance_tab_fits_a_phone_with_the_preview_on_top(alice, live_server):
    page = alice
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_server.url + "/dashboard/appearance/")
    shot(page, "appearance-phone")
    frame = page.locator("#preview").bounding_box()
    form = page.locator("#appearance").bounding_box()
    assert frame["y"] + frame["height"] <= form["y"]
    assert frame["x"] >= 0 and frame["x"] + frame["width"] <= 360
    wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, f"the Appearance tab is {wide} px wider than the phone"
    small = page.evaluate(
        """() => [...document.querySelectorAll(
            '#appearance label.swatch, #appearance textarea, #appearance button,'
            + ' #appearance input:not([type=radio]):not([type=hidden])')]
          .map(el => {
            const box = (el.type === 'checkbox' ? el.closest('p') : el).getBoundingClientRect();
            return [el.name || el.textContent.trim(), box.height, box.width];
          })
          .filter(([, h, w]) => h < 44 || w < 44)"""
    )
    assert small == []


def test_the_preview_shows_the_saved_look_without_javascript(browser, live_server, alice):
    Page.objects.filter(slug=SLUG).update(theme="midnight", accent_color="#ffd166")
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.context.add_cookies(alice.context.cookies())
        page.goto(live_server.url + "/dashboard/appearance/")
        expect(page.frame_locator("#preview").locator("body")).to_have_class(
            "profile theme-midnight btn-pill custom"
        )
    finally:
        context.close()


def test_after_saving_alice_sees_her_change_on_her_page_at_once(alice, live_server):
    page = alice
    page.goto(live_server.url + "/dashboard/appearance/")
    page.get_by_role("link", name="View my page").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Alice Dances")
    # Her browser keeps that page for a minute; her next look must not be that copy.
    page.go_back()
    page.get_by_label("Title (leave empty").fill("Alice on Tour")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your page's look is saved.")).to_be_visible()
    page.get_by_role("link", name="View my page").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Alice on Tour")


# The ✓ on the picked swatch, and what it is drawn on: its own background, or
# the swatch's sample under it when it has none.
TICK = """label => {
  const tick = getComputedStyle(label, "::after");
  const rgb = text => text.match(/[\\d.]+/g).map(Number);
  const luminance = ([r, g, b]) => [r, g, b].map(c => c / 255)
    .map(c => c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)
    .reduce((sum, c, i) => sum + c * [0.2126, 0.7152, 0.0722][i], 0);
  let under = rgb(tick.backgroundColor);
  if (under.length === 4 && under[3] === 0)
    under = rgb(getComputedStyle(label.querySelector(".swatch-sample")).backgroundColor);
  const [a, b] = [luminance(rgb(tick.color)), luminance(under)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}"""


def test_the_tick_on_the_picked_theme_reads_on_every_theme(alice, live_server):
    page = alice
    page.goto(live_server.url + "/dashboard/appearance/")
    themes = page.locator("label.swatch:has(input[name=theme])")
    assert themes.count() == 5
    for theme in themes.all():
        theme.click()
        name = theme.inner_text().strip(" ✓\n")
        assert theme.evaluate(TICK) >= 4.5, f"the ✓ on {name} is hard to see"
