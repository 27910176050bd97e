"""A wrong secret (or a parameter TikTok started to require) refuses every
creator's refresh at once: the guard keeps everyone's tokens, pauses, and
tells the operator, never twenty creators "reconnect".

TikTok is the sandbox behind live_server; its `oauth_error` fault answers
every token call with the code, as TikTok does (HTTP 200, a flat error body).
"""

import html
import logging
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from accounts.models import User
from pages.models import Page
from sandbox import testing as sandbox
from sandbox.models import Fault
from sources.tiktok.models import ApiCall, TikTokConnection
from sources.tiktok.refusal_guard import CREATOR_MESSAGE, RefreshAlert
from tests.helpers import (
    connect_through_sandbox,
    expire_access,
    give_page,
    sync,
    use_sandbox_as_tiktok,
)

pytestmark = pytest.mark.django_db(transaction=True)

CREATORS = 20


@pytest.fixture(autouse=True)
def sandbox_tiktok(live_server, settings, monkeypatch):
    use_sandbox_as_tiktok(live_server, settings, monkeypatch)
    settings.TIKTOK_REFUSAL_GUARD_CREATORS = 5
    settings.TIKTOK_REFUSAL_GUARD_MINUTES = 10


@pytest.fixture
def fleet():
    """Twenty creators connected through the sandbox, each access token run out."""
    users = []
    for n in range(CREATORS):
        name = f"creator{n}"
        sandbox.create_account(name, video_count=2)
        user = connect_through_sandbox(name)
        give_page(user)
        expire_access(user)
        users.append(user)
    return users


def tiktok_refuses_every_refresh(code):
    Fault.objects.create(endpoint="oauth.token", kind="oauth_error", error=code, remaining=10_000)


def refresh_tokens():
    return {c.user_id: c.refresh_token for c in TikTokConnection.objects.all()}


def dashboard_of(user):
    browser = Client()
    browser.force_login(user)
    return html.unescape(browser.get("/dashboard/").content.decode())


@pytest.mark.parametrize("code", ["invalid_client", "invalid_request", "unauthorized_client"])
def test_a_refusal_for_many_creators_at_once_pauses_refreshes_and_asks_nobody_to_reconnect(
    fleet, code, caplog
):
    tokens_before = refresh_tokens()
    tiktok_refuses_every_refresh(code)

    with caplog.at_level(logging.ERROR):
        outcomes = [sync(user) for user in fleet]

    assert outcomes == ["failed"] * 4 + ["waiting"] * 16
    assert sandbox.stats()["calls"]["oauth.token"] == 5  # then paused: no more calls
    assert not TikTokConnection.objects.exclude(status="active").exists()
    assert refresh_tokens() == tokens_before  # every creator keeps her tokens
    assert not TikTokConnection.objects.filter(refresh_refusals__gt=0).exists()

    alert = RefreshAlert.objects.get()
    assert (alert.code, alert.creators, alert.refusals, alert.is_open) == (code, 5, 5, True)
    sandbox_log_ids = ApiCall.objects.filter(endpoint="oauth.token").values_list(
        "log_id", flat=True
    )
    assert sorted(alert.log_ids) == sorted(sandbox_log_ids)
    (error,) = [r for r in caplog.records if r.name == "sources.tiktok.refusal_guard"]
    assert error.levelno == logging.ERROR
    assert f"refreshes with {code} for 5 creators in 10 minutes" in error.getMessage()

    for user in (fleet[0], fleet[12]):
        text = dashboard_of(user)
        assert CREATOR_MESSAGE in text and "Reconnect TikTok" not in text


def test_the_operator_sees_the_alert_clears_it_and_the_fleet_syncs_again(fleet):
    tiktok_refuses_every_refresh("invalid_client")
    for user in fleet:
        sync(user)
    operator = User.objects.create_superuser("operator", password="a long admin password 1")
    admin = Client()
    admin.force_login(operator)

    banner = html.unescape(admin.get("/admin/").content.decode())
    alert = RefreshAlert.objects.get()
    assert "TikTok refuses token refreshes with invalid_client for 5 creators" in banner
    assert alert.log_ids[0] in banner

    Fault.objects.all().delete()  # the secret is put right
    answer = admin.post(
        "/admin/tiktok/refreshalert/",
        {"action": "clear", "_selected_action": [alert.pk]},
        follow=True,
    )
    assert "Cleared 1 alert(s): refreshes resume." in answer.content.decode()
    assert "TikTok refuses token refreshes" not in admin.get("/admin/").content.decode()
    assert RefreshAlert.objects.get().cleared_by == "operator"

    Page.objects.update(sync_backoff_until=None)
    assert {sync(user) for user in fleet} == {"changed"}
    assert CREATOR_MESSAGE not in dashboard_of(fleet[3])


