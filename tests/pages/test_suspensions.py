"""An admin suspends Alice's page for a reason; visitors read it, Alice reads
it and the admin's note on her dashboard and appeals; the appeal waits in the
admins' queue, and every decision says who took it."""

import pytest

from pages.models import AbuseReport, Appeal, ModerationDecision
from tests.helpers import page_of
from tests.pages.test_admin import run_action, suspend

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


def test_the_bulk_suspend_asks_why_before_it_suspends(admin_client, alice, visitor):
    page = page_of(alice)

    asked = run_action(admin_client, "/admin/pages/page/", "suspend", [page.pk])

    html = asked.content.decode()
    assert "Why are these pages suspended?" in html and "Spam or scam links" in html
    assert not page_of(alice).is_suspended
    done = suspend(admin_client, "/admin/pages/page/", "suspend", [page.pk], "impersonation", "")
    assert "Suspended 1 page: Pretending to be someone else." in done.content.decode()
    gone = visitor.get("/@alice")
    assert gone.status_code == 410
    assert "taken down for pretending to be someone else" in gone.content.decode()


def test_alice_reads_why_and_appeals_and_the_admin_decides(admin_client, alice, alice_client):
    page = page_of(alice)
    note = "Your shop link leads to a fake giveaway."
    suspend(admin_client, "/admin/pages/page/", "suspend", [page.pk], "spam", note)

    dashboard = alice_client.get("/dashboard/").content.decode()
    assert "Your page is suspended" in dashboard
    assert "Spam or scam links" in dashboard and note in dashboard
    assert "Send my appeal" in dashboard

    sent = alice_client.post("/dashboard/appeal/", {"message": "The shop is mine, see my bio"})
    assert sent.status_code == 302
    again = alice_client.post("/dashboard/appeal/", {"message": "Hello?"}, follow=True)
    assert "already waiting" in again.content.decode()
    assert Appeal.objects.filter(page=page).count() == 1
    queue = admin_client.get("/admin/pages/appeal/").content.decode()
    assert "The shop is mine, see my bio" in queue and "Spam or scam links" in queue

    appeal = Appeal.objects.get()
    granted = run_action(admin_client, "/admin/pages/appeal/", "grant", [appeal.pk])

    assert "Granted 1 appeal; the page is back up." in granted.content.decode()
    assert not page_of(alice).is_suspended
    assert Appeal.objects.get().status == Appeal.GRANTED
    log = list(ModerationDecision.objects.values_list("action", "decided_by__username", "reason"))
    assert log == [("unsuspend", "admin", ""), ("suspend", "admin", "spam")]
    history = admin_client.get(f"/admin/pages/page/{page.pk}/change/").content.decode()
    assert "Appeal granted" in history


def test_a_refused_appeal_keeps_the_page_down_and_says_so(admin_client, alice, alice_client):
    page = page_of(alice)
    suspend(admin_client, "/admin/pages/page/", "suspend", [page.pk], "harmful")
    alice_client.post("/dashboard/appeal/", {"message": "Please look again"})

    run_action(admin_client, "/admin/pages/appeal/", "refuse", [Appeal.objects.get().pk])

    assert page_of(alice).is_suspended
    assert "refused" in alice_client.get("/dashboard/").content.decode()
    assert ModerationDecision.objects.first().action == "refuse_appeal"


def test_suspending_from_the_reports_asks_why_with_the_reports_reason(admin_client, alice):
    page = page_of(alice)
    report = AbuseReport.objects.create(page=page, reason="impersonation")

    asked = run_action(admin_client, "/admin/pages/abusereport/", "suspend_pages", [report.pk])
    assert 'value="impersonation" required id="id_reason_1" checked' in asked.content.decode()
    suspend(
        admin_client, "/admin/pages/abusereport/", "suspend_pages", [report.pk], "impersonation"
    )

    assert page_of(alice).suspended_for == "impersonation"
    assert AbuseReport.objects.get().resolved


def test_reloading_the_appeal_address_shows_the_dashboard(alice_client):
    assert alice_client.get("/dashboard/appeal/")["Location"] == "/dashboard/"
