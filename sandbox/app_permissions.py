"""TikTok's "Manage app permissions" for a sandbox creator: remove an app's access.

A button on the creator's profile page (while TIKTOK_SANDBOX_CONTROL is on,
as the control API: a public demo's visitors are not the accounts' owners).
It revokes the tokens and sends the app the signed webhook event, as TikTok
does; the reason stands for what TikTok would report (the user disconnected,
the account was deleted, banned, ...).
"""

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from sandbox import webhooks
from sandbox.models import Account

REASONS = [
    (1, "I disconnect the app"),
    (2, "My account is deleted"),
    (3, "My age changed"),
    (4, "My account is banned"),
    (5, "The developer revokes it"),
    (0, "Unknown"),
]


def controls_on():
    """Whether the sandbox's unauthenticated controls answer: switched on, and
    never on a public demo, whatever TIKTOK_SANDBOX_CONTROL says there (the
    system check linkinbio.E003 refuses that setting too)."""
    return settings.TIKTOK_SANDBOX_CONTROL and not settings.PUBLIC_DEMO


def choices():
    """The profile page's form, or None when the controls are off."""
    if not controls_on():
        return None
    return {"reasons": REASONS, "faults": webhooks.FAULTS[1:]}


@require_POST
def remove(request, username):
    if not controls_on():
        raise Http404("No such page.")
    account = get_object_or_404(Account, username=username)
    try:
        reason = int(request.POST.get("reason", "1"))
        fault = request.POST.get("fault", "")
        revoked, deliveries = webhooks.remove_access(account, reason, fault=fault)
    except ValueError:
        messages.error(request, "Choose a reason from the list.")
        return redirect("sandbox:profile", username=username)
    told = "the app is being told" if deliveries else "the app has no webhook URL to tell"
    messages.success(request, f"Access removed: {revoked} token(s) revoked, {told}.")
    return redirect("sandbox:profile", username=username)
