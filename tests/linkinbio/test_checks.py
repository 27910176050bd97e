"""System checks stop a misconfigured deployment."""

import subprocess
import sys

from linkinbio import checks


def error_ids(check):
    return [message.id for message in check(app_configs=None)]


def test_sandbox_in_production_is_refused(settings):
    settings.TIKTOK_SANDBOX = True
    settings.DEBUG = False
    settings.TIKTOK_SANDBOX_ALLOW_PRODUCTION = False
    assert error_ids(checks.check_tiktok_sandbox) == ["linkinbio.E001"]


def test_sandbox_in_production_is_allowed_for_a_public_demo(settings):
    settings.TIKTOK_SANDBOX = True
    settings.DEBUG = False
    settings.TIKTOK_SANDBOX_ALLOW_PRODUCTION = True
    assert error_ids(checks.check_tiktok_sandbox) == []


def test_a_public_demo_with_the_sandbox_controls_on_is_refused(settings):
    settings.PUBLIC_DEMO = True
    settings.TIKTOK_SANDBOX_CONTROL = True
    assert error_ids(checks.check_public_demo_controls) == ["linkinbio.E003"]


def test_a_public_demo_without_the_controls_or_a_developer_with_them_is_fine(settings):
    settings.PUBLIC_DEMO, settings.TIKTOK_SANDBOX_CONTROL = True, False
    assert error_ids(checks.check_public_demo_controls) == []
    settings.PUBLIC_DEMO, settings.TIKTOK_SANDBOX_CONTROL = False, True
    assert error_ids(checks.check_public_demo_controls) == []


def test_a_public_demo_with_the_controls_on_does_not_start():
    from tests.linkinbio.test_settings import ROOT, clean_environment

    env = clean_environment(
        DEBUG="False",
        SECRET_KEY="a-long-enough-secret-key-for-this-check-0123456789",
        TIKTOK_SANDBOX="True",
        TIKTOK_SANDBOX_ALLOW_PRODUCTION="True",
        TIKTOK_SANDBOX_CONTROL="True",
        ALLOWED_HOSTS="demo.example",
        TOKEN_ENCRYPTION_KEYS="cHJvZHVjdGlvbi1jaGVjay1rZXktMzItYnl0ZXMtLS0=",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "linkinbio.E003" in result.stderr


def test_production_without_tiktok_credentials_is_flagged(settings):
    settings.TIKTOK_SANDBOX = False
    settings.TIKTOK_CLIENT_SECRET = ""
    assert error_ids(checks.check_tiktok_credentials) == ["linkinbio.W001"]


def test_unknown_pkce_encoding_is_refused(settings):
    settings.TIKTOK_PKCE = "plain"
    assert error_ids(checks.check_pkce_setting) == ["linkinbio.E002"]


def test_no_cdn_purge_backend_is_fine(settings):
    settings.CDN_PURGE_BACKEND = ""
    assert error_ids(checks.check_cdn_purge) == []


def test_a_cdn_purge_backend_that_cannot_load_is_refused(settings):
    settings.CDN_PURGE_BACKEND = "myproject.cdn.Nothing"
    assert error_ids(checks.check_cdn_purge) == ["linkinbio.E011"]


def test_a_cdn_purge_backend_without_its_settings_is_refused(settings):
    settings.CDN_PURGE_BACKEND = "cloudflare"
    settings.CDN_PURGE_ZONE = "zone42"
    settings.CDN_PURGE_TOKEN = ""
    assert error_ids(checks.check_cdn_purge) == ["linkinbio.E012"]
    settings.CDN_PURGE_TOKEN = "token"
    assert error_ids(checks.check_cdn_purge) == []


def test_a_public_demo_web_process_with_the_controls_on_does_not_start(tmp_path):
    """gunicorn runs no system checks: importing the web application (what
    `gunicorn linkinbio.wsgi` does) refuses the same setting."""
    from tests.linkinbio.test_settings import ROOT, clean_environment

    env = clean_environment(
        DEBUG="False",
        PUBLIC_DEMO="True",
        SECRET_KEY="a-long-enough-secret-key-for-this-check-0123456789",
        TIKTOK_SANDBOX="True",
        TIKTOK_SANDBOX_ALLOW_PRODUCTION="True",
        TIKTOK_SANDBOX_CONTROL="True",
        ALLOWED_HOSTS="demo.example",
        SITE_URL="https://demo.example",
        DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        TOKEN_ENCRYPTION_KEYS="cHJvZHVjdGlvbi1jaGVjay1rZXktMzItYnl0ZXMtLS0=",
    )
    started = subprocess.run(
        [sys.executable, "-c", "import linkinbio.wsgi; print('serving')"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert "serving" not in started.stdout
    assert started.returncode != 0
    assert "linkinbio.E003" in started.stderr
