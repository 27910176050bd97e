"""TikTok's API for the accounts tests: a `responses` mock at hosts nothing
listens on (tests/helpers.py has the answers TikTok sends)."""

import pytest
import responses

from tests.helpers import ALL_SCOPES, API, AUTH


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
