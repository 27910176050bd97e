"""`manage.py tiktok_check`: an operator with a real client key checks it before
opening sign-ups. TikTok is the sandbox behind live_server, with the
operator's app registered there as TikTok's portal would have it."""

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from sandbox import testing as sandbox
from sources.tiktok import client as tiktok
from sources.tiktok.models import ApiCall
from tests.helpers import closing_session

pytestmark = pytest.mark.django_db(transaction=True)

KEY, SECRET = "awq1t7prodkey", "the-real-secret"


@pytest.fixture(autouse=True)
def real_app_at_tiktok(live_server, settings, monkeypatch):
    settings.SITE_URL = "https://links.example"
    settings.TIKTOK_API_BASE = settings.TIKTOK_AUTH_BASE = live_server.url + "/sandbox/tiktok"
    settings.TIKTOK_CLIENT_KEY = KEY
    settings.TIKTOK_CLIENT_SECRET = SECRET
    settings.TIKTOK_PKCE = "hex"
    monkeypatch.setattr(tiktok, "session", closing_session())
    sandbox.register_client(
        "https://links.example/accounts/tiktok/login/callback/",
        client_key=KEY,
        client_secret=SECRET,
    )


def tiktok_check():
    out, err = StringIO(), StringIO()
    try:
        call_command("tiktok_check", stdout=out, stderr=err)
    except CommandError as failed:
        return failed.returncode, out.getvalue()
    return 0, out.getvalue()


def row(output, check):
    return [line for line in output.splitlines() if line.startswith(check)]


def test_the_right_key_and_secret_pass_every_check():
    status, output = tiktok_check()

    assert status == 0, output
    (credentials,) = row(output, "credentials")
    assert "ok" in credentials and "key and secret are right" in credentials
    assert "register exactly: https://links.example/accounts/tiktok/login/callback/" in output
    assert "register as the callback URL: https://links.example/webhooks/tiktok/" in output
    assert "video.list: the video/list and video/query endpoints" in output
    assert "user.info.stats: follower_count, following_count, likes_count, video_count" in output
    assert "TIKTOK_PKCE=base64url" in output
    assert "from TikTok's Date header" in row(output, "clock")[0]
    assert output.rstrip().endswith("Every check passed.")
    # One call, recorded like every call, and nothing issued.
    assert list(ApiCall.objects.values_list("endpoint", "error_code")) == [
        ("oauth.token", "invalid_grant")
    ]
    assert sandbox.stats()["calls"]["oauth.token"] == 1


class SiteSettings:
    """The site's settings with another secret than the one TikTok holds (the
    sandbox runs in this process and would otherwise read the site's)."""

    def __init__(self, **overrides):
        self.overrides = overrides

    def __getattr__(self, name):
        return self.overrides.get(name, getattr(settings, name))


def test_a_wrong_secret_fails_the_check_and_the_command(monkeypatch):
    monkeypatch.setattr(
        tiktok, "settings", SiteSettings(TIKTOK_CLIENT_SECRET="a-secret-from-another-app")
    )

    status, output = tiktok_check()

    assert status == 1
    (credentials,) = row(output, "credentials")
    assert "FAIL" in credentials and "invalid_client" in credentials
    assert "a-secret-from-another-app" not in output


def test_the_sandbox_key_and_a_plain_http_site_fail(settings):
    settings.TIKTOK_CLIENT_KEY = "sandbox-linkinbio"
    settings.SITE_URL = "http://links.example"

    status, output = tiktok_check()

    assert status == 1
    assert "FAIL" in row(output, "client key")[0]
    assert "only https redirect URIs" in row(output, "site")[0]


def test_a_scope_linkinbio_does_not_know_fails(settings):
    settings.TIKTOK_SCOPES = ["user.info.basic", "video.upload"]

    status, output = tiktok_check()

    assert status == 1
    assert "video.upload: not a scope linkinbio knows" in output
