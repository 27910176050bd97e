"""What a creator sees when signing in with TikTok does not work out."""

import logging

from allauth.socialaccount.providers.base.constants import AuthError
from django.contrib import messages
from django.shortcuts import redirect, render

from sources.tiktok.client import OAuthError, RateLimited, ServerError
from sources.tiktok.views import SignInFailed

logger = logging.getLogger(__name__)

# What each of TikTok's OAuth error codes means for the creator, whether it
# comes back on the redirect or from the token exchange.
TIKTOK_ERRORS = {
    "invalid_grant": (
        "TikTok did not accept this sign-in: the code expired or was already used. "
        "Please start again."
    ),
    "invalid_request": (
        "TikTok refused this sign-in as incomplete: a security check of the request did "
        "not match. Please start again from this site."
    ),
    "invalid_scope": "TikTok did not accept the permissions this site asked for.",
    "invalid_client": (
        "TikTok did not recognise this site: a problem on our side, not with your account. "
        "Please try again later."
    ),
    "unauthorized_client": "TikTok does not allow this site to sign you in right now.",
    "unsupported_grant_type": "TikTok does not allow this site to sign you in this way.",
    "unsupported_response_type": "TikTok does not allow this site to sign you in this way.",
    "access_denied": (
        "TikTok did not give this site access. Check that linkinbio is allowed under "
        "Security and login › Manage app permissions in TikTok, then try again."
    ),
    "server_error": "TikTok had a problem. Please try again in a minute.",
    "temporarily_unavailable": "TikTok is busy right now. Please try again in a minute.",
}
UNKNOWN_ERROR = "TikTok did not complete the sign-in. Please try again."


def _describe(error, exception, context, request):
    """(kind, title, message, code, log_id, status) for one failure."""
    if error == AuthError.CANCELLED:
        return (
            "cancelled",
            "You did not connect TikTok",
            "Nothing was saved. You can sign in whenever you like.",
            "access_denied",
            None,
            200,
        )
    if isinstance(exception, SignInFailed):
        failure = exception.error
        if isinstance(failure, RateLimited | ServerError):
            message = "TikTok is not answering right now. Please try again in a minute."
            status = 503
        elif isinstance(failure, OAuthError):
            message = TIKTOK_ERRORS.get(failure.code, UNKNOWN_ERROR)
            status = 400
        else:
            message = "TikTok sent an answer we could not use. Please try again."
            status = 502
        return "tiktok", "Sign-in did not complete", message, failure.code, failure.log_id, status
    if exception is not None:
        return (
            "internal",
            "Sign-in did not complete",
            "Something went wrong on our side. Nothing was saved; please try again.",
            type(exception).__name__,
            None,
            500,
        )
    if "state_id" in context:
        return (
            "state",
            "This sign-in link is not valid",
            "It has expired, was already used, or was started in another browser. "
            "For your safety it was refused. Please start again from this site.",
            "bad_state",
            None,
            400,
        )
    code = str(request.GET.get("error") or "missing_code")[:64]
    message = TIKTOK_ERRORS.get(code, UNKNOWN_ERROR)
    return "tiktok", "Sign-in did not complete", message, code, None, 400


def signin_failed(request, *, error=None, exception=None, context=None):
    """The page for a failed sign-in; logs the cause (never a token or code).

    A creator who is signed in already (a grant or a reconnect) goes back to
    their dashboard, told that nothing changed.
    """
    kind, title, message, code, log_id, status = _describe(error, exception, context or {}, request)
    log = logger.info if kind == "cancelled" else logger.warning
    log("Sign-in with TikTok failed: kind=%s code=%s log_id=%s", kind, code, log_id)
    if request.user.is_authenticated:
        if kind == "cancelled":
            messages.info(request, "Nothing changed: your page keeps working as before.")
        else:
            reference = f" (reference {code}{f', TikTok log ID {log_id}' if log_id else ''})"
            messages.error(
                request, f"{message} Nothing changed: your page keeps working.{reference}"
            )
        return redirect("dashboard")
    context = {
        "kind": kind,
        "title": title,
        "message": message,
        "code": code,
        "log_id": log_id,
    }
    return render(request, "tiktok/signin_failed.html", context, status=status)
