"""Alice's editor: section headers, icons, a badge for links a blocked site
hides, the order saved in one post, social icons under her bio, videos
changed one post at a time, and schedules typed in her own time zone."""

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from editor.forms import clean_emoji
from pages import socials
from pages.models import BlockedDomain
from tests.helpers import make_creator, page_of, sync

pytestmark = pytest.mark.django_db


def add(client, **data):
    return client.post("/dashboard/links/add/", {"enabled": "on", **data})


def titles(user):
    return list(page_of(user).links.values_list("title", flat=True))


def test_a_section_header_shows_as_a_heading_between_links(alice_client, alice, visitor):
    add(alice_client, title="Shop", url="https://shop.example")
    assert add(alice_client, kind="header", title="My music", url="").status_code == 302
    add(alice_client, title="Spotify", url="https://open.spotify.example/alice")
    header = page_of(alice).links.get(title="My music")
    assert header.is_header and header.url == ""
    html = visitor.get("/@alice").content.decode()
    assert '<h2 class="pf-section">My music</h2>' in html
    assert html.index(">Shop<") < html.index("My music") < html.index(">Spotify<")
    assert visitor.get(f"/l/{header.pk}").status_code == 404  # a header goes nowhere


def test_a_link_still_needs_an_address(alice_client, alice):
    response = add(alice_client, title="Shop", url="")
    assert response.status_code == 400
    assert "Give the link an address." in response.content.decode()
    assert titles(alice) == []


def test_alice_picks_an_emoji_for_a_link(alice_client, alice, visitor):
    assert add(alice_client, title="Merch", url="https://m.example", emoji="🛍️").status_code == 302
    html = visitor.get("/@alice").content.decode()
    assert '<span class="pf-icon" aria-hidden="true">🛍️</span>Merch' in html


@pytest.mark.parametrize("emoji", ["🛍️", "👩🏽‍🎤", "🇫🇷", "1️⃣", "❤"])
def test_an_emoji_with_its_modifiers_is_one_icon(emoji):
    assert clean_emoji(emoji) == emoji


@pytest.mark.parametrize(
    "text",
    [
        "abc",
        "<b>",
        "🛍️ shop",
        "https://x",
        "🎵🎵",
        "1",
        "🇫🇷🇩🇪",
        "<",
        "$",
        "=",
        "^",
        "🎵" + "\u0301" * 15,
    ],
)
def test_words_or_markup_are_not_an_icon(text):
    with pytest.raises(ValidationError):
        clean_emoji(text)


def test_a_link_a_blocked_site_hides_carries_a_badge_on_the_dashboard(alice_client, alice, visitor):
    add(alice_client, title="Old shop", url="https://spam.example/shop")
    add(alice_client, title="New shop", url="https://fine.example/shop")
    BlockedDomain.objects.create(domain="spam.example")
    old, new = page_of(alice).links.all()
    html = alice_client.get("/dashboard/").content.decode()
    assert html.count("Links to this site are not allowed here") == 1
    badge = html.index("Links to this site are not allowed here")
    assert html.index(f'id="link-{old.pk}"') < badge < html.index(f'id="link-{new.pk}"')
    assert "Old shop" not in visitor.get("/@alice").content.decode()


def test_the_new_order_is_saved_in_one_post(alice_client, alice, visitor):
    for title in ("One", "Two", "Three"):
        add(alice_client, title=title, url="https://a.example")
    ids = {link.title: link.pk for link in page_of(alice).links.all()}
    version = page_of(alice).version
    response = alice_client.post(
        "/dashboard/links/order/",
        {"order": f"{ids['Three']},{ids['One']},{ids['Two']}"},
        HTTP_ACCEPT="application/json",
    )
    assert response.json() == {"saved": True}
    assert titles(alice) == ["Three", "One", "Two"]
    assert page_of(alice).version > version
    html = visitor.get("/@alice").content.decode()
    assert html.index(">Three<") < html.index(">One<") < html.index(">Two<")


