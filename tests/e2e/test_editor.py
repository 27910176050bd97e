"""Alice edits her page on a 360 px phone and on a desktop: every control is
big enough to tap, nothing scrolls sideways, no script fails, and the order
she drags (or moves with the keyboard) is the order her visitors see."""

import pytest
from playwright.sync_api import expect

from pages import publish
from pages.models import BlockedDomain, Page
from tests.e2e.steps import SLUG

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}

# Everything a finger or a pointer aims at on an editor screen. Links inside
# a sentence are exempt (WCAG 2.5.8), the rest must be 44 px in both directions.
TARGETS = """() => {
  const small = [];
  const seen = document.querySelectorAll(
    "main button, main summary, main .btn, main input:not([type=hidden]):not([type=checkbox])" +
    ":not([type=radio]), main select, main textarea, nav.tabs a, .dl-grip"
  );
  for (const el of seen) {
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height || getComputedStyle(el).visibility === "hidden") continue;
    if (el.closest("details:not([open]) > :not(summary)")) continue;
    if (box.height < 44 || box.width < 44)
      small.push(`${el.tagName.toLowerCase()} "${(el.textContent || el.value || el.name).trim()
        .slice(0, 30)}" ${Math.round(box.width)}x${Math.round(box.height)}`);
  }
  return small;
}"""


def watch_errors(page):
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def give_alice_a_full_editor():
    mine = Page.objects.get(slug=SLUG)
    long_url = "https://shop.example.com/" + "a-very-long-path-segment/" * 8 + "?ref=tiktok"
    mine.links.create(title="Music", kind="header", position=1)
    mine.links.create(
        title="A link with a long address and a long title too", url=long_url, position=2
    )
    mine.links.create(title="Merch", url="https://merch.example", emoji="🛍️", position=3)
    mine.links.create(title="Old shop", url="https://spam.example/x", position=4)
    BlockedDomain.objects.create(domain="spam.example")
    video = mine.videos.first()
    video.pinned, video.link_url = True, "https://shop.example/dress"
    video.save()
    mine.socials = {"instagram": "alice.dances", "x": "alice_d"}
    mine.save()
    publish.page_changed(mine)


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["360px", "1280px"])
def test_links_videos_and_share_fit_the_screen_with_big_enough_targets(alice, live_server, size):
    page = alice
    give_alice_a_full_editor()
    errors = watch_errors(page)
    page.set_viewport_size(size)
    for path in ("/dashboard/", "/dashboard/videos/", "/dashboard/share/", f"/@{SLUG}"):
        page.goto(live_server.url + path)
        wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert wide <= 0, f"{path} is {wide} px wider than the screen"
        if path.startswith("/dashboard/"):
            small = page.evaluate(TARGETS)
            assert small == [], f"small targets on {path}: {small}"
    # A link's menu, opened, stays on the screen.
    page.goto(live_server.url + "/dashboard/")
    page.get_by_label("Actions for “Merch”").click()
    merch = Page.objects.get(slug=SLUG).links.get(title="Merch")
    menu = page.locator(f"#link-{merch.pk} .menu-body")
    box = menu.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= size["width"]
    assert page.evaluate(TARGETS) == []
    assert errors == []


def test_on_a_phone_each_link_is_one_line_with_its_actions_in_a_menu(alice, live_server):
    page = alice
    give_alice_a_full_editor()
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/dashboard/")
    rows = page.locator("ol.dash-links > li")
    expect(rows).to_have_count(4)
    for n in range(4):
        assert rows.nth(n).bounding_box()["height"] <= 60 or "blocked" in rows.nth(n).inner_html()
    expect(page.get_by_role("button", name="Delete")).to_have_count(0)  # closed menus
    expect(page.get_by_text("Links to this site are not allowed here")).to_be_visible()
    # Hide, from the menu: the page comes back to the same link.
    page.get_by_label("Actions for “Merch”").click()
    page.get_by_role("button", name="Hide").click()
    expect(page.get_by_text("“Merch” is hidden from your page.")).to_be_visible()
    merch = Page.objects.get(slug=SLUG).links.get(title="Merch")
    assert page.url.endswith(f"#link-{merch.pk}")


def titles():
    return list(Page.objects.get(slug=SLUG).links.values_list("title", flat=True))


