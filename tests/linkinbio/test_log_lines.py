"""An operator reads the logs: text a stranger puts in a request or a TikTok
answer never writes a line of its own, nor reorders what they read."""

import io
import logging

import pytest

pytestmark = pytest.mark.django_db

FORGED = (
    "access_denied\n2026-11-30 03:14:15,926 CRITICAL django Database wiped by admin\r"
    "\u202eevil\u0000"
)


@pytest.fixture
def console():
    """What the site's configured console handler writes."""
    handler = logging.getHandlerByName("console")
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def test_a_forged_error_in_the_sign_in_callback_stays_on_one_line(client, console):
    start = client.post("/accounts/tiktok/login/", {"next": "/dashboard/"})
    state = start["Location"].split("state=", 1)[1].split("&", 1)[0]
    response = client.get("/accounts/tiktok/login/callback/", {"error": FORGED, "state": state})
    assert response.status_code == 400
    lines = console.getvalue().splitlines()
    failed = [line for line in lines if "Sign-in with TikTok failed" in line]
    assert len(failed) == 1
    assert not [line for line in lines if line.startswith("2026-11-30 03:14:15")]
    assert not any(ch in console.getvalue() for ch in "\r\u202e\u0000")
    assert "access_denied\\n2026-11-30" in failed[0]


def test_any_logged_message_is_one_line_but_tracebacks_keep_theirs(console):
    logger = logging.getLogger("linkinbio.anything")
    try:
        raise ValueError("boom")
    except ValueError:
        logger.exception("Profile %s failed", "bio\nINFO fake line")
    lines = console.getvalue().splitlines()
    assert lines[0].endswith("Profile bio\\nINFO fake line failed")
    assert lines[1] == "Traceback (most recent call last):"
