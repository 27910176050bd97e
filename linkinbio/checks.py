"""System checks that stop a misconfigured deployment at start-up."""

from django.conf import settings
from django.core.checks import Error, Warning, register

from pages.purges import BACKENDS, backend


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
def check_public_demo_controls(app_configs, **kwargs):
    """The sandbox's controls (its JSON API and the profile pages' "Remove
    access") have no authentication: on a public demo any visitor could reset
    the sandbox, arm faults or end the others' access. The demo needs none of
    them (guests, showcase and seeding run in-process)."""
    if settings.PUBLIC_DEMO and settings.TIKTOK_SANDBOX_CONTROL:
        return [
            Error(
                "TIKTOK_SANDBOX_CONTROL is on in a public demo (PUBLIC_DEMO).",
                hint=(
                    "Set TIKTOK_SANDBOX_CONTROL=False: its controls have no authentication, "
                    "so any visitor could remove another guest's access or reset the sandbox."
                ),
                id="linkinbio.E003",
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


@register()
def check_cdn_purge(app_configs, **kwargs):
    """A purge backend that cannot load would fail every purge, silently but for the log."""
    name = settings.CDN_PURGE_BACKEND
    if not name:
        return []
    try:
        backend()
    except Exception as exc:
        return [
            Error(
                f"CDN_PURGE_BACKEND is {name!r}, which cannot be loaded ({type(exc).__name__}).",
                hint=f"Use {', '.join(BACKENDS)} or the dotted path of a class with purge().",
                id="linkinbio.E011",
            )
        ]
    needs = {"http": ["CDN_PURGE_URL"], "fastly": ["CDN_PURGE_ZONE", "CDN_PURGE_TOKEN"]}
    needs["cloudflare"] = needs["fastly"]
    missing = [setting for setting in needs.get(name, []) if not getattr(settings, setting)]
    if missing:
        return [
            Error(
                f"CDN_PURGE_BACKEND is {name!r} but {', '.join(missing)} is empty.",
                hint="docs/operations.md, 'A CDN in front', lists what each backend needs.",
                id="linkinbio.E012",
            )
        ]
    return []
