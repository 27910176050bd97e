"""A TikTok permission does not last for ever: the refresh token ends a year
(or whatever TikTok says) after Alice signed in, however often it is used.
She is told a month ahead, and when it ends her page stays as it was."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from sources.tiktok import budget
from sources.tiktok.jobs import refresh_expiring_tokens
from sources.tiktok.models import TikTokConnection
from tests.helpers import (
    BROWSER,
    TOKEN_URL,
    expire_access,
    give_page,
    page_of,
    sync,
    token_answer,
)

pytestmark = pytest.mark.django_db


def ends_in(user, days):
    end = timezone.now() + timedelta(days=days)
    TikTokConnection.objects.filter(user=user).update(refresh_expires_at=end)
    return end


def signed_in(user):
    browser = Client()
    browser.force_login(user)
    return browser


def test_a_refresh_keeps_the_end_tiktok_gives_not_a_new_year(alice, tiktok):
    end = ends_in(alice, 100)
    expire_access(alice)
    answer = token_answer(access="act.alice-2", refresh="rft.alice-2")
    answer["refresh_expires_in"] = 100 * 86400  # what is left, as TikTok counts it
    tiktok.post(TOKEN_URL, json=answer)

    TikTokConnection.objects.get(user=alice).valid_access_token()

    connection = TikTokConnection.objects.get(user=alice)
    assert abs(connection.refresh_expires_at - end) < timedelta(minutes=1)
    assert connection.refresh_token == "rft.alice-2"


def test_an_answer_without_the_refresh_tokens_life_keeps_the_known_end(alice, tiktok):
    end = ends_in(alice, 100)
    expire_access(alice)
    answer = token_answer(access="act.alice-2", refresh="rft.alice-1")  # not rotated
    del answer["refresh_expires_in"]
    tiktok.post(TOKEN_URL, json=answer)

    TikTokConnection.objects.get(user=alice).valid_access_token()

    connection = TikTokConnection.objects.get(user=alice)
    assert connection.refresh_expires_at == end and connection.refresh_token == "rft.alice-1"


def test_alice_is_asked_to_reconnect_a_month_before_the_end(alice):
    give_page(alice)
    ends_in(alice, 40)
    assert "Reconnect TikTok by" not in signed_in(alice).get("/dashboard/").content.decode()

    end = ends_in(alice, 20)

    day = f"{end.day} {end:%B %Y}"
    for path in ("/dashboard/", "/dashboard/data/", "/dashboard/videos/"):
        html = signed_in(alice).get(path).content.decode()
        assert f"Reconnect TikTok by {day}" in html, path
        assert 'action="/accounts/tiktok/login/"' in html


def test_when_the_permission_ends_the_page_stays_and_alice_is_asked_to_reconnect(alice, tiktok):
    give_page(alice)
    ends_in(alice, -1)
    expire_access(alice)
    budget.reset()

    assert sync(alice) == "reconnect"

    assert len(tiktok.calls) == 0  # not even tried: TikTok would refuse
    connection = TikTokConnection.objects.get(user=alice)
    assert connection.status == "needs_reconnect"
    html = signed_in(alice).get("/dashboard/").content.decode()
    assert "Reconnect TikTok" in html
    visitor = Client(HTTP_USER_AGENT=BROWSER)
    assert visitor.get(f"/@{page_of(alice).slug}").status_code == 200


def test_the_top_up_tries_once_in_the_last_month_not_every_day(alice, tiktok):
    end = ends_in(alice, 20)
    TikTokConnection.objects.filter(user=alice).update(
        last_refreshed_at=timezone.now() - timedelta(days=200)
    )
    answer = token_answer(access="act.alice-2", refresh="rft.alice-2")
    answer["refresh_expires_in"] = int((end - timezone.now()).total_seconds())
    tiktok.post(TOKEN_URL, json=answer)

    assert refresh_expiring_tokens() == 1
    for days in (1, 2, 10):
        with time_machine.travel(timezone.now() + timedelta(days=days)):
            assert refresh_expiring_tokens() == 0
    assert len(tiktok.calls) == 1


def test_once_the_end_has_passed_the_warning_says_it_ended(alice):
    give_page(alice)
    end = ends_in(alice, -2)

    html = signed_in(alice).get("/dashboard/").content.decode()

    assert f"permission for linkinbio ended on {end.day} {end:%B %Y}" in html
    assert "Reconnect TikTok by" not in html
