"""A suspended page's pictures are gone under every spelling of their address."""

import pytest

from pages import publish
from tests.helpers import page_of, sync

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_page(alice, tiktok, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sync(alice)
    return page_of(alice)


def spellings(url):
    """The same file, addressed as a browser or a script might."""
    page_id, name = url.removeprefix("/media/pages/").split("/", 1)
    return [
        url,
        f"/media/pages//{page_id}/{name}",
        f"/media/pages/./{page_id}/{name}",
        f"/media/pages/x/../{page_id}/{name}",
        f"/media/pages/%2F{page_id}/{name}",
        f"/media/pages/%2f{page_id}/{name}",
        f"/media/pages/{page_id}//{name}",
        f"/media/pages/{page_id}/./{name}",
        f"/media/pages/{page_id}/%2E/{name}",
        f"/media/pages/0{page_id}/{name}",
        f"/media/pages/{page_id}%2F{name}",
        f"/media/pages/{page_id}/x/../{name}",
    ]


def test_a_suspended_pages_pictures_are_gone_under_every_spelling(alice_page, visitor):
    urls = [alice_page.avatar.url, alice_page.videos.first().cover.url]
    assert all(visitor.get(url).status_code == 200 for url in urls)
    alice_page.is_suspended = True  # as the admin suspends a page
    alice_page.save(update_fields=["is_suspended"])
    publish.page_changed(alice_page)
    for url in urls:
        for spelling in spellings(url):
            assert visitor.get(spelling).status_code == 404, spelling


def test_a_picture_is_served_at_its_own_address_only(alice_page, visitor):
    url = alice_page.avatar.url
    assert visitor.get(url).status_code == 200
    assert visitor.get(spellings(url)[1]).status_code == 404
