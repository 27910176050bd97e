"""Alice's "Your data" page: status, history, pause, export, disconnect, re-consent, delete."""

import json
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.db import models
from django.template.loader import render_to_string
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accounts.models import User
from pages.models import Page, Video
from pages.personal_data import NOT_EXPORTED as NOT_EXPORTED_OF_PAGES
from sources.tiktok.models import ApiCall, TikTokConnection
from sources.tiktok.source import TikTokSource
from stats.personal_data import NOT_EXPORTED as NOT_EXPORTED_OF_STATS
from tests.helpers import (
    ALL_SCOPES,
    AUTH,
    REVOKE_URL,
    TOKEN_URL,
    USER_URL,
    envelope,
    token_answer,
)

pytestmark = pytest.mark.django_db

NOT_EXPORTED = {**NOT_EXPORTED_OF_PAGES, **NOT_EXPORTED_OF_STATS}


@pytest.fixture
def alice_page(alice):
    return Page.objects.create(user=alice, slug="alice", display_name="Alice")


@pytest.fixture
def signed_in(client, alice, alice_page):
    SocialAccount.objects.create(user=alice, provider="tiktok", uid="oid-alice")
    client.force_login(alice)
    return client


def log_calls(user, n, *, log_prefix="log"):
    start = timezone.now() - timedelta(hours=n)
    for i in range(n):
        ApiCall.objects.create(
            user=user,
            endpoint="user.info",
            http_status=200,
            error_code="ok",
            log_id=f"{log_prefix}-{i:02d}",
            created=start + timedelta(hours=i),
        )


def test_a_visitor_is_sent_to_sign_in(client):
    response = client.get("/dashboard/data/")

    assert response.status_code == 302 and response["Location"].startswith("/signin/")


def test_the_sign_in_page_says_what_is_asked_why_and_how_often(client):
    response = client.get("/signin/")

    text = response.content.decode()
    for scope in ("user.info.basic", "user.info.profile", "user.info.stats", "video.list"):
        assert scope in text
    assert text.count("Optional") == 3 and "Required" in text
    assert "about every 15 minutes" in text and "every day" in text
    assert 'href="/privacy/"' in text and 'href="/terms/"' in text
    assert 'action="/accounts/tiktok/login/"' in text and "csrfmiddlewaretoken" in text


@pytest.mark.parametrize(
    ("busy", "idle", "privacy_says", "signin_says"),
    [
        (900, 86400, ["at most every 15 minutes", "once a day"], ["every 15 minutes", "every day"]),
        (1800, 6 * 3600, ["at most every 30 minutes", "once every 6 hours"], ["every 6 hours"]),
        (3600, 2 * 86400, ["at most every hour", "once every 2 days"], ["every 2 days"]),
    ],
)
def test_a_visitor_reads_the_refresh_intervals_the_site_really_uses(
    client, settings, busy, idle, privacy_says, signin_says
):
    settings.PAGE_REFRESH_SECONDS = busy
    settings.PAGE_IDLE_REFRESH_SECONDS = idle

    privacy = client.get("/privacy/").content.decode()
    signin = client.get("/signin/").content.decode()

    for words in privacy_says:
        assert words in privacy
    for words in signin_says:
        assert words in signin
    if busy != 900:
        assert "15 minutes" not in privacy + signin
    assert "at most once a minute" in privacy


def test_alice_sees_her_connection_and_newest_requests_first(signed_in, alice):
    log_calls(alice, 30)

    response = signed_in.get("/dashboard/data/")

    text = response.content.decode()
    assert "Connected" in text and "Your public videos" in text
    assert text.index("log-29") < text.index("log-28")
    assert "log-04" not in text
    older = signed_in.get("/dashboard/data/?page=2").content.decode()
    assert "log-04" in older and "log-29" not in older


def test_bob_never_sees_alices_history(client, alice, bob):
    log_calls(alice, 2, log_prefix="alice-secret")
    client.force_login(bob)

    assert b"alice-secret" not in client.get("/dashboard/data/").content
    assert b"alice-secret" not in client.get("/dashboard/data/export/").content


def test_alice_pauses_and_resumes_syncing(signed_in, alice):
    reloaded = signed_in.get("/dashboard/data/pause/")  # the address bar pauses nothing
    assert reloaded["Location"] == "/dashboard/data/"
    assert not TikTokConnection.objects.get(user=alice).sync_paused

    response = signed_in.post("/dashboard/data/pause/", follow=True)

    assert TikTokConnection.objects.get(user=alice).sync_paused
    assert not TikTokConnection.objects.get(user=alice).can_sync
    assert b"Syncing is paused" in response.content
    assert b"Resume syncing" in response.content
    signed_in.post("/dashboard/data/resume/")
    assert TikTokConnection.objects.get(user=alice).can_sync


