"""Alice, a TikTok creator, signs in, builds her page and manages her data."""

import json
from datetime import timedelta
from pathlib import Path

import pytest
from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from playwright.sync_api import expect

from accounts.models import User
from pages.models import Link, Page, Video
from sandbox import testing
from sources.tiktok.models import ApiCall, TikTokConnection
from tests.e2e.steps import (
    CREATOR,
    SLUG,
    add_link,
    allow_on_tiktok,
    link_menu,
    run_tasks,
    sign_in_with_tiktok,
)
from tests.helpers import synced_ago

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

VIDEO_PROMPT = "Show your videos: grant video access"


def public_page(browser_page, live_server):
    response = browser_page.goto(f"{live_server.url}/@{SLUG}")
    return response.status


def test_creator_signs_in_declining_video_access_then_grants_it_later(
    page, visitor, live_server, tiktok
):
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Sign in with TikTok").click()
    expect(page.get_by_role("heading", name="What we ask for, and why")).to_be_visible()
    expect(page.get_by_text("Your public videos", exact=True)).to_be_visible()
    page.get_by_role("button", name="Continue with TikTok").click()

    page.wait_for_url("**/sandbox/tiktok/v2/auth/authorize/**")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "linkinbio would like to access your TikTok account"
    )
    allow_on_tiktok(page, video_access=False)

    expect(page.get_by_text(f"Successfully signed in as {CREATOR}.")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.locator(".dash-url a")).to_have_text(f"{live_server.url}/@{SLUG}")
    expect(page.get_by_role("heading", name=VIDEO_PROMPT)).to_be_visible()
    run_tasks()
    assert public_page(visitor, live_server) == 200
    expect(visitor.get_by_role("heading", level=1)).to_contain_text("Alice Dances")
    expect(visitor.get_by_text("New choreography every Friday")).to_be_visible()
    assert visitor.get_by_role("heading", name="Latest videos").count() == 0

    page.reload()
    page.get_by_role("button", name="Grant video access").click()
    page.wait_for_url("**/sandbox/tiktok/v2/auth/authorize/**")
    expect(page.locator("input[name=scope][value='video.list']")).to_be_checked()
    allow_on_tiktok(page)
    expect(page.get_by_role("heading", name=VIDEO_PROMPT)).to_have_count(0)
    run_tasks()

    page.get_by_role("link", name="View my page").click()
    expect(page.get_by_role("heading", name="Latest videos")).to_be_visible()
    expect(page.get_by_role("link", name="Play video:")).to_have_count(6)
    expect(page.get_by_role("link", name="Play video: Morning routine")).to_be_visible()
    assert User.objects.count() == 1 and Page.objects.get().slug == SLUG


