"""Whatever a visitor (or a scanner) puts after the `?` of a page address, the
answer is the page, a redirect or a 404: never a server error."""

from urllib.parse import quote, quote_from_bytes

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pages import publish
from pages.models import Link
from tests.helpers import BROWSER, page_of, sync

pytestmark = pytest.mark.django_db

# Digits to Python's str.isdigit() and int(), not to a URL.
UNICODE_DIGITS = ["²", "①", "٣", "３", "߁", "𝟐", "1²", "¹", "᠑"]


@pytest.fixture
def alice_page(alice, tiktok, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sync(alice)
    page = page_of(alice)
    Link.objects.create(page=page, title="My merch shop", url="https://shop.example.com")
    publish.page_changed(page)
    return page


@pytest.mark.parametrize("digit", UNICODE_DIGITS)
def test_a_screen_number_in_other_digits_is_not_found(alice_page, visitor, digit):
    assert visitor.get("/@alice").status_code == 200  # warm
    assert visitor.get("/@alice", {"page": digit}).status_code == 404
    assert visitor.get("/@nobody", {"page": digit}).status_code == 404
    assert visitor.get("/@alice", {"page": "1"}).status_code == 200


def test_a_screen_number_with_a_thousand_digits_is_not_found(alice_page, visitor):
    assert visitor.get("/@alice", {"page": "9" * 1000}).status_code == 404


@settings(suppress_health_check=list(HealthCheck))
@given(
    st.one_of(
        st.text().map(lambda text: quote(text, safe="=&;%+?#/")),
        st.binary().map(quote_from_bytes),
        st.dictionaries(st.text(max_size=8), st.text(max_size=8), max_size=4).map(
            lambda pairs: "&".join(f"{quote(k)}={quote(v)}" for k, v in pairs.items())
        ),
        st.text(max_size=6).map(lambda text: "page=" + quote(text)),
    )
)
def test_no_query_string_breaks_a_public_page(alice_page, query):
    visitor = Client(HTTP_USER_AGENT=BROWSER, raise_request_exception=False)
    for path in ("/@alice", "/@ALICE", "/@nobody"):
        response = visitor.get(path, QUERY_STRING=query)
        assert response.status_code in (200, 301, 302, 404), (path, query)
