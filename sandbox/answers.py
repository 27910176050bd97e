"""TikTok's answer shapes: the data envelope, flat OAuth errors, log ids, faults."""

import secrets
import time
from functools import wraps

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from sandbox.models import CallCounter, Fault

MESSAGES = {
    "ok": "",
    "access_token_invalid": "The access token is invalid or not found in the request.",
    "scope_not_authorized": (
        "The user did not authorize the scope required for completing this request."
    ),
    "scope_permission_missed": (
        "The access token is missing a scope some of the requested fields need."
    ),
    "invalid_params": "The request parameters are invalid.",
    "rate_limit_exceeded": "The API rate limit was exceeded. Please retry later.",
    "internal_error": "Something went wrong. Please try again later.",
}
STATUS = {
    "ok": 200,
    "access_token_invalid": 401,
    "scope_not_authorized": 401,
    "scope_permission_missed": 400,
    "invalid_params": 400,
    "rate_limit_exceeded": 429,
    "internal_error": 500,
}
# error_description of TikTok's OAuth error categories, for the oauth_error fault.
OAUTH_DESCRIPTIONS = {
    "invalid_request": "The request misses a required parameter or is otherwise malformed.",
    "invalid_grant": "The authorization grant or refresh token is invalid, expired or revoked.",
    "invalid_client": "Client authentication failed.",
    "unauthorized_client": "The client is not authorized to request an authorization code.",
    "unsupported_grant_type": "The authorization grant type is not supported.",
    "invalid_scope": "The requested scope is invalid, unknown, or malformed.",
    "access_denied": "The resource owner or authorization server denied the request.",
    "server_error": "The authorization server encountered an unexpected condition.",
    "temporarily_unavailable": "The authorization server is temporarily unavailable.",
}
MAX_SLOW_SECONDS = 120.0


def new_log_id():
    """A log id shaped like TikTok's: the time, then hex."""
    return timezone.now().strftime("%Y%m%d%H%M%S") + secrets.token_hex(9).upper()


def _json(body, status, log_id):
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    response["X-Tt-Logid"] = log_id
    response["Cache-Control"] = "no-store"
    return response


def envelope(request, data=None, code="ok", message=None):
    """A data endpoint's answer: {"data": ..., "error": {"code", "message", "log_id"}}."""
    error = {
        "code": code,
        "message": MESSAGES.get(code, "") if message is None else message,
        "log_id": request.log_id,
    }
    return _json({"data": data or {}, "error": error}, STATUS.get(code, 400), request.log_id)


def oauth_answer(request, body, status=200):
    return _json(body, status, request.log_id)


def oauth_error(request, error, description, status=200):
    """A token/revoke error: flat, and usually HTTP 200."""
    body = {"error": error, "error_description": description, "log_id": request.log_id}
    return _json(body, status, request.log_id)


def _is_oauth(endpoint):
    return endpoint.startswith("oauth.")


def fault_response(request, endpoint, fault, view):
    """Answer the way the armed fault says."""
    oauth = _is_oauth(endpoint)
    if fault.kind == "slow":
        time.sleep(max(0.0, min(fault.delay, MAX_SLOW_SECONDS)))
        return view(request)
    if fault.kind == "timeout":
        time.sleep(settings.TIKTOK_SANDBOX_TIMEOUT_SECONDS)
        return HttpResponse(
            "<html><body><h1>504 Gateway Time-out</h1></body></html>",
            status=504,
            content_type="text/html",
        )
    if fault.kind == "malformed":
        variant = fault.variant or ("html" if fault.used % 2 else "truncated")
        if variant == "html":
            return HttpResponse(
                "<html><head><title>502 Bad Gateway</title></head>"
                "<body><center><h1>502 Bad Gateway</h1></center></body></html>",
                status=502,
                content_type="text/html",
            )
        answer = view(request)
        body = answer.content[: max(1, len(answer.content) // 2)]
        return HttpResponse(body, status=200, content_type="application/json")
    if fault.kind == "rate_limit":
        if oauth:
            return oauth_error(request, "rate_limit_exceeded", MESSAGES["rate_limit_exceeded"], 429)
        return envelope(request, code="rate_limit_exceeded")
    if fault.kind == "api_error":
        return envelope(request, code=fault.error)
    if fault.kind == "oauth_error":
        description = OAUTH_DESCRIPTIONS.get(fault.error, "The request could not be completed.")
        return oauth_error(request, fault.error, description, fault.status)
    if fault.kind == "empty_body":
        view(request)
        return HttpResponse(b"", status=200)
    if fault.kind == "token_invalid":
        if oauth:
            return oauth_error(request, "invalid_grant", "The token is invalid or expired.")
        return envelope(request, code="access_token_invalid")
    # server_error
    if oauth:
        return oauth_error(request, "internal_error", MESSAGES["internal_error"], 500)
    return envelope(request, code="internal_error")


class Answered(Exception):
    """A fault armed for the caller's account answers instead of the endpoint."""

    def __init__(self, response):
        super().__init__("answered by a fault")
        self.response = response


def account_fault(request, username):
    """Raise Answered when a fault is armed for this endpoint and this account."""
    fault = Fault.claim(request.sandbox_endpoint, account=username)
    if fault is not None:
        raise Answered(fault_response(request, request.sandbox_endpoint, fault, None))


def endpoint(name):
    """Count every call to a TikTok endpoint, give it a log id, apply armed faults."""

    def decorator(view):
        @csrf_exempt
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            request.log_id = new_log_id()
            request.sandbox_endpoint = name
            CallCounter.bump(name)
            fault = Fault.claim(name)
            if fault is not None:
                return fault_response(request, name, fault, lambda r: view(r, *args, **kwargs))
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