def test_the_export_has_everything_but_the_tokens(signed_in, alice):
    log_calls(alice, 3)

    response = signed_in.get("/dashboard/data/export/")

    assert response["Content-Disposition"] == 'attachment; filename="linkinbio-alice.json"'
    data = json.loads(response.content)
    assert data["account"]["username"] == "alice"
    assert data["tiktok_connection"]["open_id"] == "oid-alice"
    assert data["tiktok_connection"]["granted_scopes"][-1] == "video.list"
    assert data["page"]["slug"] == "alice"
    assert [c["log_id"] for c in data["request_history"]] == ["log-00", "log-01", "log-02"]
    raw = response.content.decode()
    assert "act.alice-1" not in raw and "rft.alice-1" not in raw
    assert "token_encrypted" not in raw


def test_the_export_holds_every_call_that_delete_would_erase(signed_in, alice, bob):
    # A token exchange recorded before it was known whose it is: Alice's by open_id.
    ApiCall.objects.create(endpoint="oauth.token", open_id="oid-alice", log_id="log-first")
    ApiCall.objects.create(endpoint="oauth.token", open_id="oid-bob", log_id="log-bob")
    log_calls(alice, 1)

    data = json.loads(signed_in.get("/dashboard/data/export/").content)

    assert sorted(c["log_id"] for c in data["request_history"]) == ["log-00", "log-first"]


def flat(section):
    """A page export's sections merged into one {key: value} dict."""
    merged = {}
    for key, value in section.items():
        if isinstance(value, dict):
            merged.update(value)
        else:
            merged[key] = value
    return merged


def exported_as(obj, field, settings):
    """The key and value a stored field has in the export."""
    value = getattr(obj, field.attname)
    if isinstance(field, models.FileField):
        return f"{field.name}_url", settings.SITE_URL + value.url if value else None
    if isinstance(value, date):
        value = value.isoformat()
    return ("id" if field.name == "external_id" else field.name), value


def test_the_export_holds_every_stored_field_of_alices_page(signed_in, alice_page, settings):
    """A field added to the page, its links or videos must reach Alice's export."""
    page = alice_page
    now = timezone.now().replace(microsecond=123456)
    page.avatar.save("alice.webp", ContentFile(b"RIFF"), save=False)
    page.avatar_source = "https://p16.tiktokcdn.example/alice.webp?x-expires=1"
    page.bio, page.username, page.follower_count = "Bread on Sundays", "alice", 1250
    page.is_suspended, page.suspended_reason = True, "Spam links"
    page.last_synced_at, page.last_sync_error = now, "TikTok was busy"
    page.save()
    link = page.links.create(title="Shop", url="https://shop.example", starts_at=now, clicks=7)
    video = page.videos.create(
        external_id="7301",
        title="Sourdough",
        share_url="https://www.tiktok.com/@alice/video/7301",
        cover_source="https://p16.tiktokcdn.example/7301.jpeg",
        duration=42,
        view_count=1000,
        like_count=250,
        create_time=now,
        pinned=True,
        link_url="https://shop.example/bread",
        link_title="Recipe",
    )
    video.cover.save("7301.webp", ContentFile(b"RIFF"))
    stat = page.daily_counts.create(day=now.date(), metric="link_clicks", subject="9", count=3)
    hour = page.hourly_counts.create(hour=now.replace(minute=0), metric="views", count=12)
    note = page.change_notes.create(text="Your follower count is no longer shown")
    former = page.former_addresses.create(slug="alice_old", expires_at=now)

    export = json.loads(signed_in.get("/dashboard/data/export/").content)
    data = export["page"]

    exported = {
        "pages.Page": (Page.objects.get(pk=page.pk), flat(data)),
        "pages.Link": (link, data["links"][0]),
        "pages.Video": (Video.objects.get(pk=video.pk), data["videos"][0]),
        "stats.DailyCount": (stat, export["stats"][0]),
        "stats.HourlyCount": (hour, export["hourly_stats"][0]),
        "pages.ChangeNote": (note, data["change_log"][0]),
        "pages.FormerAddress": (former, data["former_addresses"][0]),
    }
    missing = []
    for label, (obj, section) in exported.items():
        for field in obj._meta.concrete_fields:
            if field.name in NOT_EXPORTED[label]:
                continue
            key, value = exported_as(obj, field, settings)
            if section.get(key, "missing") != value:
                missing.append(f"{label}.{field.name}")
    assert missing == []
    assert data["profile"]["avatar_url"].startswith(f"{settings.SITE_URL}/media/")
    assert data["videos"][0]["duration"] == 42 and data["videos"][0]["like_count"] == 250


