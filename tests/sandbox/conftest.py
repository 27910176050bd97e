"""Personas for the sandbox tests: the product's app, Alice and Bob on TikTok."""

import pytest

from sandbox import testing


@pytest.fixture(autouse=True)
def sandbox_settings(settings):
    settings.SITE_URL = "http://127.0.0.1:8000"
    settings.TIKTOK_CLIENT_KEY = "sandbox-linkinbio"
    settings.TIKTOK_CLIENT_SECRET = "sandbox-linkinbio-secret"
    settings.TIKTOK_SANDBOX_PKCE = "hex"
    settings.TIKTOK_SANDBOX_RATE_LIMIT = 600
    settings.TIKTOK_SANDBOX_TIMEOUT_SECONDS = 0.05
    settings.TIKTOK_SANDBOX_CONTROL = True
    return settings


@pytest.fixture
def alice(db):
    return testing.create_account(
        "alice",
        display_name="Alice Martin",
        bio_description="Baking bread every Sunday",
        is_verified=True,
        follower_count=1_250_000,
        following_count=310,
        video_count=5,
    )


@pytest.fixture
def bob(db):
    return testing.create_account("bob", display_name="Bob", follower_count=12, video_count=2)


@pytest.fixture
def app_credentials():
    return {"client_key": "sandbox-linkinbio", "client_secret": "sandbox-linkinbio-secret"}
