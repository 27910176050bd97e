"""Starting a sign-in with TikTok stores its OAuth state in a session. A
script posting the sign-in form again and again, never sending the session
cookie back, could make a session row a request for ever; it makes a few,
is told to wait, and what it made is gone within the half hour. A creator's
own browser is never held back, and a signed-in creator keeps her session."""

import time
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from linkinbio import jobs
from sources.tiktok import views
from tests.helpers import back_from_tiktok, start_sign_in

from .test_signin import answer_tiktok

pytestmark = pytest.mark.django_db


def script(address="203.0.113.9"):
    """A client that fetched the sign-in page once, for its CSRF token."""
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR=address)
    client.get("/signin/")
    return client, client.cookies[settings.CSRF_COOKIE_NAME].value


def post_sign_in(client, token):
    response = client.post("/accounts/tiktok/login/", {"csrfmiddlewaretoken": token})
    client.cookies.pop(settings.SESSION_COOKIE_NAME, None)  # never sent back
    return response


def test_two_thousand_sign_in_starts_with_one_csrf_token_make_a_few_sessions():
    # The limit is per ten minutes of the clock: the story starts at a window's
    # start, so a slow run never sees a second window's allowance.
    window = int(time.time() // 600) * 600
    with time_machine.travel(window + 1, tick=True):
        _two_thousand_sign_in_starts()


def _two_thousand_sign_in_starts():
    client, token = script()
    statuses = [post_sign_in(client, token).status_code for _ in range(2000)]
    assert statuses.count(302) == views.NEW_SIGN_INS_PER_CLIENT
    assert statuses.count(429) == 2000 - views.NEW_SIGN_INS_PER_CLIENT
    assert Session.objects.count() == views.NEW_SIGN_INS_PER_CLIENT

    refused = post_sign_in(client, token)
    assert refused["Retry-After"] == "600"
    assert "Please try again in 10 minutes." in refused.content.decode()
    # Another network is not held up by it.
    other, other_token = script("198.51.100.4")
    assert post_sign_in(other, other_token).status_code == 302

    # The sessions it made go at the scheduler's next clearing after they expire.
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        jobs.clear_expired_sessions()
    assert Session.objects.count() == 0


def test_a_browser_that_keeps_its_session_starts_again_freely_in_one_session(client):
    for _ in range(views.NEW_SIGN_INS_PER_CLIENT + 10):
        start_sign_in(client)
    assert Session.objects.count() == 1


def test_a_creator_who_signs_in_keeps_her_session_past_the_sign_in_window(client, tiktok):
    query = start_sign_in(client)
    answer_tiktok(tiktok)
    assert back_from_tiktok(client, query)["Location"] == "/dashboard/"
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        jobs.clear_expired_sessions()
        assert client.get("/dashboard/").status_code == 200
    assert Session.objects.count() == 1


def test_clearing_expired_sessions_is_scheduled():
    assert ("linkinbio.jobs.clear_expired_sessions", 600) in settings.SCHEDULED_JOBS
