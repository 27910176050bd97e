"""Alice gives her page its own look: a theme, her own background and accent
colours (kept readable), and a preview of the real page before she saves."""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st

from pages import cache as page_cache
from pages import colours
from tests.helpers import page_of

LOOK = {
    "title_override": "",
    "bio_override": "",
    "theme": "classic",
    "button_style": "pill",
    "show_follower_count": "on",
}


def test_contrast_ratios_follow_wcag():
    assert colours.contrast("#000000", "#ffffff") == pytest.approx(21)
    assert colours.contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert colours.shown_ratio(4.4999) == "4.4:1"  # a refused ratio never reads as 4.5:1


def test_alice_saves_her_own_colours_and_visitors_see_them(alice_client, alice, visitor):
    response = alice_client.post(
        "/dashboard/appearance/",
        {**LOOK, "custom_colours": "on", "background_color": "#FFF8E7", "accent_color": "#1f3a93"},
    )
    assert response.status_code == 302
    page = page_of(alice)
    assert (page.background_color, page.accent_color) == ("#fff8e7", "#1f3a93")

    html = visitor.get("/@alice").content.decode()
    assert 'class="profile theme-classic btn-pill custom"' in html
    assert 'href="/style/classic-fff8e7-1f3a93.css"' in html
    css = visitor.get("/style/classic-fff8e7-1f3a93.css")
    assert css["Content-Type"].startswith("text/css")
    assert "immutable" in css["Cache-Control"]
    assert "--bg:#fff8e7;" in css.content.decode()
    assert "--accent:#1f3a93;" in css.content.decode()


