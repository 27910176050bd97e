"""Demo creators made through the real sign-in path, for `manage.py seed_demo`."""

import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

from django.conf import settings
from django.urls import reverse

from accounts import client
from accounts.connect import sign_in_creator
from accounts.provider import pkce_pair
from accounts.views import granted_scopes, user_info_fields


class DemoSignInFailed(Exception):
    pass


def connect_demo_creator(sandbox_username, *, scopes=None):
    """Sign a sandbox creator in as if they had pressed Allow; returns the User.

    Posts the sandbox's consent form over HTTP (the server must be running at
    SITE_URL), exchanges the code with PKCE through accounts.client, then
    creates user, connection and page exactly as the callback does and queues
    the first sync. Running it again for the same creator refreshes their
    connection and keeps their user and page.
    """
    scopes = list(scopes or settings.TIKTOK_SCOPES)
    redirect_uri = settings.SITE_URL + reverse("tiktok_callback")
    state = secrets.token_urlsafe(16)
    query = {
        "client_key": settings.TIKTOK_CLIENT_KEY,
        "scope": ",".join(scopes),
        "response_type": "code",
        "redirect_uri": redirect_uri,
        "state": state,
    }
    verifier = None
    if settings.TIKTOK_PKCE != "off":
        verifier, challenge = pkce_pair(settings.TIKTOK_PKCE)
        query.update(code_challenge=challenge, code_challenge_method="S256")
    consent = f"{settings.TIKTOK_AUTH_BASE}/v2/auth/authorize/?{urlencode(query)}"
    response = client.session.post(
        consent,
        data={"account": sandbox_username, "scope": scopes, "decision": "allow"},
        allow_redirects=False,
        timeout=(settings.TIKTOK_CONNECT_TIMEOUT, settings.TIKTOK_READ_TIMEOUT),
    )
    location = response.headers.get("Location", "")
    if response.status_code != 302 or not location.startswith(redirect_uri):
        raise DemoSignInFailed(
            f"The sandbox did not authorize @{sandbox_username} (HTTP {response.status_code})."
        )
    answer = {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}
    if answer.get("state") != state or "code" not in answer:
        raise DemoSignInFailed(f"The sandbox refused: {answer.get('error', 'no code')}.")
    token_set = client.exchange_code(
        answer["code"], redirect_uri=redirect_uri, code_verifier=verifier
    )
    token_set.scopes = granted_scopes(answer.get("scopes"), token_set.scopes)
    profile = client.user_info(token_set.access_token, user_info_fields(token_set.scopes))
    return sign_in_creator(token_set, {**profile, "open_id": token_set.open_id})