def test_disconnecting_revokes_at_tiktok_and_keeps_the_page(signed_in, alice, tiktok):
    tiktok.post(REVOKE_URL, json={})

    response = signed_in.post("/dashboard/data/disconnect/", follow=True)

    assert parse_qs(tiktok.calls[0].request.body)["token"] == ["act.alice-1"]
    connection = TikTokConnection.objects.get(user=alice)
    assert connection.status == "revoked" and not connection.can_sync
    assert connection.access_token_encrypted == "" and connection.refresh_token_encrypted == ""
    assert Page.objects.filter(user=alice).exists()
    assert b"we revoked our access" in response.content
    assert b"Reconnect TikTok" in response.content


def test_disconnecting_while_tiktok_is_down_still_forgets_the_tokens(signed_in, alice, tiktok):
    tiktok.post(REVOKE_URL, body="<html>down</html>", status=503)

    response = signed_in.post("/dashboard/data/disconnect/", follow=True)

    assert TikTokConnection.objects.get(user=alice).refresh_token == ""
    assert b"did not confirm" in response.content


def test_alice_reconnects_after_disconnecting(signed_in, alice, tiktok):
    tiktok.post(REVOKE_URL, json={})
    signed_in.post("/dashboard/data/disconnect/")
    response = signed_in.post("/accounts/tiktok/login/", {"next": "/dashboard/"})
    query = parse_qs(urlsplit(response["Location"]).query)
    tiktok.post(TOKEN_URL, json=token_answer(access="act.alice-back"))
    tiktok.get(USER_URL, json=envelope({"user": {"open_id": "oid-alice", "display_name": "A"}}))

    signed_in.get(
        "/accounts/tiktok/login/callback/",
        {"code": "c2", "scopes": query["scope"][0], "state": query["state"][0]},
    )

    connection = TikTokConnection.objects.get(user=alice)
    assert connection.status == "active" and connection.access_token == "act.alice-back"
    assert User.objects.count() == 1 and Page.objects.count() == 1


def test_grant_video_access_asks_again_without_losing_granted_scopes(signed_in, alice, tiktok):
    TikTokConnection.objects.filter(user=alice).update(
        scopes=["user.info.basic", "user.info.profile", "user.info.stats"]
    )

    response = signed_in.post("/dashboard/data/grant/")

    url = urlsplit(response["Location"])
    assert url.geturl().startswith(f"{AUTH}/v2/auth/authorize/")
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert query["scope"] == "user.info.basic,user.info.profile,user.info.stats,video.list"
    tiktok.post(TOKEN_URL, json=token_answer(access="act.alice-v"))
    tiktok.get(USER_URL, json=envelope({"user": {"open_id": "oid-alice", "display_name": "A"}}))
    back = signed_in.get(
        "/accounts/tiktok/login/callback/",
        {"code": "c3", "scopes": "user.info.basic,video.list", "state": query["state"]},
    )
    assert back["Location"] == "/dashboard/"
    assert TikTokConnection.objects.get(user=alice).has_scope("video.list")


def test_the_video_access_prompt_says_what_tiktok_will_show(signed_in, alice):
    """Alice declined video access; the prompt must not promise a videos-only screen."""
    declined = ["user.info.basic", "user.info.profile", "user.info.stats"]
    TikTokConnection.objects.filter(user=alice).update(scopes=declined)

    banner = signed_in.get("/dashboard/").content.decode()
    asked = parse_qs(urlsplit(signed_in.post("/dashboard/data/grant/")["Location"]).query)

    assert "only for video access" not in banner
    assert "consent screen again" in banner and "with video access added" in banner
    assert asked["scope"][0].split(",") == [*declined, "video.list"]