def test_one_refresh_a_minute_probes_and_a_success_resumes_by_itself(fleet):
    tiktok_refuses_every_refresh("invalid_request")
    for user in fleet[:6]:
        sync(user)
    assert sync(fleet[6]) == "waiting"
    Fault.objects.all().delete()  # TikTok stopped refusing

    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        assert sync(fleet[7]) == "changed"  # the probe went through

    assert not RefreshAlert.objects.get().is_open
    assert RefreshAlert.objects.get().cleared_by == "TikTok accepted a refresh again"


def test_one_creators_refusals_never_open_the_guard(fleet):
    tiktok_refuses_every_refresh("invalid_request")
    for _ in range(3):
        sync(fleet[0])
        Page.objects.update(sync_backoff_until=None)

    assert not RefreshAlert.objects.exists()
    assert TikTokConnection.objects.get(user=fleet[0]).status == "needs_reconnect"


def held_open(fleet, code="invalid_client"):
    """TikTok refuses every refresh with `code` until the guard holds them."""
    tiktok_refuses_every_refresh(code)
    for user in fleet[:6]:
        sync(user)
    assert RefreshAlert.objects.get().is_open


def token_calls():
    return sandbox.stats()["calls"]["oauth.token"]


def test_the_pause_ends_by_itself_once_tiktok_stops_refusing_for_a_while(fleet, settings):
    settings.TIKTOK_REFUSAL_GUARD_QUIET_MINUTES = 30
    held_open(fleet)
    Fault.objects.all().delete()

    with time_machine.travel(timezone.now() + timedelta(minutes=29)):
        assert CREATOR_MESSAGE in dashboard_of(fleet[9])
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        assert CREATOR_MESSAGE not in dashboard_of(fleet[9])
        assert not RefreshAlert.objects.get().is_open
        calls = token_calls()
        assert [sync(user) for user in fleet[10:13]] == ["changed"] * 3
        assert token_calls() == calls + 3  # no probe a minute: every refresh goes


def test_each_probe_goes_to_another_creator(fleet):
    held_open(fleet)
    first, second = fleet[10], fleet[11]

    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        calls = token_calls()
        sync(first)  # the minute's probe, refused again
        assert token_calls() == calls + 1
    with time_machine.travel(timezone.now() + timedelta(seconds=122)):
        calls = token_calls()
        assert sync(first) == "waiting"
        assert token_calls() == calls  # not the same creator twice in a row
        Fault.objects.all().delete()  # what refused them is put right
        assert sync(second) == "changed"  # the probe goes to someone else, and works
        assert token_calls() == calls + 1
    assert not RefreshAlert.objects.get().is_open


def test_while_refreshes_pause_the_pages_that_need_none_keep_syncing(fleet, settings):
    from django.tasks import default_task_backend

    from pages.sync.schedule import enqueue_due_syncs
    from tests.helpers import page_of, queued_pages

    settings.TASKS = {
        "default": {
            **settings.TASKS["default"],
            "BACKEND": "django.tasks.backends.dummy.DummyBackend",
        }
    }
    held_open(fleet)
    fresh = fleet[15]
    TikTokConnection.objects.filter(user=fresh).update(
        access_expires_at=timezone.now() + timedelta(hours=1)
    )
    Page.objects.update(sync_due_at=timezone.now() - timedelta(hours=1))
    held = fleet[14]
    assert sync(held) == "waiting"
    # The held page stands aside for a while instead of heading the queue.
    assert page_of(held).sync_waiting_since is None
    assert page_of(held).sync_due_at > timezone.now()

    default_task_backend.clear()
    enqueue_due_syncs()
    assert page_of(fresh).pk in queued_pages()
    assert page_of(held).pk not in queued_pages()
    calls = token_calls()
    assert sync(fresh) == "changed"  # its token needs no refresh
    assert token_calls() == calls
