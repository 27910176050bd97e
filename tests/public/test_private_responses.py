"""What the site answers a signed-in creator about their own account stays in
their browser: no CDN or shared cache keeps it, even one that ignores
`Vary: Cookie` (most do for images such as the QR code), so it is never
served to someone else. Every dashboard and account address of the URL
conf is asked, so a new one cannot be forgotten."""

import re

import pytest
from django.urls import URLResolver, get_resolver

from pages.models import Link
from tests.helpers import page_of, sync

pytestmark = pytest.mark.django_db

PRIVATE_PREFIXES = ("dashboard/", "accounts/", "signin/")


def routes(resolver=None, prefix=""):
    """Every address pattern of the URL conf, prefixes joined."""
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            yield from routes(pattern, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


def addresses(route, values):
    """The route made concrete with Alice's ids (every kind of `<kind>`)."""
    route = route.replace("^", "").replace("$", "")
    for name, value in values.items():
        route = re.sub(rf"<(\w+:)?{name}>|\(\?P<{name}>[^)]*\)", value, route)
    if "<kind>" in route or "<str:kind>" in route:
        return [re.sub(r"<(str:)?kind>", kind, route) for kind in ("png", "svg")]
    return [route]


@pytest.fixture
def alice_things(alice, tiktok):
    sync(alice)
    page = page_of(alice)
    link = Link.objects.create(page=page, title="Shop", url="https://shop.example")
    return {
        "link_id": str(link.pk),
        "video_id": str(page.videos.first().pk),
        "field": "hidden",
        "key": "x",
        "uidb36": "1",
    }


def test_every_dashboard_and_account_answer_is_private_and_not_stored(alice_client, alice_things):
    asked = {}
    for route in routes():
        if route.startswith(PRIVATE_PREFIXES):
            for address in addresses(route, alice_things):
                response = alice_client.get("/" + address)
                asked[address] = (response.status_code, response.get("Cache-Control", ""))
    assert "dashboard/qr.png" in asked and "dashboard/qr.svg" in asked
    assert asked["dashboard/qr.png"][0] == 200
    not_private = {
        address: answer
        for address, answer in asked.items()
        if not {"private", "no-store"} <= {d.strip() for d in answer[1].split(",")}
    }
    assert not_private == {}


def test_a_signed_in_creator_still_gets_her_public_page_as_everyone_does(
    alice_client, alice_things, visitor
):
    for client in (visitor, alice_client, visitor):
        response = client.get("/@alice")
        assert response["Cache-Control"].startswith("public, ")
        assert "Cookie" not in response.get("Vary", "")
