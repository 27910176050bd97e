"""The TikTok provider's views: the OAuth2 adapter, login and callback.

Token exchange and user/info go through client.py, so every call is
logged and every failure is typed. The tokens never reach allauth's token
table or the session: they travel on the SocialLogin to the adapter, which
stores them encrypted on the creator's TikTokConnection.
"""

from dataclasses import dataclass

from allauth.socialaccount.providers.base import ProviderException
from allauth.socialaccount.providers.oauth2.client import OAuth2Client
from allauth.socialaccount.providers.oauth2.views import (
    OAuth2Adapter,
    OAuth2CallbackView,
    OAuth2LoginView,
)
from allauth.utils import get_request_param
from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from accounts.tiktok import client as tiktok
from accounts.tiktok.client import TikTokError, TokenSet, parse_scopes
from accounts.tiktok.scopes import user_info_fields


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
        raise NotImplementedError("TikTok tokens are fetched by accounts.tiktok.client")


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
        return super().dispatch(request, *args, **kwargs)


oauth2_login = TikTokLoginView.adapter_view(TikTokOAuth2Adapter)
oauth2_callback = OAuth2CallbackView.adapter_view(TikTokOAuth2Adapter)
