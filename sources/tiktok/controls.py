"""The creator's controls over their TikTok connection, on "Your data":
pause and resume syncing, disconnect, grant what was declined."""

from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.providers.base.constants import AuthProcess
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from sources.tiktok.models import TikTokConnection

# The sign-in state's key for the scopes a grant asked for.
GRANTING = "granting"

UNCONFIRMED_REVOKE = (
    "TikTok did not confirm the revocation; to be sure, remove linkinbio under "
    "Security and login › Manage app permissions in TikTok."
)


def _set_paused(request, paused):
    connection = TikTokConnection.of(request.user)
    if connection is None:
        messages.error(
            request, "Your account is not connected to TikTok, so there is nothing to sync."
        )
        return redirect("your_data")
    TikTokConnection.objects.filter(pk=connection.pk).set_sync_paused(paused)
    if paused:
        messages.success(
            request, "Syncing is paused: we will not fetch anything from TikTok until you resume."
        )
    else:
        messages.success(request, "Syncing is on again: your page will be refreshed from TikTok.")
    return redirect("your_data")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def pause(request):
    if request.method != "POST":  # a reload, the address bar: the screen the button is on
        return redirect("your_data")
    return _set_paused(request, True)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def resume(request):
    if request.method != "POST":
        return redirect("your_data")
    return _set_paused(request, False)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def disconnect(request):
    """GET asks first (what disconnecting does); POST disconnects."""
    connection = TikTokConnection.of(request.user)
    if connection is None or connection.status == TikTokConnection.Status.REVOKED:
        messages.info(request, "TikTok is already disconnected.")
        return redirect("your_data")
    if request.method != "POST":
        return render(request, "tiktok/disconnect.html")
    if connection.disconnect():
        messages.success(
            request,
            "TikTok is disconnected: we revoked our access and deleted the tokens. "
            "Your page stays with its last data; sign in with TikTok to reconnect.",
        )
    else:
        messages.warning(
            request,
            "TikTok is disconnected and our tokens are deleted. " + UNCONFIRMED_REVOKE,
        )
    return redirect("your_data")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def grant(request):
    """Re-run TikTok's consent so the creator can grant the scopes they declined.

    The scopes already granted are asked for again: a TikTok token carries the
    scopes of its own authorization only, so asking for the missing ones
    alone would lose the profile scopes the page is built from.
    """
    if request.method != "POST":
        return redirect("your_data")
    connection = TikTokConnection.of(request.user)
    if connection is None:
        return redirect("signin")
    missing = connection.missing_scopes()
    if connection.needs_permission:
        # TikTok says the token lacks a scope, whatever the stored list says:
        # ask for all of them again.
        missing = list(settings.TIKTOK_SCOPES)
    if not missing:
        messages.info(request, "You have already granted everything linkinbio can use.")
        return redirect("dashboard")
    wanted = set(connection.scopes) | set(missing) | {"user.info.basic"}
    asked = [scope for scope in settings.TIKTOK_SCOPES if scope in wanted]
    provider = get_adapter(request).get_provider(request, "tiktok")
    # The way back says what TikTok granted of what was asked (adapter.py).
    return provider.redirect(
        request,
        AuthProcess.LOGIN,
        next_url=reverse("dashboard"),
        data={GRANTING: asked},
        scope=asked,
    )
