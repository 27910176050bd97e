"""Alice's dashboard reaches her phone compressed, like her public page
reaches her visitors, and nothing is compressed twice or for nothing."""

import gzip

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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
    synced.bump_version()
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
