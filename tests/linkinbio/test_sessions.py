"""A session cookie Django could not have made names no session: whoever
sends it gets the page, signed out, and the database is not asked (a NUL
byte in it, which PostgreSQL refuses in a query, answered 500 on every page
that reads the session)."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.helpers import make_creator

pytestmark = pytest.mark.django_db

MADE_UP_KEYS = [
    "\x00" * 8,
    "abcdefgh\x00",
    "abcdefgh" + "\x00" * 32,
    "ABCDEFGHIJKLMNOP",
    "a" * 41,
    "a" * 10_000,
    "\u00e9" * 12,
    "abcd efgh ijkl",
]


@pytest.mark.parametrize("key", MADE_UP_KEYS)
def test_a_made_up_session_cookie_is_no_session(key):
    visitor = Client(HTTP_COOKIE=f"sessionid={key}")
    home = visitor.get("/")
    assert home.status_code == 200
    assert "Sign in with TikTok" in home.content.decode()
    assert visitor.get("/@nobody").status_code == 404
    assert visitor.get("/dashboard/")["Location"].startswith("/signin/")
    with CaptureQueriesContext(connection) as queries:
        visitor.get("/signin/")
    assert not any("django_session" in query["sql"] for query in queries)


def test_a_creators_own_session_still_signs_them_in():
    alice = Client()
    alice.force_login(make_creator("alice", page=True))
    assert alice.get("/dashboard/").status_code == 200
