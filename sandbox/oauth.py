"""Login Kit: the consent screen, the token endpoint (both grants) and revoke."""

import base64
import hashlib
import hmac
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from sandbox import guests, media
from sandbox.answers import endpoint, oauth_answer, oauth_error
from sandbox.models import REQUIRED_SCOPE, SCOPES, AuthCode, Client, RateWindow, Token


class AuthorizeProblem(Exception):
    """A request that must not go back to the redirect URI: a 400 page."""


def _redirect(redirect_uri, **params):
    separator = "&" if "?" in redirect_uri else "?"
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return HttpResponseRedirect(f"{redirect_uri}{separator}{query}")


def _authorize_request(request):
    """Check the query: (client, redirect_uri, scopes, challenge), or a redirect with an error."""
    query = request.GET
    client = Client.lookup(query.get("client_key", ""))
    if client is None:
        raise AuthorizeProblem("This app is not registered: the client_key is unknown.")
    redirect_uri = query.get("redirect_uri", "")
    if redirect_uri not in client.redirect_uris:
        raise AuthorizeProblem(
            "The redirect_uri does not match any redirect URI registered for this app."
        )
    state = query.get("state")
    if query.get("response_type") != "code":
        return _redirect(
            redirect_uri,
            error="unsupported_response_type",
            error_description="response_type must be code.",
            state=state,
        )
    scopes = list(dict.fromkeys(s.strip() for s in query.get("scope", "").split(",") if s.strip()))
    if not scopes or any(s not in SCOPES or s not in client.scope_list for s in scopes):
        return _redirect(
            redirect_uri,
            error="invalid_scope",
            error_description="The scope is missing, unknown, or not approved for this app.",
            state=state,
        )
    challenge = query.get("code_challenge", "")
    method = query.get("code_challenge_method", "")
    # TikTok refuses web logins without PKCE (observed 2024-2026, though its
    # Login Kit for Web page does not list it); "optional" admits them.
    required = settings.TIKTOK_SANDBOX_PKCE != "optional"
    if (challenge or method or required) and (not challenge or method != "S256"):
        return _redirect(
            redirect_uri,
            error="invalid_request",
            error_description="code_challenge with code_challenge_method=S256 is required.",
            state=state,
        )
    return client, redirect_uri, scopes, challenge


def _consent_csp(redirect_uri):
    # The form's redirect leads to the app: allow that origin as a form target.
    parts = urlsplit(redirect_uri)
    policy = dict(settings.SECURE_CSP)
    policy["form-action"] = ["'self'", f"{parts.scheme}://{parts.netloc}"]
    return policy


def _consent_page(request, client, redirect_uri, scopes, error="", status=200):
    accounts, chosen = guests.choices(request)
    chosen = request.POST.get("account", "") or chosen
    granted = request.POST.getlist("scope") if request.method == "POST" else scopes
    ctx = {
        "client": client,
        "accounts": [(a, media.avatar_url(request, a, "avatar_url_100")) for a in accounts],
        "chosen": chosen,
        "new": guests.NEW,
        "public_demo": settings.PUBLIC_DEMO,
        "guest_hours": settings.SANDBOX_GUEST_HOURS,
        "scopes": [
            {
                "name": scope,
                "reveals": SCOPES[scope],
                "required": scope == REQUIRED_SCOPE,
                "on": scope == REQUIRED_SCOPE or scope in granted,
            }
            for scope in scopes
        ],
        "error": error,
        "redirect_host": urlsplit(redirect_uri).netloc,
    }
    response = render(request, "sandbox/consent.html", ctx, status=status)
    response._csp_config = _consent_csp(redirect_uri)
    response["Cache-Control"] = "no-store"
    return response


def _problem_page(request, message, status):
    return render(request, "sandbox/authorize_error.html", {"message": message}, status=status)


@csrf_exempt
def authorize(request):
    """GET: the consent screen. POST (same URL): the user's decision, back to the app."""
    if request.method not in ("GET", "POST"):
        return _problem_page(request, "Use GET or POST.", 405)
    try:
        checked = _authorize_request(request)
    except AuthorizeProblem as problem:
        return _problem_page(request, str(problem), 400)
    if isinstance(checked, HttpResponseRedirect):
        return checked
    client, redirect_uri, scopes, challenge = checked
    if request.method == "GET":
        return _consent_page(request, client, redirect_uri, scopes)

    state = request.GET.get("state")
    if request.POST.get("decision") != "allow":
        return _redirect(
            redirect_uri,
            error="access_denied",
            error_description="The user denied the authorization request.",
            state=state,
        )
    try:
        account = guests.account_for(request, request.POST.get("account", ""))
    except guests.GuestRefused as refused:
        return _consent_page(request, client, redirect_uri, scopes, str(refused), refused.status)
    if account is None:
        return _consent_page(
            request, client, redirect_uri, scopes, "Choose an account to continue.", 400
        )
    # The screen always posts the required scope; a post without any scope field
    # comes from a script and gets the screen's defaults (everything on).
    left_on = set(request.POST.getlist("scope")) if "scope" in request.POST else set(scopes)
    granted = [s for s in scopes if s == REQUIRED_SCOPE or s in left_on]
    code = AuthCode.issue(client, account, redirect_uri, granted, challenge)
    response = _redirect(redirect_uri, code=code.code, scopes=",".join(granted), state=state)
    guests.remember(response, account, path=request.path.split("/v2/", 1)[0] + "/")
    return response


