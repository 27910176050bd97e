"""The TikTok provider's views: the OAuth2 adapter, login and callback.

Token exchange and user/info go through client.py, so every call is
logged and every failure is typed. The tokens never reach allauth's token
table or the session: they travel on the SocialLogin to the adapter, which
stores them encrypted on the creator's TikTokConnection.
"""

import contextlib
import hashlib
import ipaddress
import time
from dataclasses import dataclass

from allauth.socialaccount.providers.base import ProviderException
from allauth.socialaccount.providers.oauth2.client import OAuth2Client
from allauth.socialaccount.providers.oauth2.views import (
    OAuth2Adapter,
    OAuth2CallbackView,
    OAuth2LoginView,
)
from allauth.utils import get_request_param
from axes.helpers import get_client_ip_address
from django.conf import settings
from django.core.cache import cache
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from sources.tiktok import client as tiktok
from sources.tiktok.client import TikTokError, TokenSet, parse_scopes
from sources.tiktok.scopes import user_info_fields


class SignInFailed(ProviderException):
    """A TikTok call during sign-in failed; .error is the client's TikTokError."""

    def __init__(self, error):
        self.error = error
        super().__init__(str(error))


@dataclass
class TikTokSignIn:
    """What a successful round trip brought back, for the adapter to store."""

    token_set: TokenSet
    profile: dict


def granted_scopes(callback_scopes, token_scopes):
    """The scopes the creator actually granted.

    Both the callback's `scopes` and the token's `scope` say it; when both are
    there, only scopes in both count, so user/info is never asked for a field
    the token cannot read.
    """
    callback_scopes = parse_scopes(callback_scopes)
    token_scopes = parse_scopes(token_scopes)
    if callback_scopes and token_scopes:
        both = [scope for scope in token_scopes if scope in callback_scopes]
        return both or token_scopes
    return token_scopes or callback_scopes or ["user.info.basic"]


class TikTokOAuth2Client(OAuth2Client):
    client_id_parameter = "client_key"

    def get_redirect_url(self, authorization_url, scope, extra_params):
        # Keep the scopes in their configured order (allauth joins a set).
        ours = {
            self.client_id_parameter: self.consumer_key,
            "scope": self.scope_delimiter.join(dict.fromkeys(scope)),
            "response_type": "code",
            "redirect_uri": self.callback_url,
        }
        if self.state:
            ours["state"] = self.state
        # Extra parameters (PKCE, a request's auth_params) never replace ours:
        # the redirect URI and the state are what make the round trip safe.
        params = {**extra_params, **ours}
        return f"{authorization_url}?{urlencode(params)}"

    def get_access_token(self, code, pkce_code_verifier=None, extra_data=None):
        raise NotImplementedError("TikTok tokens are fetched by sources.tiktok.client")


class TikTokOAuth2Adapter(OAuth2Adapter):
    provider_id = "tiktok"
    client_class = TikTokOAuth2Client
    scope_delimiter = ","
    login_cancelled_error = "access_denied"

    @property
    def authorize_url(self):
        return f"{settings.TIKTOK_AUTH_BASE}/v2/auth/authorize/"

    @property
    def access_token_url(self):
        return f"{settings.TIKTOK_API_BASE}/v2/oauth/token/"

    @property
    def profile_url(self):
        return f"{settings.TIKTOK_API_BASE}/v2/user/info/"

    def get_callback_url(self, request, app):
        # Exactly the URI registered with TikTok, whatever host the browser used.
        return settings.SITE_URL + reverse("tiktok_callback")

    def get_access_token_data(self, request, app, client, pkce_code_verifier=None):
        code = get_request_param(request, "code")
        try:
            self.token_set = tiktok.exchange_code(
                code,
                redirect_uri=self.get_callback_url(request, app),
                code_verifier=pkce_code_verifier,
            )
        except TikTokError as exc:
            raise SignInFailed(exc) from exc
        self.did_fetch_access_token = True
        # allauth builds an (unsaved) SocialToken from this; keep the secrets out of it.
        return {"access_token": "", "expires_in": self.token_set.expires_in}

    def complete_login(self, request, app, token, **kwargs):
        token_set = self.token_set
        token_set.scopes = granted_scopes(request.GET.get("scopes"), token_set.scopes)
        try:
            profile = tiktok.user_info(token_set.access_token, user_info_fields(token_set.scopes))
        except TikTokError as exc:
            raise SignInFailed(exc) from exc
        if str(profile.get("open_id") or token_set.open_id) != token_set.open_id:
            raise SignInFailed(
                tiktok.BadResponse("open_id_mismatch", "user/info named another account.")
            )
        profile = {**profile, "open_id": token_set.open_id}
        login = self.get_provider().sociallogin_from_response(request, profile)
        login.tiktok = TikTokSignIn(token_set=token_set, profile=profile)
        return login


