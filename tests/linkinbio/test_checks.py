"""System checks stop a misconfigured deployment."""

from django.core.checks import run_checks


def errors(ids_prefix="linkinbio."):
    return [m.id for m in run_checks() if m.id and m.id.startswith(ids_prefix)]


def test_sandbox_in_production_is_refused(settings):
    settings.TIKTOK_SANDBOX = True
    settings.DEBUG = False
    settings.TIKTOK_SANDBOX_ALLOW_PRODUCTION = False
    assert "linkinbio.E001" in errors()


def test_sandbox_in_production_is_allowed_for_a_public_demo(settings):
    settings.TIKTOK_SANDBOX = True
    settings.DEBUG = False
    settings.TIKTOK_SANDBOX_ALLOW_PRODUCTION = True
    assert "linkinbio.E001" not in errors()


def test_unknown_pkce_encoding_is_refused(settings):
    settings.TIKTOK_PKCE = "plain"
    assert "linkinbio.E002" in errors()
