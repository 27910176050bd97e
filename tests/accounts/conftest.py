"""Personas and TikTok answers shared by the accounts tests.

Alice is a creator with a healthy TikTok connection; Bob is another creator.
`tiktok` is the `responses` mock of TikTok's API at settings.TIKTOK_API_BASE.
"""

from datetime import timedelta

import pytest
import responses
from django.utils import timezone

from accounts.client import TokenSet
from accounts.models import TikTokConnection, User

API = "http://127.0.0.1:9/tiktok-api"
AUTH = "http://127.0.0.1:9/tiktok-web"
ALL_SCOPES = ["user.info.basic", "user.info.profile", "user.info.stats", "video.list"]


@pytest.fixture(autouse=True)
def tiktok_hosts(settings):
    settings.TIKTOK_API_BASE = API
    settings.TIKTOK_AUTH_BASE = AUTH
    settings.TIKTOK_SCOPES = list(ALL_SCOPES)
    settings.TIKTOK_PKCE = "hex"


@pytest.fixture
def tiktok():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def envelope(data=None, code="ok", message="", log_id="log-ok-1"):
    return {"data": data or {}, "error": {"code": code, "message": message, "log_id": log_id}}


def token_answer(access="act.alice-1", refresh="rft.alice-1", open_id="oid-alice", scope=None):
    return {
        "access_token": access,
        "expires_in": 86400,
        "open_id": open_id,
        "refresh_expires_in": 31536000,
        "refresh_token": refresh,
        "scope": scope or ",".join(ALL_SCOPES),
        "token_type": "Bearer",
    }


def make_creator(username, open_id, *, access, refresh, scopes=None, expires_in=3600):
    user = User.objects.create(username=username)
    user.set_unusable_password()
    user.save()
    connection = TikTokConnection(user=user, open_id=open_id)
    connection.set_tokens(
        TokenSet(
            access_token=access,
            refresh_token=refresh,
            open_id=open_id,
            scopes=scopes or list(ALL_SCOPES),
            expires_in=expires_in,
            refresh_expires_in=31536000,
        )
    )
    connection.save()
    return user


@pytest.fixture
def alice(db):
    return make_creator("alice", "oid-alice", access="act.alice-1", refresh="rft.alice-1")


@pytest.fixture
def bob(db):
    return make_creator("bob", "oid-bob", access="act.bob-1", refresh="rft.bob-1")


def expire_access(user):
    TikTokConnection.objects.filter(user=user).update(
        access_expires_at=timezone.now() - timedelta(minutes=5)
    )