@pytest.mark.parametrize("order", ["", "1,2", "x,y,z", "{a},{a},{b}", "{a},{b},{c},999"])
def test_an_order_that_is_not_every_link_once_changes_nothing(alice_client, alice, order):
    for title in ("One", "Two", "Three"):
        add(alice_client, title=title, url="https://a.example")
    a, b, c = page_of(alice).links.values_list("pk", flat=True)
    response = alice_client.post(
        "/dashboard/links/order/",
        {"order": order.format(a=a, b=b, c=c)},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400
    assert "reload the page" in response.json()["error"]
    assert titles(alice) == ["One", "Two", "Three"]


def test_hide_show_and_save_come_back_to_the_same_link(alice_client, alice):
    add(alice_client, title="Merch", url="https://m.example")
    link = page_of(alice).links.get()
    response = alice_client.post(f"/dashboard/links/{link.pk}/toggle/")
    assert response["Location"] == f"/dashboard/#link-{link.pk}"
    response = alice_client.post(
        f"/dashboard/links/{link.pk}/", {"title": "Merch", "url": "https://m.example"}
    )
    assert response["Location"] == f"/dashboard/#link-{link.pk}"


def test_schedules_are_typed_and_shown_in_alices_time_zone(alice_client, alice):
    response = add(
        alice_client,
        title="Drop",
        url="https://drop.example",
        starts_at="2030-06-01T18:00",
        tz="America/New_York",
    )
    assert response.status_code == 302
    link = page_of(alice).links.get()
    assert link.starts_at == datetime(2030, 6, 1, 22, 0, tzinfo=UTC)  # stored in UTC
    assert page_of(alice).time_zone == "America/New_York"
    html = alice_client.get(f"/dashboard/links/{link.pk}/").content.decode()
    assert 'value="2030-06-01T18:00"' in html
    assert "your time zone: <span data-zone>America/New_York</span>" in html
    assert 'name="tz" value="America/New_York"' in html
    assert "from Jun 1, 18:00" in alice_client.get("/dashboard/").content.decode()
    # The zone is Alice's only: the next request on this thread is in UTC again.
    assert timezone.get_current_timezone_name() == "UTC"


def test_a_made_up_time_zone_is_ignored(alice_client, alice):
    add(
        alice_client,
        title="Drop",
        url="https://drop.example",
        starts_at="2030-06-01T18:00",
        tz="../../etc/passwd",
    )
    assert page_of(alice).time_zone == "UTC"
    assert page_of(alice).links.get().starts_at == datetime(2030, 6, 1, 18, 0, tzinfo=UTC)


# Social icons.


@pytest.mark.parametrize(
    ("network", "typed", "stored"),
    [
        ("instagram", "@alice.bakes", "alice.bakes"),
        ("instagram", "https://www.instagram.com/alice.bakes/", "alice.bakes"),
        ("tiktok", "tiktok.com/@alice.dances", "alice.dances"),
        ("youtube", "@AliceBakes", "AliceBakes"),
        ("x", "https://twitter.com/alice_b", "alice_b"),
        ("snapchat", "snapchat.com/add/alice.b", "alice.b"),
        ("email", "mailto:alice@example.com", "alice@example.com"),
        ("x", "", ""),
    ],
)
def test_a_handle_or_a_profile_address_becomes_a_handle(network, typed, stored):
    assert socials.clean_handle(socials.BY_KEY[network], typed) == stored


@pytest.mark.parametrize(
    ("network", "typed"),
    [
        ("instagram", "https://evil.example/alice"),
        ("instagram", "alice bakes"),
        ("x", "a_name_far_too_long_for_x"),
        ("tiktok", '"><script>alert(1)</script>'),
        ("youtube", "javascript:alert(1)"),
        ("email", "not-an-address"),
        ("email", '"<x>?cc=boss@corp.example&body=x"@example.com'),
        ("email", "alice%3Fcc=boss@example.com"),
    ],
)
def test_a_handle_in_the_wrong_shape_is_refused(network, typed):
    with pytest.raises(ValidationError):
        socials.clean_handle(socials.BY_KEY[network], typed)


def test_social_icons_show_under_the_bio_in_a_fixed_order(alice_client, alice, visitor):
    response = alice_client.post(
        "/dashboard/socials/",
        {"x": "@alice_b", "instagram": "instagram.com/alice.bakes", "email": "a@example.com"},
    )
    assert response.status_code == 302
    assert page_of(alice).socials == {
        "instagram": "alice.bakes",
        "x": "alice_b",
        "email": "a@example.com",
    }
    html = visitor.get("/@alice").content.decode()
    row = html[html.index('class="pf-socials"') :]
    assert row.index("https://www.instagram.com/alice.bakes/") < row.index("https://x.com/alice_b")
    assert row.index("https://x.com/alice_b") < row.index("mailto:a@example.com")
    # Each with its network's icon beside its name, the icon hidden from screen readers.
    row = row[: row.index("</ul>")]
    assert row.count('<svg class="pf-social-icon"') == 3 and row.count('aria-hidden="true"') == 3
    assert (
        "<span>Instagram</span>" in row
        and '<rect x="3" y="3" width="18" height="18" rx="5"/>' in row
    )
    # Search engines learn they are the same person (the e-mail address stays out).
    ld = html[html.index('<script type="application/ld+json">') :]
    ld = ld[: ld.index("</script>")]
    assert '"https://www.instagram.com/alice.bakes/"' in ld and "a@example.com" not in ld


def test_a_wrong_social_handle_is_explained_and_nothing_is_lost(alice_client, alice):
    alice_client.post("/dashboard/socials/", {"x": "alice_b"})
    response = alice_client.post(
        "/dashboard/socials/", {"x": "alice_b", "instagram": "https://evil.example/alice"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Paste an address on Instagram" in html
    assert 'value="https://evil.example/alice"' in html  # what she typed stays
    assert page_of(alice).socials == {"x": "alice_b"}


# Videos: one post per change.


def test_hide_and_pin_are_one_post_each_and_come_back_to_the_video(
    alice_client, alice, tiktok, visitor
):
    sync(alice)
    video = page_of(alice).videos.get(title="Video number 5")
    response = alice_client.post(f"/dashboard/videos/{video.pk}/pinned/")
    assert response["Location"] == f"/dashboard/videos/#video-{video.pk}"
    html = visitor.get("/@alice").content.decode()
    assert html.index("Video number 5") < html.index("Video number 1")
    alice_client.post(f"/dashboard/videos/{video.pk}/hidden/")
    assert "Video number 5" not in visitor.get("/@alice").content.decode()
    alice_client.post(f"/dashboard/videos/{video.pk}/hidden/")
    assert "Video number 5" in visitor.get("/@alice").content.decode()
    assert alice_client.post(f"/dashboard/videos/{video.pk}/title/").status_code == 404


def test_the_share_tab_shows_the_card_apps_will_show(alice_client, alice, tiktok):
    sync(alice)
    page = page_of(alice)
    page.bio_override = "Bread on Sundays"
    page.save()
    html = alice_client.get("/dashboard/share/").content.decode()
    assert f"{page.title} (@{page.handle})" in html
    assert "Bread on Sundays" in html
    assert "Copy link" in html
    public = alice_client.get("/@alice").content.decode()
    assert '<meta property="og:description" content="Bread on Sundays">' in public


def test_the_share_tab_shows_the_share_picture_apps_will_show_once_it_is_made(
    alice_client, alice, tiktok
):
    from pages.media import share_image

    sync(alice)
    page = page_of(alice)
    assert share_image.refresh(page)
    page.refresh_from_db()
    html = alice_client.get("/dashboard/share/").content.decode()
    assert f'src="{page.share_image.url}" alt="" width="600" height="315"' in html
    public = alice_client.get("/@alice").content.decode()
    assert page.share_image.url in public  # the same picture as og:image


def test_without_video_access_the_videos_tab_says_granting_it_brings_them(client, db):
    dani = make_creator("dani", scopes=["user.info.basic"], page=True)
    client.force_login(dani)
    body = client.get("/dashboard/videos/").content.decode()
    assert "No videos: TikTok shares them once you grant video access." in body
    assert "They appear after the next update" not in body
