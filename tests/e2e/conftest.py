"""Browser stories.

The `browser`, `page` and `outside_requests` fixtures live in tests/conftest.py,
so that a browser test anywhere in the suite shares the one Playwright session.
Here: TikTok (the sandbox on the live server) with Alice's account on it, and
Alice's page already synced for the stories that start from there.
"""

import pytest
from django.db import connections

from sandbox import testing
from tests.e2e import steps
from tests.helpers import closing_session, fresh_page


@pytest.fixture
def tiktok(live_server, settings, monkeypatch):
    """TikTok is the sandbox on the live server; Alice has an account there.

    The video player is served by the sandbox too, so the page's CSP allows it.
    """
    from sources.tiktok import client

    base = live_server.url + "/sandbox/tiktok"
    settings.SITE_URL = live_server.url
    settings.TIKTOK_AUTH_BASE = settings.TIKTOK_API_BASE = settings.TIKTOK_PLAYER_BASE = base
    settings.SECURE_CSP = {**settings.SECURE_CSP, "frame-src": [base + "/"]}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    if connections["default"].vendor == "postgresql":
        # Live-server threads close their connections after each request, so
        # the test database can be dropped at the end.
        monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)
    monkeypatch.setattr(client, "session", closing_session())
    testing.register_live_server(live_server.url)
    testing.create_account(
        steps.CREATOR,
        display_name="Alice Dances",
        bio_description="New choreography every Friday",
        is_verified=True,
        follower_count=48_200,
        video_count=6,
    )
    yield base
    client.session.close()


@pytest.fixture
def synced_creator(tiktok):
    """Alice signed in with TikTok once (all scopes) and her first sync ran."""
    from linkinbio.demo import connect_demo_creator

    user = connect_demo_creator(steps.CREATOR)
    steps.run_tasks()
    return user


@pytest.fixture
def alice(page, live_server, tiktok):
    """Alice signed in with TikTok in the browser (all scopes) and her first sync ran.

    Returns her browser page, on her dashboard.
    """
    steps.sign_in_with_tiktok(page, live_server)
    steps.run_tasks()
    page.reload()
    return page


@pytest.fixture
def visitor(browser):
    """A visitor's own browser: no cookies, nothing cached."""
    with fresh_page(browser) as page:
        yield page
