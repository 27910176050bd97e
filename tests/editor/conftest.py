"""The same creators, visitor and fake TikTok as the pages tests."""

from tests.pages.conftest import (  # noqa: F401  (fixtures)
    alice,
    alice_client,
    bob,
    bob_client,
    closing_connections,
    empty_queue,
    pages_settings,
    tiktok,
    visitor,
)
