"""The creator's own pages: sign-in, "Your data", export, pause, disconnect, delete."""

import json

from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.providers.base.constants import AuthProcess
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts import scopes
from accounts.deletion import delete_creator
from accounts.export import export_user
from accounts.models import ApiCall, TikTokConnection
from pages import cache as page_cache

HISTORY_PER_PAGE = 25
UNCONFIRMED_REVOKE = (
    "TikTok did not confirm the revocation; to be sure, remove linkinbio under "
    "Security and login › Manage app permissions in TikTok."
)


def _connection(user):
    return TikTokConnection.objects.filter(user=user).first()


def _page(user):
    from pages.models import Page

    return Page.objects.filter(user=user).first()


def signin(request):
    if request.user.is_authenticated:
        return redirect("dashboard")
    context = {
        "scopes": scopes.describe(),
        "refresh": scopes.refresh_description(),
    }
    return render(request, "accounts/signin.html", context)


@login_required
def your_data(request):
    connection = _connection(request.user)
    page = _page(request.user)
    history = Paginator(ApiCall.objects.filter(user=request.user), HISTORY_PER_PAGE)
    context = {
        "connection": connection,
        "granted": scopes.describe(connection.scopes) if connection else [],
        "missing": scopes.describe(connection.missing_scopes()) if connection else [],
        "page": page,
        "last_fetched": getattr(page, "last_synced_at", None),
        "next_fetch": page.next_refresh_at() if hasattr(page, "next_refresh_at") else None,
        "refresh": scopes.refresh_description(),
        "history": history.get_page(request.GET.get("page")),
    }
    return render(request, "accounts/your_data.html", context)


@login_required
def export(request):
    data = export_user(request.user)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False, default=str),
        content_type="application/json; charset=utf-8",
    )
    filename = f"linkinbio-{request.user.username}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _set_paused(request, paused):
    connection = _connection(request.user)
    if connection is None:
        messages.error(
            request, "Your account is not connected to TikTok, so there is nothing to sync."
        )
        return redirect("your_data")
    TikTokConnection.objects.filter(pk=connection.pk).update(sync_paused=paused)
    page_cache.publish_pages_of([request.user.pk])
    if paused:
        messages.success(
            request, "Syncing is paused: we will not fetch anything from TikTok until you resume."
        )
    else:
        messages.success(request, "Syncing is on again: your page will be refreshed from TikTok.")
    return redirect("your_data")


@login_required
@require_POST
def pause(request):
    return _set_paused(request, True)


@login_required
@require_POST
def resume(request):
    return _set_paused(request, False)


@login_required
@require_POST
def disconnect(request):
    connection = _connection(request.user)
    if connection is None or connection.status == TikTokConnection.Status.REVOKED:
        messages.info(request, "TikTok is already disconnected.")
        return redirect("your_data")
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
@require_POST
def grant(request):
    """Re-run TikTok's consent so the creator can grant the scopes they declined.

    The scopes already granted are asked for again: a TikTok token carries the
    scopes of its own authorization only, so asking for the missing ones
    alone would lose the profile scopes the page is built from.
    """
    connection = _connection(request.user)
    if connection is None:
        return redirect("signin")
    missing = connection.missing_scopes()
    if not missing:
        messages.info(request, "You have already granted everything linkinbio can use.")
        return redirect("dashboard")
    wanted = set(connection.scopes) | set(missing) | {"user.info.basic"}
    provider = get_adapter(request).get_provider(request, "tiktok")
    return provider.redirect(
        request,
        AuthProcess.LOGIN,
        next_url=reverse("dashboard"),
        scope=[scope for scope in settings.TIKTOK_SCOPES if scope in wanted],
    )


@login_required
def delete_account(request):
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            messages.error(request, "Tick the box to confirm that you want to delete your account.")
            return redirect("delete_account")
        user = request.user
        logout(request)
        confirmed = delete_creator(user)
        note = "" if confirmed else " " + UNCONFIRMED_REVOKE
        messages.success(request, "Your account, your page and all your data are deleted." + note)
        return redirect("home")
    return render(request, "accounts/delete.html", {"page": _page(request.user)})
