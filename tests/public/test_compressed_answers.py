"""Alice's dashboard reaches her phone compressed, like her public page
reaches her visitors, and nothing is compressed twice or for nothing."""

import gzip

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pages import publish
from tests.helpers import page_of, sync

pytestmark = pytest.mark.django_db

SCREENS = ["/dashboard/", "/dashboard/videos/", "/dashboard/appearance/", "/dashboard/share/"]
SCREENS += ["/dashboard/stats/", "/dashboard/appearance/preview", "/dashboard/data/"]


@pytest.fixture
def synced(alice, tiktok, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sync(alice)
    return page_of(alice)


def html_of(response):
    body = response.content
    if response.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return body.decode()


@pytest.mark.parametrize("screen", SCREENS)
def test_every_dashboard_screen_comes_compressed_to_a_browser_that_takes_it(
    synced, alice_client, screen
):
    plain = alice_client.get(screen)
    packed = alice_client.get(screen, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert plain.status_code == packed.status_code == 200
    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    assert len(packed.content) < len(plain.content) / 2
    assert html_of(packed).rstrip().endswith("</html>")


def test_the_public_page_and_its_pictures_are_never_compressed_twice(synced, visitor, client):
    for _ in range(2):  # cold, then warm
        page = visitor.get("/@alice", HTTP_ACCEPT_ENCODING="gzip")
        assert page["Content-Encoding"] == "gzip"
        assert html_of(page).startswith("<!doctype html>")
    picture = visitor.get(synced.avatar.url, HTTP_ACCEPT_ENCODING="gzip")
    assert "Content-Encoding" not in picture
    # Alice sees her suspended page's pictures through the view, uncompressed too.
    synced.is_suspended = True
    synced.save(update_fields=["is_suspended"])
    publish.page_changed(synced)
    client.force_login(synced.user)
    own = client.get(synced.avatar.url, HTTP_ACCEPT_ENCODING="gzip")
    assert own.status_code == 200
    assert "Content-Encoding" not in own
    assert b"".join(own)[8:12] == b"WEBP"


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(accept=st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=60))
def test_any_accept_encoding_gets_a_page_the_browser_can_read(synced, alice_client, accept):
    for client, url in ((alice_client, "/dashboard/"), (alice_client, "/@alice")):
        response = client.get(url, HTTP_ACCEPT_ENCODING=accept)
        assert response.status_code == 200
        assert response.get("Content-Encoding") in (None, "gzip")
        assert "</html>" in html_of(response)


# Accept-Encoding as browsers, proxies and odd clients send it, and whether it
# takes gzip (RFC 9110, 12.5.3: a weight of 0 refuses a coding).
ACCEPTS = [
    ("gzip", True),
    ("gzip, deflate, br, zstd", True),
    ("br;q=1.0, gzip;q=0.8, *;q=0.1", True),
    ("x-gzip", True),
    ("gzip;q=0", False),
    ("gzip; q=0.000", False),
    ("br, GZIP;Q=0", False),
    ("*;q=0", False),
    ("gzip;q=0, *", False),
    ("identity", False),
    ("", False),
    ("gzip;q=nonsense", False),
]


@pytest.mark.parametrize(("accept", "takes_gzip"), ACCEPTS)
def test_a_browser_that_refuses_gzip_gets_the_plain_page(
    synced, alice_client, visitor, accept, takes_gzip
):
    for client, url in ((visitor, "/@alice"), (visitor, "/@alice"), (alice_client, "/dashboard/")):
        response = client.get(url, HTTP_ACCEPT_ENCODING=accept)
        assert response.status_code == 200
        assert (response.get("Content-Encoding") == "gzip") is takes_gzip, (url, accept)
        assert "Accept-Encoding" in response["Vary"]
        assert "</html>" in html_of(response)


def test_the_gzipped_and_the_plain_page_never_share_an_etag(synced, visitor):
    visitor.get("/@alice")  # warm
    plain = visitor.get("/@alice")
    packed = visitor.get("/@alice", HTTP_ACCEPT_ENCODING="gzip")
    assert plain["ETag"] != packed["ETag"]
    assert not plain["ETag"].startswith("W/") and not packed["ETag"].startswith("W/")
    # Each revalidates with its own tag, and only with its own.
    for response, accept in ((plain, ""), (packed, "gzip")):
        again = visitor.get(
            "/@alice", HTTP_ACCEPT_ENCODING=accept, HTTP_IF_NONE_MATCH=response["ETag"]
        )
        assert again.status_code == 304 and again["ETag"] == response["ETag"]
    crossed = visitor.get("/@alice", HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=plain["ETag"])
    assert crossed.status_code == 200 and crossed["Content-Encoding"] == "gzip"
    crossed = visitor.get("/@alice", HTTP_IF_NONE_MATCH=packed["ETag"])
    assert crossed.status_code == 200 and "Content-Encoding" not in crossed


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    accepts=st.lists(
        st.sampled_from([a for a, _ in ACCEPTS])
        | st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=30),
        min_size=2,
        max_size=4,
    )
)
def test_one_etag_always_names_the_same_bytes(synced, visitor, accepts):
    bodies = {}
    for accept in accepts:
        response = visitor.get("/@alice", HTTP_ACCEPT_ENCODING=accept)
        assert bodies.setdefault(response["ETag"], response.content) == response.content