def test_text_on_a_too_dark_background_is_refused_with_its_ratio(alice_client, alice):
    response = alice_client.post(
        "/dashboard/appearance/",
        {
            **LOOK,
            "title_override": "Alice Live",
            "custom_colours": "on",
            "background_color": "#444444",
            "accent_color": "#d9143f",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Text on this background has a contrast of 1.8:1" in html
    assert "at least 4.5:1" in html
    # Nothing she typed is lost, nothing is saved.
    assert 'value="Alice Live"' in html and 'value="#444444"' in html
    page = page_of(alice)
    assert (page.title_override, page.background_color) == ("", "")


def test_button_text_on_a_too_light_accent_is_refused(alice_client, alice):
    response = alice_client.post(
        "/dashboard/appearance/",
        {**LOOK, "custom_colours": "on", "background_color": "#ffffff", "accent_color": "#ffd400"},
    )
    assert response.status_code == 400
    assert "Button text on this accent has a contrast of 1.4:1" in response.content.decode()
    assert "Choose a darker accent" in response.content.decode()
    assert page_of(alice).accent_color == ""


def test_every_reason_is_told_at_once(alice_client, alice):
    response = alice_client.post(
        "/dashboard/appearance/",
        {
            **LOOK,
            "title_override": "x" * 81,
            "custom_colours": "on",
            "background_color": "#ffffff",
            "accent_color": "#ffd400",
        },
    )
    html = response.content.decode()
    assert "Ensure this value has at most 80 characters" in html
    assert "Button text on this accent has a contrast of 1.4:1" in html


def test_a_light_text_theme_needs_a_dark_background(alice_client, alice):
    response = alice_client.post(
        "/dashboard/appearance/",
        {
            **LOOK,
            "theme": "midnight",
            "custom_colours": "on",
            "background_color": "#f0f0f0",
            "accent_color": "#8fa2ff",
        },
    )
    assert response.status_code == 400
    assert "Choose a darker background" in response.content.decode()


@pytest.mark.parametrize("hostile", ["red", "#12345", "#gggggg", "#123456;}body{x", "url(x)"])
def test_only_colours_are_accepted(alice_client, alice, hostile):
    response = alice_client.post(
        "/dashboard/appearance/",
        {**LOOK, "custom_colours": "on", "background_color": hostile, "accent_color": "#1f3a93"},
    )
    assert response.status_code == 400
    assert "Pick a colour, or type it as #rrggbb." in response.content.decode()
    assert page_of(alice).background_color == ""


def test_unticking_own_colours_goes_back_to_the_theme(alice_client, alice, visitor):
    alice_client.post(
        "/dashboard/appearance/",
        {**LOOK, "custom_colours": "on", "background_color": "#fff8e7", "accent_color": "#1f3a93"},
    )
    alice_client.post(
        "/dashboard/appearance/",
        {**LOOK, "background_color": "#fff8e7", "accent_color": "#1f3a93"},
    )
    assert (page_of(alice).background_color, page_of(alice).accent_color) == ("", "")
    html = visitor.get("/@alice").content.decode()
    assert "/style/" not in html and 'class="profile theme-classic btn-pill"' in html


@pytest.mark.parametrize(
    "name", ["classic-ffffff", "nope-ffffff-000000", "classic-FFFFFF-000000", "x" * 300]
)
def test_a_made_up_stylesheet_is_not_found(visitor, db, name):
    assert visitor.get(f"/style/{name}.css").status_code == 404


def test_a_hand_made_unreadable_stylesheet_still_keeps_the_verified_mark_readable(visitor, db):
    css = visitor.get("/style/classic-ffffff-fafafa.css").content.decode()
    assert ".pf-verified{color:inherit}" in css


def test_preview_shows_the_real_page_with_unsaved_choices(alice_client, alice):
    page_of(alice).links.create(title="My merch", url="https://shop.example/merch")
    response = alice_client.get(
        "/dashboard/appearance/preview",
        {
            **LOOK,
            "theme": "mint",
            "button_style": "square",
            "title_override": "Alice Preview",
            "custom_colours": "on",
            "background_color": "#fffbe6",
            "accent_color": "#0f6e4d",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="profile theme-mint btn-square custom"' in html
    assert "Alice Preview" in html and "My merch" in html
    assert "/style/mint-fffbe6-0f6e4d.css" in html
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    # Nothing was saved.
    page = page_of(alice)
    assert (page.theme, page.title_override, page.background_color) == ("classic", "", "")


def test_preview_leaves_out_refused_colours_and_shows_the_saved_page_without_choices(
    alice_client, alice
):
    bad = alice_client.get(
        "/dashboard/appearance/preview",
        {
            **LOOK,
            "theme": "mint",
            "custom_colours": "on",
            "background_color": "#000000",
            "accent_color": "#0f6e4d",
        },
    ).content.decode()
    assert "theme-mint" in bad and "#000000" not in bad and "/style/mint-000000" not in bad
    # ...and says why at once, before any save is refused.
    # (Alice never saved colours of her own: Mint's are shown, and it says so.)
    assert "shown with the colours of the Mint theme instead" in bad
    assert "your saved colours" not in bad
    assert "Text on this background has a contrast of" in bad
    saved = alice_client.get("/dashboard/appearance/preview").content.decode()
    assert 'class="profile theme-classic btn-pill"' in saved
    assert "are not shown here" not in saved


def test_the_appearance_page_may_frame_its_preview_and_nothing_else(alice_client, alice):
    response = alice_client.get("/dashboard/appearance/")
    policy = response["Content-Security-Policy"]
    frame_src = next(d for d in policy.split(";") if d.strip().startswith("frame-src"))
    assert "'self'" in frame_src
    assert "frame-ancestors 'none'" in policy
    assert 'src="/dashboard/appearance/preview"' in response.content.decode()


def test_the_preview_is_only_for_the_signed_in_creator(client, db):
    response = client.get("/dashboard/appearance/preview")
    assert response.status_code == 302
    assert response["Location"].startswith(settings.LOGIN_URL)


def test_only_a_stylesheet_some_page_shows_is_kept_for_a_year(
    alice_client, alice, visitor, django_assert_num_queries
):
    address = "/style/classic-fff8e7-1f3a93.css"
    with django_assert_num_queries(0):
        unused = visitor.get(address)
    assert unused.status_code == 200
    assert unused["Cache-Control"] == "public, max-age=300"

    alice_client.post(
        "/dashboard/appearance/",
        {**LOOK, "custom_colours": "on", "background_color": "#fff8e7", "accent_color": "#1f3a93"},
    )
    with django_assert_num_queries(0):
        used = visitor.get(address)
    assert used["Cache-Control"] == "public, max-age=31536000, immutable"

    # The cache lost: the next visit renders the page, and its stylesheet is a year's again.
    cache.clear()
    page_cache.forget_missing()
    assert visitor.get(address)["Cache-Control"] == "public, max-age=300"
    assert address in visitor.get("/@alice").content.decode()
    assert visitor.get(address)["Cache-Control"] == "public, max-age=31536000, immutable"
    with django_assert_num_queries(0):
        assert visitor.get("/@alice").status_code == 200  # the warm page, still no query


HEX = st.text("0123456789abcdef", min_size=6, max_size=6)


@examples(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(theme=st.sampled_from(sorted(colours.THEME_COLOURS)), background=HEX, accent=HEX)
def test_a_stylesheet_no_page_shows_is_kept_only_minutes(theme, background, accent):
    response = Client().get(f"/style/{theme}-{background}-{accent}.css")
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=300"


def test_a_refused_colour_on_a_page_with_saved_colours_says_those_are_shown(alice_client, alice):
    page = page_of(alice)
    page.background_color, page.accent_color = "#fdf6e3", "#0f6e4d"
    page.save()

    bad = alice_client.get(
        "/dashboard/appearance/preview",
        {
            **LOOK,
            "theme": "midnight",
            "custom_colours": "on",
            "background_color": "#ffffff",
            "accent_color": "#ffeb3b",
        },
    ).content.decode()

    assert "shown with your saved colours instead" in bad and "ffeb3b" not in bad


def test_the_preview_shows_the_saved_page_light_or_dark(alice_client, alice):
    page = page_of(alice)
    page.title_override = "Alice on stage"
    page.save()

    dark = alice_client.get("/dashboard/appearance/preview", {"preview_mode": "dark"})

    html = dark.content.decode()
    assert 'class="profile theme-classic btn-pill mode-dark"' in html
    assert "Alice on stage" in html  # the saved page, nothing else changed
    page.color_mode = "light"  # pinned: the preview shows what visitors get
    page.save()
    pinned = alice_client.get("/dashboard/appearance/preview", {"preview_mode": "dark"})
    assert 'class="profile theme-classic btn-pill mode-light"' in pinned.content.decode()