def test_the_banner_offers_what_the_connection_needs(alice):
    def banner():
        connection = TikTokSource().connection(User.objects.get(pk=alice.pk))
        return render_to_string(connection.banner, {"connection": connection})

    assert "Reconnect" not in banner()

    TikTokConnection.objects.filter(user=alice).update(scopes=["user.info.basic"])
    assert "Show your videos: grant video access" in banner()
    assert 'action="/dashboard/data/grant/"' in banner()

    TikTokConnection.objects.filter(user=alice).update(status="needs_reconnect")
    assert "Reconnect TikTok" in banner() and "grant video access" not in banner()
    assert 'action="/accounts/tiktok/login/"' in banner()
    assert render_to_string("tiktok/connection_banner.html", {}).strip() == ""


def test_deleting_needs_a_confirmation(signed_in, alice):
    response = signed_in.post("/dashboard/data/delete/", {}, follow=True)

    assert b"Tick the box to confirm" in response.content
    assert User.objects.filter(pk=alice.pk).exists()


def test_deleting_the_account_leaves_nothing_of_alice(
    signed_in, alice, alice_page, bob, tiktok, settings, django_capture_on_commit_callbacks
):
    tiktok.post(REVOKE_URL, json={})
    files = [f for f in Page._meta.get_fields() if isinstance(f, models.FileField)]
    for field in files:
        getattr(alice_page, field.name).save("alice.webp", ContentFile(b"RIFF"), save=True)
    log_calls(alice, 3)
    ApiCall.objects.create(endpoint="oauth.token", open_id="oid-alice", error_code="ok")
    bob_calls = ApiCall.objects.filter(user=bob).count()

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post("/dashboard/data/delete/", {"confirm": "yes"}, follow=True)

    assert b"all your data are deleted" in response.content
    assert len(tiktok.calls) == 1
    assert not User.objects.filter(username="alice").exists()
    assert not SocialAccount.objects.filter(uid="oid-alice").exists()
    assert not TikTokConnection.objects.filter(open_id="oid-alice").exists()
    assert not ApiCall.objects.filter(open_id="oid-alice").exists()
    assert ApiCall.objects.filter(user__isnull=True).count() == 0
    assert not Page.objects.filter(slug="alice").exists()
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or [p for p in media.rglob("*") if p.is_file()] == []
    assert ApiCall.objects.filter(user=bob).count() == bob_calls
    assert TikTokConnection.objects.filter(user=bob).exists()
    assert signed_in.get("/dashboard/data/").status_code == 302


def test_deleting_the_account_signs_alice_out_on_her_other_devices(
    signed_in, alice, bob, tiktok, django_capture_on_commit_callbacks
):
    tiktok.post(REVOKE_URL, json={})
    phone = type(signed_in)()
    phone.force_login(alice)
    bobs_laptop = type(signed_in)()
    bobs_laptop.force_login(bob)
    alice_sessions = [signed_in.session.session_key, phone.session.session_key]

    with django_capture_on_commit_callbacks(execute=True):
        signed_in.post("/dashboard/data/delete/", {"confirm": "yes"})

    assert not Session.objects.filter(session_key__in=alice_sessions).exists()
    assert phone.get("/dashboard/data/").status_code == 302
    assert Session.objects.filter(session_key=bobs_laptop.session.session_key).exists()
    assert bobs_laptop.get("/dashboard/data/").status_code == 200


def test_tokens_never_show_in_the_admin(admin_client, alice):
    connection = TikTokConnection.objects.get(user=alice)
    ApiCall.objects.create(user=alice, endpoint="user.info", error_code="ok", log_id="L1")

    pages = [
        admin_client.get("/admin/tiktok/tiktokconnection/"),
        admin_client.get(f"/admin/tiktok/tiktokconnection/{connection.pk}/change/"),
        admin_client.get("/admin/tiktok/apicall/"),
    ]

    for page in pages:
        assert page.status_code == 200
        text = page.content.decode()
        assert "act.alice-1" not in text and "rft.alice-1" not in text
        assert connection.access_token_encrypted not in text
    assert b"oid-alice" in pages[1].content
    call = ApiCall.objects.get()
    assert admin_client.get(f"/admin/tiktok/apicall/{call.pk}/delete/").status_code == 403
    assert admin_client.get("/admin/tiktok/apicall/add/").status_code == 403


def test_a_suspended_creator_reads_why_no_fetch_is_planned(signed_in, alice, alice_page):
    Page.objects.filter(pk=alice_page.pk).update(last_synced_at=timezone.now())
    text = " ".join(signed_in.get("/dashboard/data/").content.decode().split())
    assert "Next fetch" in text and "None planned" not in text
    Page.objects.filter(pk=alice_page.pk).update(is_suspended=True)
    text = " ".join(signed_in.get("/dashboard/data/").content.decode().split())
    assert "None planned (your page is suspended)" in text


