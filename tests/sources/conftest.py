"""TikTok's API for the sources tests, as for the accounts tests."""

from tests.accounts.conftest import tiktok, tiktok_hosts  # noqa: F401  (fixtures)
