"""A visitor presses play in a real browser (Debian's Chromium)."""

import pytest

from tests.pages.conftest import sync


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_visitor_presses_play_and_only_then_gets_the_player(
    live_server, settings, alice, tiktok, closing_connections, page
):
    player_base = f"{live_server.url}/player-host"
    settings.TIKTOK_PLAYER_BASE = player_base
    settings.SECURE_CSP = {**settings.SECURE_CSP, "frame-src": [player_base + "/"]}
    sync(alice)
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{live_server.url}/@alice")
    assert page.locator("iframe").count() == 0
    assert not [url for url in requests if "/player-host/" in url]
    page.get_by_role("link", name="Play video: Video number 5").click()
    frame = page.locator("iframe.pf-frame")
    frame.wait_for()
    assert frame.get_attribute("src").startswith(f"{player_base}/player/v1/")
    assert page.locator(".pf-title", has_text="Video number 5").count() == 1