def pkce_matches(verifier, challenge):
    """TikTok's challenge is the hex SHA-256 of the verifier; base64url (RFC 7636) by setting."""
    digest = hashlib.sha256(verifier.encode()).digest()
    accepted = [digest.hex()]
    if settings.TIKTOK_SANDBOX_PKCE == "base64url":
        accepted.append(base64.urlsafe_b64encode(digest).rstrip(b"=").decode())
    return any(hmac.compare_digest(a, challenge) for a in accepted)


def _client_or_error(request):
    client = Client.lookup(request.POST.get("client_key", ""))
    if client is None or not client.check_secret(request.POST.get("client_secret")):
        return None, oauth_error(request, "invalid_client", "Client key or secret is invalid.")
    return client, None


def _exchange_code(request, client):
    value = request.POST.get("code", "")
    if not value:
        return oauth_error(request, "invalid_request", "code is required.")
    code = AuthCode.objects.filter(code=value).select_related("account").first()
    if code is None or code.client_id != client.pk:
        return oauth_error(request, "invalid_grant", "Authorization code is expired or invalid.")
    if code.used_at is not None:
        code.spend()
        return oauth_error(request, "invalid_grant", "Authorization code has been used.")
    if code.expires_at <= timezone.now():
        return oauth_error(request, "invalid_grant", "Authorization code is expired or invalid.")
    if request.POST.get("redirect_uri", "") != code.redirect_uri:
        return oauth_error(request, "invalid_request", "redirect_uri does not match the code.")
    if code.code_challenge and not pkce_matches(
        request.POST.get("code_verifier", ""), code.code_challenge
    ):
        return oauth_error(
            request, "invalid_request", "Code verifier or code challenge is invalid."
        )
    if not code.spend():
        return oauth_error(request, "invalid_grant", "Authorization code has been used.")
    guests.keep_guest(code.account)
    return oauth_answer(request, Token.issue_pair(client, code.account, code.scopes, code=code))


def _refresh(request, client):
    value = request.POST.get("refresh_token", "")
    if not value:
        return oauth_error(request, "invalid_request", "refresh_token is required.")
    old = Token.objects.filter(value=value, kind=Token.REFRESH).select_related("account").first()
    if old is None or old.client_id != client.pk or not old.is_valid or not old.spend():
        return oauth_error(request, "invalid_grant", "Refresh token is invalid or expired.")
    # The new refresh token ends when the first one of this authorization does.
    answer = Token.issue_pair(
        client, old.account, old.scopes, code=old.code, refresh_until=old.expires_at
    )
    return oauth_answer(request, answer)


@endpoint("oauth.token")
def token(request):
    """Exchange a code, or a refresh token, for a new access and refresh token."""
    if request.method != "POST":
        return oauth_error(request, "invalid_request", "Use POST.", 405)
    # Only a known app's requests count against its limit: a stranger naming
    # the (public) client key cannot use up the app's sign-ins.
    client, error = _client_or_error(request)
    if error:
        return error
    if not RateWindow.admit(client.client_key, "oauth.token"):
        return oauth_error(request, "rate_limit_exceeded", "Too many requests.", 429)
    grant_type = request.POST.get("grant_type", "")
    if grant_type == "authorization_code":
        return _exchange_code(request, client)
    if grant_type == "refresh_token":
        return _refresh(request, client)
    return oauth_error(request, "unsupported_grant_type", "grant_type is not supported.")


@endpoint("oauth.revoke")
def revoke(request):
    """Invalidate every token of that user for that app; answers {} (the fault
    `empty_body` answers an empty body, as TikTok may)."""
    if request.method != "POST":
        return oauth_error(request, "invalid_request", "Use POST.", 405)
    client, error = _client_or_error(request)
    if error:
        return error
    if not RateWindow.admit(client.client_key, "oauth.revoke"):
        return oauth_error(request, "rate_limit_exceeded", "Too many requests.", 429)
    value = request.POST.get("token", "")
    if not value:
        return oauth_error(request, "invalid_request", "token is required.")
    token = Token.objects.filter(value=value, client=client).first()
    if token is not None:
        Token.objects.filter(client=client, account_id=token.account_id).update(revoked=True)
    return oauth_answer(request, {})
