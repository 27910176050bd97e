"""The site stays clean: blocked sites vanish from every page at once, reports
never crash, and suspended pages take their pictures with them."""

import pytest

from pages.models import BlockedDomain, Link
from tests.pages.conftest import page_of, sync

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_page(alice, tiktok, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sync(alice)
    page = page_of(alice)
    Link.objects.create(page=page, title="Free giveaway", url="https://win.spam.example/now")
    Link.objects.create(
        page=page, title="My merch shop", url="https://shop.example.com", position=2
    )
    page.bump_version()
    return page


def test_a_newly_blocked_site_leaves_the_page_at_once(alice_page, visitor):
    alice_page.videos.filter(title="Video number 1").update(link_url="https://spam.example/look")
    alice_page.bump_version()
    html = visitor.get("/@alice").content.decode()  # cached
    assert "Free giveaway" in html and "Shop this look" in html
    blocked = BlockedDomain.objects.create(domain="Spam.Example")
    html = visitor.get("/@alice").content.decode()
    assert "Free giveaway" not in html and "Shop this look" not in html
    assert "My merch shop" in html and "Video number 1" in html
    blocked.delete()
    html = visitor.get("/@alice").content.decode()
    assert "Free giveaway" in html and "Shop this look" in html


def test_a_blocked_site_never_shows_on_a_freshly_rendered_page(alice_page, visitor):
    BlockedDomain.objects.bulk_create([BlockedDomain(domain="spam.example")])  # no signals
    alice_page.bump_version()
    html = visitor.get("/@alice").content.decode()
    assert "Free giveaway" not in html and "My merch shop" in html
