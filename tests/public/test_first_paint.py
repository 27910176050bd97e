"""A visitor's phone paints Alice's page without waiting for the site's
stylesheets: the page carries its own small stylesheet inline (admitted by
the Content-Security-Policy), and its script too, the dashboard's styles stay
on the dashboard, and the largest picture a phone shows first is fetched
first."""

import base64
import hashlib
import re

import pytest

from pages import publish
from pages.models import Link
from tests.helpers import page_of, sync

pytestmark = pytest.mark.django_db

STYLESHEET = re.compile(r'<link rel="stylesheet" href="([^"]+)"')


@pytest.fixture
def synced(alice, tiktok, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sync(alice)
    return page_of(alice)


def inline_style_is_allowed(response):
    html = response.content.decode()
    styles = re.findall(r"<style>(.*?)</style>", html, re.DOTALL)
    assert len(styles) == 1
    digest = base64.b64encode(hashlib.sha256(styles[0].encode()).digest()).decode()
    policy = response["Content-Security-Policy"]
    style_src = next(d for d in policy.split(";") if d.strip().startswith("style-src"))
    assert f"'sha256-{digest}'" in style_src
    assert "unsafe-inline" not in style_src
    return styles[0]


def test_the_public_page_carries_its_own_stylesheet_admitted_by_the_policy(synced, visitor):
    cold, warm = visitor.get("/@alice"), visitor.get("/@alice")
    for response in (cold, warm):
        css = inline_style_is_allowed(response)
        assert ".pf-grid" in css and ".tabs" not in css  # the page's styles, not the dashboard's
        assert STYLESHEET.findall(response.content.decode()) == []  # nothing to wait for


def test_a_page_with_its_own_colours_adds_only_their_small_stylesheet(synced, visitor):
    synced.background_color, synced.accent_color = "#fff8e7", "#1f3a93"
    synced.save(update_fields=["background_color", "accent_color"])
    publish.page_changed(synced)
    response = visitor.get("/@alice")
    inline_style_is_allowed(response)
    assert [url.split("/")[1] for url in STYLESHEET.findall(response.content.decode())] == ["style"]


@pytest.mark.parametrize("address", ["/@free_name", "/@alice"])
def test_a_missing_or_suspended_page_paints_the_same_way(alice, visitor, address):
    page = page_of(alice)
    page.is_suspended = True
    page.save(update_fields=["is_suspended"])
    publish.page_changed(page)
    response = visitor.get(address)
    assert response.status_code in (404, 410)
    inline_style_is_allowed(response)


def pictures(html):
    avatar = re.search(r'<img class="pf-avatar"[^>]*>', html).group(0)
    covers = re.findall(r"<img src=\"/media/pages/[^\"]+/c-[^>]*>", html)
    return avatar, covers


def test_a_page_that_opens_on_its_covers_fetches_the_first_cover_first(synced, visitor):
    avatar, covers = pictures(visitor.get("/@alice").content.decode())
    assert len(covers) >= 4
    # At 360x740 the first row of covers shows: the first cover is the largest
    # picture painted, and the others wait for it.
    assert 'fetchpriority="high"' in covers[0] and "lazy" not in covers[0]
    assert 'fetchpriority="low"' in covers[1] and "lazy" not in covers[1]
    for cover in covers[2:]:
        assert 'loading="lazy"' in cover and 'fetchpriority="low"' in cover
    assert 'fetchpriority="low"' in avatar


def test_a_page_that_opens_on_its_links_fetches_the_profile_picture_first(synced, visitor):
    for n in range(8):
        Link.objects.create(page=synced, title=f"My shop no. {n}", url=f"https://example.com/{n}")
    publish.page_changed(synced)
    avatar, covers = pictures(visitor.get("/@alice").content.decode())
    assert 'fetchpriority="high"' in avatar
    # Below the fold: each one fetched once scrolled near, then as any picture in view.
    for cover in covers:
        assert 'loading="lazy"' in cover and "fetchpriority" not in cover


def test_the_page_plays_videos_with_its_own_script_and_no_script_request(synced, visitor):
    for response in (visitor.get("/@alice"), visitor.get("/@alice")):
        html = response.content.decode()
        scripts = re.findall(r"<script>(.*?)</script>", html, re.DOTALL)
        assert len(scripts) == 1 and "data-player" in scripts[0]
        assert "<script src=" not in html
        digest = base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()
        policy = response["Content-Security-Policy"]
        script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
        assert f"'sha256-{digest}'" in script_src and "unsafe-inline" not in script_src


def test_the_dashboards_styles_load_on_the_dashboard_only(synced, alice_client, client):
    home = STYLESHEET.findall(client.get("/").content.decode())
    assert [url.split("/")[-1].split(".")[0] for url in home] == ["page", "site"]
    for screen in (
        "/dashboard/",
        "/dashboard/videos/",
        "/dashboard/appearance/",
        "/dashboard/stats/",
    ):
        response = alice_client.get(screen)
        assert response.status_code == 200, screen
        sheets = [
            url.split("/")[-1].split(".")[0]
            for url in STYLESHEET.findall(response.content.decode())
        ]
        assert sheets == ["page", "site", "dashboard"], screen
