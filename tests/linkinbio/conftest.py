"""The demo's fixture: the site serving on a live server, its sandbox seeded."""

import pytest
from django.core.management import call_command

from linkinbio import demo
from sandbox import testing as sandbox
from sources.tiktok import client as tiktok
from tests.helpers import closing_session


@pytest.fixture
def demo_server(live_server, settings, monkeypatch):
    """`make run` before the demo pages: the server answers, the sandbox holds
    the demo creators and knows the server's callback."""
    monkeypatch.setattr(tiktok, "session", closing_session())
    monkeypatch.setattr(demo.requests, "get", closing_session().get)
    settings.SITE_URL = live_server.url
    settings.TIKTOK_API_BASE = settings.TIKTOK_AUTH_BASE = live_server.url + "/sandbox/tiktok"
    call_command("seed_demo", "--no-pages")
    sandbox.register_live_server(live_server.url)
    return live_server
