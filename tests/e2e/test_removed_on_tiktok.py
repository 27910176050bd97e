"""Alice removes linkinbio's access on TikTok's side, and her dashboard says so."""

import time

import pytest
from playwright.sync_api import expect

from sandbox.models import WebhookDelivery
from tests.e2e.steps import CREATOR, SLUG, run_tasks

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TOLD = "You removed linkinbio's access in TikTok's settings."


def test_a_creator_who_removes_access_on_tiktok_reads_it_on_her_dashboard_within_a_minute(
    alice, visitor, live_server, tiktok
):
    dashboard = alice.url
    alice.goto(f"{tiktok}/@{CREATOR}")
    alice.get_by_label("What happens").select_option(label="I disconnect the app")
    alice.get_by_role("button", name="Remove access").click()
    expect(alice.get_by_role("status")).to_contain_text("Access removed: 2 token(s) revoked")

    # TikTok's delivery reaches the site, its worker acts on it; Alice looks
    # again at her dashboard, as she would, for at most a minute.
    alice.goto(dashboard)
    give_up = time.monotonic() + 60
    while time.monotonic() < give_up and TOLD not in alice.content().replace("&#x27;", "'"):
        run_tasks()
        time.sleep(0.5)
        alice.reload()
    expect(alice.get_by_role("heading", name="TikTok ended our access")).to_be_visible()
    expect(alice.get_by_text(TOLD)).to_be_visible()
    assert WebhookDelivery.objects.get().delivered_at is not None

    # Her page stays up with its last data.
    visitor.goto(f"{live_server.url}/@{SLUG}")
    expect(visitor.get_by_role("heading", level=1)).to_contain_text("Alice Dances")
