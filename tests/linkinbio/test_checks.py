"""System checks stop a misconfigured deployment."""

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