def test_alice_drags_a_link_to_the_top_and_her_visitors_see_that_order(alice, live_server, visitor):
    page = alice
    mine = Page.objects.get(slug=SLUG)
    for n, title in enumerate(["One", "Two", "Three"], start=1):
        mine.links.create(title=title, url=f"https://{title.lower()}.example", position=n)
    errors = watch_errors(page)
    page.goto(live_server.url + "/dashboard/")
    grip = page.get_by_role("button", name="Move “Three” (arrow keys or drag)")
    page.evaluate("document.querySelector('ol.dash-links').scrollIntoView({block: 'center'})")
    target = page.locator("ol.dash-links > li").first.bounding_box()
    start = grip.bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(target["x"] + 30, target["y"] + 10, steps=8)
    page.mouse.up()
    expect(page.locator("#reorder-status")).to_have_text("Saved: “Three” is now number 1 of 3.")
    assert titles() == ["Three", "One", "Two"]
    visitor.goto(f"{live_server.url}/@{SLUG}")
    assert visitor.locator(".pf-links a").all_inner_texts() == ["Three", "One", "Two"]
    assert errors == []


def test_alice_moves_a_link_with_the_keyboard(alice, live_server):
    page = alice
    mine = Page.objects.get(slug=SLUG)
    for n, title in enumerate(["One", "Two", "Three"], start=1):
        mine.links.create(title=title, url=f"https://{title.lower()}.example", position=n)
    page.goto(live_server.url + "/dashboard/")
    page.get_by_role("button", name="Move “One” (arrow keys or drag)").focus()
    page.keyboard.press("ArrowDown")
    expect(page.locator("#reorder-status")).to_have_text("Saved: “One” is now number 2 of 3.")
    page.keyboard.press("ArrowDown")  # focus stays on the handle that moved
    expect(page.locator("#reorder-status")).to_have_text("Saved: “One” is now number 3 of 3.")
    assert titles() == ["Two", "Three", "One"]


def test_without_javascript_the_menu_and_arrows_still_move_links(browser, live_server, alice):
    mine = Page.objects.get(slug=SLUG)
    for n, title in enumerate(["One", "Two"], start=1):
        mine.links.create(title=title, url=f"https://{title.lower()}.example", position=n)
    context = browser.new_context(
        java_script_enabled=False, storage_state=alice.context.storage_state()
    )
    try:
        page = context.new_page()
        page.goto(live_server.url + "/dashboard/")
        expect(page.locator(".dl-grip")).to_have_count(0)
        page.get_by_label("Actions for “Two”").click()
        page.get_by_role("button", name="Move “Two” up").click()
        assert titles() == ["Two", "One"]
    finally:
        context.close()


def test_videos_change_one_post_at_a_time_and_keep_their_place(alice, live_server):
    page = alice
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/dashboard/videos/")
    tiles = page.locator("ul.dash-videos > li")
    expect(tiles).to_have_count(6)
    last = tiles.nth(5)
    last_id = last.get_attribute("id")
    last.get_by_role("button", name="Hide").click()
    assert page.url.endswith("#" + last_id)
    expect(page.locator(f"#{last_id} .badge")).to_have_text("hidden")
    page.locator(f"#{last_id} summary").click()
    page.locator(f"#{last_id} input[name$=link_url]").fill("shop.example/look")
    page.locator(f"#{last_id}").get_by_role("button", name="Save link").click()
    expect(page.get_by_text("The video's link is saved.")).to_be_visible()
    video = Page.objects.get(slug=SLUG).videos.get(pk=int(last_id.split("-")[1]))
    assert video.hidden and video.link_url == "https://shop.example/look"


def test_the_share_tab_copies_the_link_and_shows_the_card(alice, live_server):
    page = alice
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.get_by_role("link", name="Share", exact=True).click()
    page.get_by_role("button", name="Copy link").click()
    address = f"{live_server.url}/@{SLUG}"
    expect(page.locator("#copy-status")).to_have_text(f"Copied: {address}")
    assert page.evaluate("navigator.clipboard.readText()") == address
    card = page.locator(".share-card")
    expect(card).to_contain_text("Alice Dances (@alice.dances)")
    expect(card).to_contain_text("New choreography every Friday")
    expect(card.locator("img")).to_have_count(1)
    page.get_by_role("img", name=f"QR code of {address}").wait_for()