def test_creator_exports_disconnects_reconnects_and_deletes(alice, visitor, live_server):
    page = alice
    add_link(page, "Read my privacy promise", f"{live_server.url}/privacy/")
    expect(page.get_by_text("Added “Read my privacy promise”.")).to_be_visible()
    connection = TikTokConnection.objects.get()
    tokens = [connection.access_token, connection.refresh_token]

    # Download: her profile and links, none of her tokens.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Your data").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download my data (JSON)").click()
    text = Path(download.value.path()).read_text()
    export = json.loads(text)
    assert export["page"]["profile"]["display_name"] == "Alice Dances"
    assert [link["title"] for link in export["page"]["links"]] == ["Read my privacy promise"]
    assert len(export["page"]["videos"]) == 6
    assert all(token and token not in text for token in tokens)

    # Disconnect, after saying yes: her page stays up with what it had.
    page.get_by_role("link", name="Disconnect TikTok…").click()
    expect(page.get_by_role("heading", name="Disconnect TikTok?")).to_be_visible()
    page.get_by_role("button", name="Disconnect TikTok").click()
    expect(page.get_by_text("TikTok is disconnected: we revoked our access")).to_be_visible()
    expect(page.locator(".status-revoked")).to_have_text("Disconnected")
    assert public_page(visitor, live_server) == 200
    expect(visitor.get_by_role("link", name="Read my privacy promise")).to_be_visible()
    expect(visitor.get_by_role("link", name="Play video:")).to_have_count(6)

    # Sign out, sign in again: TikTok is reconnected to the same page.
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in with TikTok")).to_be_visible()
    sign_in_with_tiktok(page, live_server)
    expect(page.locator(".dash-url a")).to_have_text(f"{live_server.url}/@{SLUG}")
    expect(page.get_by_role("heading", name="TikTok is disconnected")).to_have_count(0)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Your data").click()
    expect(page.locator(".status-active")).to_have_text("Connected")
    assert User.objects.count() == 1 and Page.objects.count() == 1

    # Delete, with confirmation: signed out, page gone, nothing of her left.
    page.get_by_role("link", name="Delete my account…").click()
    page.get_by_role("button", name="Delete my account and all my data").click()
    expect(page.get_by_role("heading", name="Delete your account")).to_be_visible()  # not ticked
    assert User.objects.count() == 1
    page.get_by_label("I understand that this cannot be undone.").check()
    page.get_by_role("button", name="Delete my account and all my data").click()
    deleted = "Your account, your page and all your data are deleted."
    expect(page.get_by_text(deleted)).to_be_visible()
    expect(page.get_by_role("link", name="Sign in", exact=True)).to_be_visible()
    assert public_page(page, live_server) == 404
    assert visitor.reload().status == 404  # the visitor who saw it before
    for model in (User, SocialAccount, TikTokConnection, ApiCall, Page, Link, Video):
        assert model.objects.count() == 0, model
    assert not [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def test_creator_edits_a_link_and_sees_it_at_once(alice, visitor, live_server):
    page = alice
    for title, path in [("Tour dates", "/terms/"), ("Newsletter", "/privacy/")]:
        add_link(page, title, live_server.url + path)
    public_page(visitor, live_server)  # a visitor warms the cache
    expect(visitor.get_by_role("navigation", name="Links").get_by_role("link")).to_have_text(
        ["Tour dates", "Newsletter"]
    )

    add_link(page, "Merch drop", live_server.url + "/")
    link_menu(page, "Merch drop")
    page.get_by_role("button", name="Move “Merch drop” up").click()
    link_menu(page, "Merch drop")
    page.get_by_role("button", name="Move “Merch drop” up").click()
    link_menu(page, "Newsletter").get_by_role("button", name="Hide").click()
    expect(page.locator(".dash-links .dl-title")).to_have_text(
        ["Merch drop", "Tour dates", "Newsletter"]
    )

    page.get_by_role("link", name="View my page").click()
    shown = ["Merch drop", "Tour dates"]
    expect(page.get_by_role("navigation", name="Links").get_by_role("link")).to_have_text(shown)
    visitor.reload()  # the visitor comes back: served from the cache, updated
    expect(visitor.get_by_role("navigation", name="Links").get_by_role("link")).to_have_text(shown)


def test_user_who_removed_the_app_in_tiktok_is_asked_to_reconnect(
    alice, visitor, live_server, tiktok
):
    page = alice
    answer = page.request.post(f"{tiktok}/_sandbox/accounts/{CREATOR}/revoke", data={})
    assert answer.ok

    # The next day the scheduled sync of her page runs.
    synced_ago(Page.objects.all(), timedelta(days=2))
    call_command("scheduler", "--once", verbosity=0)
    assert DBTaskResult.objects.filter(status="READY").exists()
    run_tasks()

    page.reload()
    expect(page.get_by_role("heading", name="Reconnect TikTok")).to_be_visible()
    expect(page.locator(".sync")).to_have_text(
        "TikTok needs you to reconnect before we can update your page."
    )
    public_page(visitor, live_server)
    expect(visitor.get_by_role("heading", level=1)).to_contain_text("Alice Dances")
    expect(visitor.get_by_role("link", name="Play video:")).to_have_count(6)

    page.get_by_role("button", name="Reconnect TikTok").click()
    allow_on_tiktok(page)
    expect(page.get_by_role("heading", name="Reconnect TikTok")).to_have_count(0)


def test_creator_whose_tiktok_permission_runs_out_reconnects_in_one_click(
    alice, visitor, live_server, tiktok
):
    page = alice
    mine = Page.objects.get(slug=SLUG)
    mine.links.create(title="My merch", url="https://shop.example.com/merch", position=1)
    Page.objects.filter(pk=mine.pk).update(theme="midnight", title_override="Alice on stage")

    # A month before the year TikTok gave ends, the dashboard warns her.
    soon = timezone.now() + timedelta(days=12)
    TikTokConnection.objects.update(refresh_expires_at=soon)
    page.reload()
    expect(page.get_by_role("heading", name="Reconnect TikTok by")).to_be_visible()

    # She does not; the permission ends and the next sync cannot run.
    TikTokConnection.objects.update(
        refresh_expires_at=timezone.now() - timedelta(minutes=1),
        access_expires_at=timezone.now() - timedelta(minutes=1),
    )
    synced_ago(Page.objects.all(), timedelta(days=2))
    call_command("scheduler", "--once", verbosity=0)
    run_tasks()
    assert TikTokConnection.objects.get().status == "needs_reconnect"
    page.reload()
    expect(page.get_by_role("heading", name="Reconnect TikTok")).to_be_visible()
    assert public_page(visitor, live_server) == 200  # her page stays up meanwhile

    # One click, then TikTok's consent screen, and she is back.
    page.get_by_role("button", name="Reconnect TikTok").click()
    allow_on_tiktok(page)
    expect(page.get_by_role("heading", name="Reconnect TikTok")).to_have_count(0)
    connection = TikTokConnection.objects.get()
    assert connection.status == "active"
    # A new authorization: TikTok's 180 days start again.
    assert connection.refresh_expires_at > timezone.now() + timedelta(days=170)
    mine.refresh_from_db()
    assert [link.title for link in mine.links.all()] == ["My merch"]
    assert (mine.theme, mine.title_override) == ("midnight", "Alice on stage")
    public_page(visitor, live_server)
    expect(visitor.get_by_role("link", name="My merch")).to_be_visible()


def test_a_grant_or_reconnect_for_another_tiktok_account_keeps_alice_signed_in_as_herself(
    page, live_server, tiktok
):
    testing.create_account("dani.runs", display_name="Dani Runs", video_count=2)
    sign_in_with_tiktok(page, live_server, video_access=False)
    run_tasks()
    alice_user = User.objects.get()

    def choose_on_tiktok(name, *, offered):
        page.wait_for_url("**/sandbox/tiktok/v2/auth/authorize/**")
        # TikTok keeps the browser signed in: the account last used is offered.
        expect(page.get_by_role("radio", name=offered)).to_be_checked()
        page.get_by_role("radio", name=name).check()
        page.get_by_role("button", name="Authorize").click()
        page.wait_for_url("**/dashboard/")

    # Granting video access, but TikTok's screen is answered as Dani.
    page.get_by_role("button", name="Grant video access").click()
    choose_on_tiktok("Dani Runs", offered="Alice Dances")
    expect(page.get_by_text("TikTok answered for another account (@dani.runs)")).to_be_visible()
    expect(page.get_by_text(f"still signed in as {alice_user.username}")).to_be_visible()
    expect(page.locator(".dash-url a")).to_have_text(f"{live_server.url}/@{SLUG}")
    assert TikTokConnection.objects.get().scopes == [
        "user.info.basic",
        "user.info.profile",
        "user.info.stats",
    ]

    # Reconnecting after TikTok stopped accepting her access: the same.
    TikTokConnection.objects.update(status="needs_reconnect")
    page.reload()
    page.get_by_role("button", name="Reconnect TikTok").click()
    choose_on_tiktok("Dani Runs", offered="Dani Runs")
    expect(page.get_by_text("TikTok answered for another account (@dani.runs)")).to_be_visible()
    assert TikTokConnection.objects.get().status == "needs_reconnect"
    assert User.objects.count() == 1 and Page.objects.count() == 1

    # Switched back to her own account on TikTok, the reconnect goes through.
    page.get_by_role("button", name="Reconnect TikTok").click()
    choose_on_tiktok("Alice Dances", offered="Dani Runs")
    expect(page.get_by_role("heading", name="Reconnect TikTok")).to_have_count(0)
    assert TikTokConnection.objects.get().status == "active"


# Buttons side by side, or wrapped one above the other on a phone, that touch
# read as one control: any two a finger can reach stand 4 px apart at least.
TOUCHING = """() => {
  const buttons = [...document.querySelectorAll("main .btn, main button")]
    .filter(el => el.checkVisibility({visibilityProperty: true}))
    .filter(el => !el.closest("details:not([open]) > :not(summary)"))
    .map(el => [el.textContent.trim(), el.getBoundingClientRect()]);
  const touching = [];
  buttons.forEach(([a, r], i) => buttons.slice(i + 1).forEach(([b, s]) => {
    const apart = Math.max(s.left - r.right, r.left - s.right, s.top - r.bottom, r.top - s.bottom);
    if (apart < 4) touching.push(`${a} / ${b}`);
  }));
  return touching;
}"""


def test_every_creator_page_fits_a_360_px_phone(alice, live_server):
    page = alice
    page.set_viewport_size({"width": 360, "height": 740})
    mine = Page.objects.get(slug=SLUG)
    long_url = "https://shop.example.com/" + "a-very-long-path-segment/" * 8 + "?ref=tiktok"
    link = mine.links.create(title="A link with a long address", url=long_url, position=9)
    user = User.objects.get()
    for n in range(30):
        ApiCall.objects.create(
            user=user,
            endpoint="video.list",
            error_code="rate_limit_exceeded",
            http_status=429,
            log_id=f"20261130193000{n:04d}ABCDEF0123456789ABCDEF",
        )
    paths = [
        "/dashboard/",
        f"/dashboard/links/{link.pk}/",
        "/dashboard/videos/",
        "/dashboard/appearance/",
        "/dashboard/data/",
        "/dashboard/data/delete/",
        f"/@{SLUG}",
    ]
    for path in paths:
        page.goto(live_server.url + path)
        wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert wide <= 0, f"{path} is {wide} px wider than the phone"
        assert page.evaluate(TOUCHING) == [], f"buttons touch on {path}"
    # The request history scrolls inside its own box; the page below stays reachable.
    page.goto(live_server.url + "/dashboard/data/")
    page.get_by_role("link", name="Delete my account…").click()
    page.wait_for_url("**/dashboard/data/delete/")


def test_a_newcomer_who_cancels_on_tiktok_reads_why_on_a_phone(page, live_server, tiktok):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_server.url + "/signin/")
    page.get_by_role("button", name="Continue with TikTok").click()
    page.wait_for_url("**/sandbox/tiktok/v2/auth/authorize/**")
    page.get_by_role("button", name="Cancel").click()

    expect(page.get_by_role("link", name="Try again")).to_be_visible()
    expect(page.get_by_role("link", name="Back to the home page")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    assert page.evaluate(TOUCHING) == []