def request_history(client):
    text = client.get("/dashboard/data/").content.decode()
    start = text.index('id="history-title"')
    return text[start : text.index("</section>", start)]


@pytest.mark.parametrize(
    "code, words",
    [
        ("scope_permission_missed", "a permission is missing"),
        ("access_token_invalid", "TikTok no longer accepts our access"),
        ("rate_limit_exceeded", "TikTok asked us to slow down"),
        ("timeout", "TikTok did not answer in time"),
    ],
)
def test_alice_reads_why_a_request_failed_in_plain_words(signed_in, alice, code, words):
    ApiCall.objects.create(
        user=alice, endpoint="user.info", http_status=400, error_code=code, log_id="L-1"
    )

    history = request_history(signed_in)

    assert words in history
    assert code not in history and "(400)" not in history


@hypothesis_settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(code=st.from_regex(r"\A[a-z]{3,12}(_[a-z]{3,12}){1,3}\Z"))
def test_a_code_tiktok_never_documented_is_not_shown_to_alice_either(signed_in, alice, code):
    ApiCall.objects.filter(user=alice).delete()
    ApiCall.objects.create(
        user=alice, endpoint="video.list", http_status=418, error_code=code, log_id="L-2"
    )

    history = request_history(signed_in)

    # The status as it was shown ("(418)"); times in the page may hold those digits.
    assert code not in history and "(418)" not in history and ">418<" not in history
    assert "L-2" in history  # what she can quote if she asks us


def test_alice_reads_in_her_status_that_a_permission_is_missing(signed_in, alice):
    """TikTok answered scope_permission_missed: "Connected" alone would say all is well."""
    TikTokConnection.objects.filter(user=alice).update(permission_missed_at=timezone.now())

    text = " ".join(signed_in.get("/dashboard/data/").content.decode().split())
    status = text[text.index("Status:") : text.index("Last fetched")]

    assert "Connected, a permission is missing" in status
    assert "status-active" not in status
    assert "Grant the rest on TikTok" in status
    assert "TikTok says one of these is missing" in text


def grant_on_tiktok(client, tiktok, *, ticked):
    """Alice presses "Grant the rest on TikTok" and authorizes with `ticked` scopes."""
    asked = parse_qs(urlsplit(client.post("/dashboard/data/grant/")["Location"]).query)
    tiktok.post(TOKEN_URL, json=token_answer(access="act.alice-g", scope=",".join(ticked)))
    tiktok.get(USER_URL, json=envelope({"user": {"open_id": "oid-alice", "display_name": "A"}}))
    back = client.get(
        "/accounts/tiktok/login/callback/",
        {"code": "c4", "scopes": ",".join(ticked), "state": asked["state"][0]},
    )
    assert back["Location"] == "/dashboard/"
    return " ".join(client.get("/dashboard/").content.decode().split())


def test_alice_is_told_the_missing_permission_was_granted(signed_in, alice, tiktok):
    TikTokConnection.objects.filter(user=alice).update(permission_missed_at=timezone.now())

    said = grant_on_tiktok(signed_in, tiktok, ticked=ALL_SCOPES)

    assert "TikTok granted linkinbio everything it asked for" in said
    assert "Successfully signed in" not in said


def test_alice_is_told_what_she_unticked_is_still_missing(signed_in, alice, tiktok):
    TikTokConnection.objects.filter(user=alice).update(
        scopes=["user.info.basic", "user.info.profile", "user.info.stats"]
    )

    said = grant_on_tiktok(
        signed_in, tiktok, ticked=["user.info.basic", "user.info.profile", "user.info.stats"]
    )

    assert "Still missing: your public videos" in said
    assert "Successfully signed in" not in said


def test_alice_whose_tiktok_account_was_deleted_reads_nothing_that_no_longer_applies(
    signed_in, alice
):
    TikTokConnection.objects.filter(user=alice).update(
        status=TikTokConnection.Status.REVOKED,
        removed_reason=2,
        removed_at=timezone.now(),
        erase_after=timezone.now() + timedelta(days=30),
    )

    text = " ".join(signed_in.get("/dashboard/data/").content.decode().split())

    assert "TikTok told us your TikTok account was deleted" in text
    assert "What you allowed" not in text
    assert "Disconnecting revokes our access" not in text
    assert "How often" not in text
