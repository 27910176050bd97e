"""A stranger cannot make the site read, spool or store a huge request body:
it answers 413 with a page that says what happened, before reading it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from pages.models import AbuseReport
from tests.helpers import BROWSER, make_creator

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_page(db):
    return make_creator("alice", page=True)


def test_a_50_mb_report_is_refused_unread(alice_page, client):
    upload = SimpleUploadedFile("big.bin", b"x" * (50 * 1024 * 1024))
    response = client.post(
        "/@alice/report", {"reason": "spam", "file": upload}, HTTP_USER_AGENT=BROWSER
    )
    assert response.status_code == 413
    assert "That was too much to send" in response.content.decode()
    assert not AbuseReport.objects.exists()


def test_a_report_longer_than_any_person_writes_is_refused(alice_page, client):
    response = client.post("/@alice/report", {"reason": "spam", "message": "é" * 20_000})
    assert response.status_code == 413
    assert "at most 32 KB" in response.content.decode()
    assert not AbuseReport.objects.exists()


def test_a_report_of_the_longest_allowed_message_is_received(alice_page, client):
    response = client.post("/@alice/report", {"reason": "spam", "message": "\u2603" * 1000})
    assert response.status_code == 200
    assert "Thank you" in response.content.decode()


def test_no_form_on_the_site_takes_a_megabyte(client, settings):
    body = {"next": "/dashboard/", "filler": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}
    for path in ("/accounts/tiktok/login/", "/signin/", "/admin/login/"):
        response = client.post(path, body)
        assert response.status_code == 413, path
        assert "nothing of what you sent was stored" in response.content.decode()