class TikTokLoginView(OAuth2LoginView):
    def dispatch(self, request, *args, **kwargs):
        # Leaving for TikTok is a POST from the sign-in page (login CSRF safe);
        # a GET shows that page, which says what will be asked and why.
        if request.method != "POST":
            return redirect("signin")
        if _without_session(request):
            if not _admit_new_sign_in(request):
                return _too_many_sign_ins(request)
            # The session carries only the OAuth state, which allauth keeps
            # ten minutes: it lives as long, unless the creator signs in.
            request.session[SIGN_IN_ONLY] = True
            request.session.set_expiry(SIGN_IN_SESSION_SECONDS)
        return super().dispatch(request, *args, **kwargs)


# A sign-in started without a session makes one, in the database, to carry
# the OAuth state; a script posting the form without sending the cookie back
# would make one a request. So each client address (an IPv6 one by its /64)
# may start NEW_SIGN_INS_PER_CLIENT such sign-ins in SIGN_IN_WINDOW_SECONDS,
# and their sessions expire soon (linkinbio.jobs.clear_expired_sessions
# deletes them). A browser that comes back with its session is not counted.
NEW_SIGN_INS_PER_CLIENT = 20
SIGN_IN_WINDOW_SECONDS = 600
SIGN_IN_SESSION_SECONDS = 900
SIGN_IN_ONLY = "tiktok_sign_in_only"
TOO_MANY_SIGN_INS = (
    "Many sign-ins were started from your network in the last few minutes, so this one "
    "was not. Please try again in {minutes} minutes."
)


def _without_session(request):
    request.session.get(SIGN_IN_ONLY)  # loads it: a key the store does not know is dropped
    return request.session.session_key is None


def _admit_new_sign_in(request):
    address = get_client_ip_address(request) or ""
    with contextlib.suppress(ValueError):
        ip = ipaddress.ip_address(address)
        if ip.version == 6 and not ip.ipv4_mapped:
            address = str(ipaddress.ip_network(f"{ip}/64", strict=False))
    client = hashlib.blake2b(address.encode(), key=settings.SECRET_KEY.encode()[:64])
    window = int(time.time() // SIGN_IN_WINDOW_SECONDS)
    key = f"tiktok:signins:{client.hexdigest()[:24]}:{window}"
    cache.add(key, 0, SIGN_IN_WINDOW_SECONDS)
    try:
        return cache.incr(key) <= NEW_SIGN_INS_PER_CLIENT
    except ValueError:  # evicted, or the cache is away: a limit that cannot count lets it be
        return True


def _too_many_sign_ins(request):
    context = {
        "kind": "limit",
        "title": "Please wait a few minutes",
        "message": TOO_MANY_SIGN_INS.format(minutes=SIGN_IN_WINDOW_SECONDS // 60),
        "code": "too_many_sign_ins",
    }
    response = render(request, "tiktok/signin_failed.html", context, status=429)
    response["Retry-After"] = str(SIGN_IN_WINDOW_SECONDS)
    return response


oauth2_login = TikTokLoginView.adapter_view(TikTokOAuth2Adapter)
oauth2_callback = OAuth2CallbackView.adapter_view(TikTokOAuth2Adapter)
