"""System checks that stop a misconfigured deployment at start-up."""

from django.conf import settings
from django.core.checks import Error, Warning, register


@register()
def check_tiktok_sandbox(app_configs, **kwargs):
    sandbox_in_production = settings.TIKTOK_SANDBOX and not settings.DEBUG
    if sandbox_in_production and not settings.TIKTOK_SANDBOX_ALLOW_PRODUCTION:
        return [
            Error(
                "The TikTok sandbox is on while DEBUG is off.",
                hint=(
                    "Set TIKTOK_SANDBOX=False and real TIKTOK_CLIENT_KEY / "
                    "TIKTOK_CLIENT_SECRET in production, or TIKTOK_SANDBOX_ALLOW_PRODUCTION=True "
                    "for a public demo."
                ),
                id="linkinbio.E001",
            )
        ]
    return []


@register()
def check_tiktok_credentials(app_configs, **kwargs):
    if not settings.TIKTOK_SANDBOX and not settings.TIKTOK_CLIENT_SECRET:
        return [
            Warning(
                "TIKTOK_CLIENT_SECRET is empty and the sandbox is off: sign-in cannot work.",
                hint="Set TIKTOK_CLIENT_KEY and TIKTOK_CLIENT_SECRET (TikTok developer portal).",
                id="linkinbio.W001",
            )
        ]
    return []


@register()
def check_pkce_setting(app_configs, **kwargs):
    if settings.TIKTOK_PKCE not in ("hex", "base64url", "off"):
        return [
            Error(
                f"TIKTOK_PKCE is {settings.TIKTOK_PKCE!r}.",
                hint="Use hex (TikTok's published form), base64url (RFC 7636) or off.",
                id="linkinbio.E002",
            )
        ]
    return []
