"""Alice shapes her page from the dashboard; Bob can never touch it."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.tasks import default_task_backend
from django.utils import timezone

from pages.models import MAX_LINKS, Link
from pages.sync.tasks import sync_page
from tests.helpers import page_of, sync

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_queue():
    default_task_backend.clear()


def add_link(client, title, url, **extra):
    data = {"title": title, "url": url, "enabled": "on", **extra}
    return client.post("/dashboard/links/add/", data)


def titles(user):
    return list(page_of(user).links.values_list("title", flat=True))


def test_dashboard_needs_a_signed_in_creator(client):
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"].startswith("/signin/")


def test_alice_sees_her_page_status_and_shares_it_with_a_qr_code(alice_client, alice, tiktok):
    sync(alice)
    html = alice_client.get("/dashboard/").content.decode()
    assert "http://testserver/@alice" in html
    assert "Up to date with TikTok." in html
    assert "Refresh from TikTok now" in html
    share = alice_client.get("/dashboard/share/").content.decode()
    assert 'value="http://testserver/@alice"' in share
    assert "/dashboard/qr.svg" in share and "/dashboard/qr.png?download=1" in share


def test_a_disconnected_creator_is_not_offered_a_sync_that_cannot_run(alice_client, alice, tiktok):
    sync(alice)
    alice.tiktok.sync_paused = True
    alice.tiktok.save()
    html = alice_client.get("/dashboard/").content.decode()
    assert "Refresh from TikTok now" not in html
    assert "Last updated now." in html


def test_while_a_permission_is_missing_alice_is_pointed_to_grant_it_not_to_refresh(
    alice_client, alice, tiktok
):
    sync(alice)
    alice.tiktok.permission_missed_at = timezone.now()
    alice.tiktok.save()

    html = " ".join(alice_client.get("/dashboard/").content.decode().split())

    assert "Refresh from TikTok now" not in html
    assert "Grant the rest on TikTok" in html
    assert "grant the missing permission first" in html


def test_alice_adds_links_and_bare_domains_become_https(alice_client, alice):
    assert add_link(alice_client, "Shop", "shop.example.com/new").status_code == 302
    assert add_link(alice_client, "Call me", "tel:+1 555 123 4567").status_code == 302
    link = page_of(alice).links.get(title="Shop")
    assert link.url == "https://shop.example.com/new"
    assert titles(alice) == ["Shop", "Call me"]


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.cookie)",
        "JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox",
        "file:///etc/passwd",
        "https://",
        "mailto:not-an-address",
    ],
)
def test_dangerous_or_broken_links_are_refused(alice_client, alice, url):
    response = add_link(alice_client, "Click me", url)
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    assert titles(alice) == []


def test_links_to_blocked_domains_are_refused(alice_client, alice, visitor):
    from pages.models import BlockedDomain

    add_link(alice_client, "Old giveaway", "https://old.scam.example/")
    BlockedDomain.objects.create(domain="scam.example")
    response = add_link(alice_client, "Free coins", "https://win.scam.example/now")
    assert response.status_code == 400
    assert "not allowed here" in response.content.decode()
    # A link made before the domain was blocked stops working too.
    old = page_of(alice).links.get(title="Old giveaway")
    assert visitor.get(f"/l/{old.pk}").status_code == 404


def test_titles_and_link_count_are_limited(alice_client, alice):
    assert add_link(alice_client, "x" * 81, "https://a.example").status_code == 400
    page = page_of(alice)
    Link.objects.bulk_create(
        Link(page=page, title=f"L{n}", url="https://a.example", position=n)
        for n in range(MAX_LINKS)
    )
    response = add_link(alice_client, "One too many", "https://a.example")
    assert response.status_code == 400
    assert f"at most {MAX_LINKS} links" in response.content.decode()


def test_alice_reorders_links_without_javascript(alice_client, alice, visitor):
    for title in ("One", "Two", "Three"):
        add_link(alice_client, title, "https://a.example")
    three = page_of(alice).links.get(title="Three")
    alice_client.post(f"/dashboard/links/{three.pk}/move/", {"direction": "up"})
    assert titles(alice) == ["One", "Three", "Two"]
    one = page_of(alice).links.get(title="One")
    alice_client.post(f"/dashboard/links/{one.pk}/move/", {"direction": "down"})
    assert titles(alice) == ["Three", "One", "Two"]
    html = visitor.get("/@alice").content.decode()
    assert html.index(">Three<") < html.index(">One<") < html.index(">Two<")


def test_alice_hides_edits_schedules_and_deletes_a_link(alice_client, alice, visitor):
    add_link(alice_client, "Merch", "https://m.example")
    link = page_of(alice).links.get()
    alice_client.post(f"/dashboard/links/{link.pk}/toggle/")
    assert "Merch" not in visitor.get("/@alice").content.decode()
    alice_client.post(f"/dashboard/links/{link.pk}/toggle/")
    response = alice_client.post(
        f"/dashboard/links/{link.pk}/",
        {
            "title": "Merch",
            "url": "https://m.example",
            "enabled": "on",
            "starts_at": "2030-01-02T10:00",
            "ends_at": "2030-01-01T10:00",
        },
    )
    assert response.status_code == 400
    assert "The end must come after the start." in response.content.decode()
    alice_client.post(
        f"/dashboard/links/{link.pk}/",
        {"title": "Merch drop", "url": "https://m.example", "enabled": "on"},
    )
    assert "Merch drop" in visitor.get("/@alice").content.decode()
    alice_client.post(f"/dashboard/links/{link.pk}/delete/")
    assert titles(alice) == []
    assert "Merch drop" not in visitor.get("/@alice").content.decode()


def test_alice_chooses_videos_and_attaches_a_shop_link(alice_client, alice, tiktok, visitor):
    sync(alice)
    video = page_of(alice).videos.get(title="Video number 2")
    assert "Video number 2" in alice_client.get("/dashboard/videos/").content.decode()
    prefix = f"v{video.pk}"
    alice_client.post(
        f"/dashboard/videos/{video.pk}/",
        {f"{prefix}-link_url": "javascript:alert(1)", f"{prefix}-link_title": "Buy"},
    )
    video.refresh_from_db()
    assert video.link_url == ""
    alice_client.post(f"/dashboard/videos/{video.pk}/pinned/")
    alice_client.post(
        f"/dashboard/videos/{video.pk}/",
        {
            f"{prefix}-link_url": "https://shop.example/dress",
            f"{prefix}-link_title": "Get the dress",
        },
    )
    html = visitor.get("/@alice").content.decode()
    assert "Get the dress" in html
    assert html.index("Video number 2") < html.index("Video number 5")
    assert visitor.get(f"/l/v{video.pk}")["Location"] == "https://shop.example/dress"
    alice_client.post("/dashboard/videos/", {"videos_shown": "2"})
    assert visitor.get("/@alice").content.decode().count('class="pf-play"') == 2


def test_alice_changes_title_bio_and_theme(alice_client, alice, visitor):
    response = alice_client.post(
        "/dashboard/appearance/",
        {
            "title_override": "Alice Live",
            "bio_override": "New single out now",
            "theme": "midnight",
            "button_style": "square",
        },
    )
    assert response.status_code == 302
    preview = alice_client.get("/dashboard/appearance/").content.decode()
    assert "theme-midnight" in preview and "Alice Live" in preview
    html = visitor.get("/@alice").content.decode()
    assert "Alice Live" in html and "New single out now" in html
    assert 'class="profile theme-midnight btn-square"' in html
    assert "followers" not in html  # show_follower_count was unticked


def test_sync_now_is_limited_to_once_a_minute(alice_client, alice, tiktok):
    sync(alice)
    response = alice_client.post("/dashboard/refresh/", follow=True)
    assert "Updating from TikTok now" in response.content.decode()
    assert [r.args[0] for r in default_task_backend.results] == [page_of(alice).pk]
    # A double click: the second press finds the first one's update on its way.
    response = alice_client.post("/dashboard/refresh/", follow=True)
    assert "already on its way" in response.content.decode()
    sync_page.call(*default_task_backend.results[0].args)
    # Done; another press within the minute waits its turn.
    response = alice_client.post("/dashboard/refresh/", follow=True)
    assert "once a minute" in response.content.decode()
    assert len(default_task_backend.results) == 1


def test_the_dashboard_says_when_the_page_is_updated_next(alice_client, alice, tiktok):
    with time_machine.travel(datetime(2026, 6, 1, 12, 0, tzinfo=UTC), tick=False) as clock:
        sync(alice)
        text = " ".join(alice_client.get("/dashboard/").content.decode().split())
        assert (
            "Next update around Jun 2, 11:00 UTC, sooner if someone visits after 12:15 UTC." in text
        )
        clock.shift(20 * 60)
        text = " ".join(alice_client.get("/dashboard/").content.decode().split())
        assert "Next update around Jun 2, 11:00 UTC, sooner if someone visits." in text
        # While an update is on its way, no next one is promised.
        alice_client.post("/dashboard/refresh/")
        text = alice_client.get("/dashboard/").content.decode()
        assert "from TikTok" in text and "Next update" not in text


def test_qr_codes_download_as_svg_and_png(alice_client):
    svg = alice_client.get("/dashboard/qr.svg?download=1")
    assert svg["Content-Type"] == "image/svg+xml"
    assert svg.content.lstrip().startswith(b"<?xml") or b"<svg" in svg.content[:200]
    assert 'filename="linkinbio-alice.svg"' in svg["Content-Disposition"]
    png = alice_client.get("/dashboard/qr.png")
    assert png["Content-Type"] == "image/png" and png.content[:8] == b"\x89PNG\r\n\x1a\n"


def test_bob_gets_404_on_alices_objects(alice, bob_client, tiktok):
    sync(alice)
    page = page_of(alice)
    link = Link.objects.create(page=page, title="Alice only", url="https://a.example")
    video = page.videos.first()
    assert bob_client.get(f"/dashboard/links/{link.pk}/").status_code == 404
    for url in (
        f"/dashboard/links/{link.pk}/",
        f"/dashboard/links/{link.pk}/delete/",
        f"/dashboard/links/{link.pk}/toggle/",
        f"/dashboard/links/{link.pk}/move/",
        f"/dashboard/videos/{video.pk}/",
        f"/dashboard/videos/{video.pk}/hidden/",
        f"/dashboard/videos/{video.pk}/pinned/",
    ):
        assert (
            bob_client.post(url, {"title": "Bob was here", "url": "https://b.example"}).status_code
            == 404
        )
    link.refresh_from_db()
    assert link.title == "Alice only" and link.enabled
    video.refresh_from_db()
    assert not video.hidden and not video.pinned
    # Bob's own order cannot name Alice's link.
    response = bob_client.post("/dashboard/links/order/", {"order": str(link.pk)}, follow=True)
    assert "The list changed meanwhile" in response.content.decode()
    link.refresh_from_db()
    assert link.page_id == page.pk and link.position == 0
    assert "Video number" not in bob_client.get("/dashboard/videos/").content.decode()
