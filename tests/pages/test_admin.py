"""An admin runs the site: suspends a page, forces a sync, watches the budget."""

import pytest
from django.tasks import default_task_backend
from django.utils import timezone

from accounts.models import User
from pages import publish
from pages.models import AbuseReport, Link
from tests.helpers import change_form, page_of, sync

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    staff = User.objects.create_superuser("staff", password="x")
    client.force_login(staff)
    return client


def run_action(admin_client, url, action, ids):
    return admin_client.post(url, {"action": action, "_selected_action": ids}, follow=True)


def suspend(admin_client, url, action, ids, reason="spam", note=""):
    """The suspend actions ask why on a second screen."""
    data = {"action": action, "_selected_action": ids, "apply": "1", "reason": reason, "note": note}
    return admin_client.post(url, data, follow=True)


def test_admin_suspends_and_unsuspends_a_page(admin_client, alice, tiktok, visitor):
    sync(alice)
    page = page_of(alice)
    AbuseReport.objects.create(page=page, reason="spam", message="fake giveaway")
    assert visitor.get("/@alice").status_code == 200
    suspend(admin_client, "/admin/pages/page/", "suspend", [page.pk])
    assert visitor.get("/@alice").status_code == 410
    assert visitor.get(f"/l/v{page.videos.first().pk}").status_code == 404
    run_action(admin_client, "/admin/pages/page/", "unsuspend", [page.pk])
    assert visitor.get("/@alice").status_code == 200
    reports = admin_client.get("/admin/pages/abusereport/").content.decode()
    assert "Spam or scam" in reports


def test_admin_forces_a_sync(admin_client, alice, tiktok):
    default_task_backend.clear()
    sync(alice)
    page = page_of(alice)
    response = run_action(admin_client, "/admin/pages/page/", "force_sync", [page.pk])
    assert "Queued 1 sync" in response.content.decode()
    assert [r.args[0] for r in default_task_backend.results] == [page.pk]


def test_admin_link_edit_shows_at_once(admin_client, alice, visitor):
    page = page_of(alice)
    link = Link.objects.create(page=page, title="Old title", url="https://a.example")
    publish.page_changed(page)
    assert "Old title" in visitor.get("/@alice").content.decode()
    admin_client.post(
        f"/admin/pages/link/{link.pk}/change/",
        {
            "page": page.pk,
            "kind": "link",
            "title": "Fixed by staff",
            "url": "https://a.example",
            "position": 0,
            "enabled": "on",
            "clicks": 0,
        },
    )
    assert "Fixed by staff" in visitor.get("/@alice").content.decode()


def test_admin_sees_the_api_budget_in_use(admin_client, settings):
    settings.TIKTOK_RATE_LIMIT_PER_MINUTE = 600
    html = admin_client.get("/admin/tiktok/apibudget/").content.decode()
    assert "user.info" in html and "video.list" in html
    assert "TikTok 600/min" in html
    assert "closed" in html


def test_admin_renames_a_page_and_the_old_address_stops_serving_it(
    admin_client, alice, tiktok, visitor
):
    sync(alice)
    page = page_of(alice)
    assert visitor.get("/@alice").status_code == 200  # remembered under its old address
    response = admin_client.post(
        f"/admin/pages/page/{page.pk}/change/", change_form(page, slug="alice_sings")
    )
    assert response.status_code == 302
    # Not served there any more; her TikTok username still leads to her page.
    assert visitor.get("/@alice")["Location"] == "/@alice_sings"
    assert "Alice Sings" in visitor.get("/@alice_sings").content.decode()


@pytest.mark.parametrize("slug", ["dashboard", "Bob"])
def test_admin_cannot_rename_a_page_to_a_reserved_or_taken_address(
    admin_client, alice, bob, visitor, slug
):
    page = page_of(alice)
    response = admin_client.post(
        f"/admin/pages/page/{page.pk}/change/", change_form(page, slug=slug)
    )
    assert response.status_code == 200  # the form again, with the error
    assert page_of(alice).slug == "alice"


def test_marking_reports_resolved_says_how_many(admin_client, alice):
    page = page_of(alice)
    reports = [AbuseReport.objects.create(page=page, reason="spam") for _ in range(2)]

    response = run_action(
        admin_client, "/admin/pages/abusereport/", "resolve", [r.pk for r in reports]
    )

    assert "Marked 2 reports as resolved." in response.content.decode()
    assert not AbuseReport.objects.filter(resolved=False).exists()


def test_the_admins_daily_counts_name_each_link_and_video(admin_client, alice):
    page = page_of(alice)
    link = page.links.create(title="My merch shop", url="https://shop.example.com")
    page.videos.create(external_id="7301", title="Sourdough at dawn", create_time=timezone.now())
    day = timezone.now().date()
    page.daily_counts.create(day=day, metric="link_clicks", subject=str(link.pk), count=3)
    page.daily_counts.create(day=day, metric="video_plays", subject="7301", count=5)
    page.daily_counts.create(day=day, metric="source", subject="instagram.com", count=2)

    html = admin_client.get("/admin/stats/dailycount/").content.decode()

    assert f"My merch shop (link {link.pk})" in html
    assert "Sourdough at dawn (video 7301)" in html
    assert "instagram.com" in html
