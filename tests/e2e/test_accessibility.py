"""Every screen a creator or a visitor meets passes axe-core (the engine
behind Lighthouse's and most browsers' accessibility checks) without a
serious or critical violation, on a 360 px phone and on a 1280 px desktop,
in the light and the dark colour scheme."""

import os

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from pages import publish
from pages.models import Page, Video
from tests.e2e.steps import SLUG
from tests.helpers import fresh_page

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDTHS = [360, 1280]
BLOCKING = ("serious", "critical")

axe = Axe()
SHOW_ALL = os.environ.get("AXE_SHOW_ALL")  # print the minor violations too


def violations(page):
    """The serious and critical violations on the page, in words a person can act on."""
    results = axe.run(page).response
    assert results["passes"], "axe checked nothing"
    found = results["violations"]
    if SHOW_ALL:
        print(page.url, [(v["id"], v["impact"], len(v["nodes"])) for v in found])
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in found
        if v["impact"] in BLOCKING
    ]


def scan(page, base, paths):
    """Each path at each width, in the light and the dark colour scheme."""
    report = {}
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 800})
            for path in paths:
                response = page.goto(base + path)
                assert response.status < 500, path
                found = violations(page)
                if found:
                    report[f"{path} at {width} px, {scheme}"] = found
    return report


def test_the_creator_screens_have_no_serious_accessibility_violations(alice, live_server):
    page = alice
    mine = Page.objects.get(slug=SLUG)
    link = mine.links.create(title="My merch", url="https://shop.example.com/merch", position=1)
    video = Video.objects.filter(page=mine).first()
    paths = [
        "/dashboard/",
        f"/dashboard/links/{link.pk}/",
        "/dashboard/videos/",
        "/dashboard/appearance/",
        "/dashboard/appearance/preview",
        "/dashboard/data/",
        "/dashboard/data/delete/",
    ]
    assert video is not None
    assert scan(page, live_server.url, paths) == {}

    # A refused Appearance form, with its messages.
    page.goto(live_server.url + "/dashboard/appearance/")
    page.get_by_label("Use my own colours").check()
    page.get_by_label("Background").fill("#333333")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Nothing was saved yet.")
    assert violations(page) == []


def test_the_visitor_screens_have_no_serious_accessibility_violations(
    browser, synced_creator, live_server
):
    mine = Page.objects.get(slug=SLUG)
    mine.links.create(title="My merch", url="https://shop.example.com/merch", position=1)
    publish.page_changed(mine)
    paths = ["/", "/signin/", "/privacy/", "/terms/", f"/@{SLUG}", f"/@{SLUG}/report", "/@nobody"]
    with fresh_page(browser) as page:
        assert scan(page, live_server.url, paths) == {}


@pytest.mark.parametrize("theme", ["classic", "midnight", "sunset", "mint", "paper"])
def test_every_theme_and_a_custom_look_keep_the_public_page_readable(
    browser, synced_creator, live_server, theme
):
    Page.objects.filter(slug=SLUG).update(theme=theme, button_style="outline")
    mine = Page.objects.get(slug=SLUG)
    mine.links.create(title="My merch", url="https://shop.example.com/merch", position=1)
    publish.page_changed(mine)
    with fresh_page(browser) as page:
        assert scan(page, live_server.url, [f"/@{SLUG}"]) == {}
        Page.objects.filter(slug=SLUG).update(
            background_color="#fff8e7" if theme != "midnight" else "#1a1a2e",
            accent_color="#1f3a93" if theme != "midnight" else "#ffd166",
            button_style="pill",
        )
        publish.page_changed(Page.objects.get(slug=SLUG))
        assert scan(page, live_server.url, [f"/@{SLUG}"]) == {}
