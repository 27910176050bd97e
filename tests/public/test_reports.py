"""Reports cannot be silenced: a flood from one reporter is told to wait, a
flood against a page is counted rather than dropped, and a real reporter who
comes after either is still heard. Reporters are told apart by a keyed hash
that is never stored."""

import pytest
from django.test import Client

from pages.models import AbuseReport
from public import reports
from tests.helpers import BROWSER, make_creator

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_page(db):
    return make_creator("alice", page=True).page


def reporter(address, agent=BROWSER, **headers):
    return Client(HTTP_USER_AGENT=agent, REMOTE_ADDR=address, **headers)


def report(client, message="Fake giveaway", reason="spam", slug="alice"):
    return client.post(f"/@{slug}/report", {"reason": reason, "message": message})


def volume(page):
    """What the admin's queue shows: rows plus the reports counted on them."""
    rows = AbuseReport.objects.filter(page=page)
    return rows.count() + sum(rows.values_list("repeats", flat=True))


def test_a_reporter_past_the_limit_is_told_to_wait_and_keeps_what_they_wrote(alice_page):
    make_creator("bob", page=True)
    carol = reporter("203.0.113.7")
    for n in range(reports.REPORTS_PER_REPORTER):
        slug = "alice" if n % 2 else "bob"
        assert "Thank you" in report(carol, f"report {n}", slug=slug).content.decode()
    response = report(carol, "One more, with details")
    assert response.status_code == 429
    html = response.content.decode()
    assert "Please send it again in an hour" in html
    assert "One more, with details" in html
    assert not AbuseReport.objects.filter(message="One more, with details").exists()
    # Someone else is not affected.
    assert "Thank you" in report(reporter("198.51.100.9"), "Me too").content.decode()


def test_a_flood_against_a_page_is_counted_and_a_real_report_still_arrives(alice_page, monkeypatch):
    monkeypatch.setattr(reports, "REPORTS_PER_PAGE", 20)
    for n in range(30):
        assert report(reporter(f"10.1.0.{n}"), "spam spam").status_code == 200
    response = report(reporter("192.0.2.44"), "This page steals my videos", reason="other")
    assert "Thank you" in response.content.decode()
    assert volume(alice_page) == 31
    assert AbuseReport.objects.filter(page=alice_page).count() <= 21


def test_the_same_reporter_reporting_again_is_counted_on_their_report(alice_page):
    dave = reporter("203.0.113.8")
    report(dave, "Fake giveaway")
    report(dave, "Fake giveaway")
    report(dave, "")
    report_row = AbuseReport.objects.get(page=alice_page)
    assert report_row.repeats == 2
    # New words are never lost: they get a row of their own.
    report(dave, "And they ask for card numbers")
    assert AbuseReport.objects.filter(page=alice_page).count() == 2
    assert volume(alice_page) == 4


def test_the_admin_queue_shows_how_often_a_page_was_reported(alice_page, admin_client):
    for n in range(3):
        report(reporter(f"10.2.0.{n}"), "")
    html = admin_client.get("/admin/pages/abusereport/").content.decode()
    assert "Repeats" in html
    # Different people: three rows.
    assert list(AbuseReport.objects.values_list("repeats", flat=True)) == [0, 0, 0]


def test_nothing_that_identifies_a_reporter_is_stored(alice_page):
    report(reporter("203.0.113.99", agent="Mozilla/5.0 UniqueAgent/42"), "x")
    row = AbuseReport.objects.values().get()
    stored = " ".join(str(value) for value in row.values())
    assert "203.0.113.99" not in stored and "UniqueAgent" not in stored


def test_reporters_behind_the_sites_proxy_are_told_apart(alice_page, settings):
    settings.CLIENT_IP_HEADER = "X-Forwarded-For"
    for n in range(reports.REPORTS_PER_REPORTER + 2):
        client = reporter("10.0.0.1", HTTP_X_FORWARDED_FOR=f"1.2.3.4, 198.51.100.{n}")
        assert "Thank you" in report(client, f"report {n}").content.decode()
    spoofing = [
        reporter("10.0.0.1", HTTP_X_FORWARDED_FOR=f"9.9.9.{n}, 203.0.113.5") for n in range(7)
    ]
    answers = [report(client, f"spoof {n}").status_code for n, client in enumerate(spoofing)]
    assert answers.count(429) == 7 - reports.REPORTS_PER_REPORTER
