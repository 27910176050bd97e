"""Every editor address answers GET: a reload after a refused form, Enter in
the address bar or a bookmark leads to the form's screen and changes nothing."""

import pytest
from django.utils import timezone

from tests.helpers import page_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


def test_every_editor_address_answers_get_with_its_screen(alice_client, alice):
    page = page_of(alice)
    link = page.links.create(title="Shop", url="https://shop.example")
    video = page.videos.create(external_id="7301", title="Sourdough", create_time=timezone.now())
    addresses = {
        "/dashboard/links/add/": "/dashboard/#links-h",
        "/dashboard/links/order/": "/dashboard/",
        "/dashboard/socials/": "/dashboard/#socials-h",
        f"/dashboard/links/{link.pk}/delete/": "/dashboard/",
        f"/dashboard/links/{link.pk}/move/": f"/dashboard/#link-{link.pk}",
        f"/dashboard/links/{link.pk}/toggle/": f"/dashboard/#link-{link.pk}",
        f"/dashboard/videos/{video.pk}/hidden/": f"/dashboard/videos/#video-{video.pk}",
        "/dashboard/refresh/": "/dashboard/",
        "/dashboard/data/pause/": "/dashboard/data/",
        "/dashboard/data/resume/": "/dashboard/data/",
        "/dashboard/data/grant/": "/dashboard/data/",
        "/dashboard/appeal/": "/dashboard/",
    }
    for address, screen in addresses.items():
        response = alice_client.get(address)
        assert (address, response.status_code, response["Location"]) == (address, 302, screen)
        assert alice_client.get(screen).status_code == 200
    assert page.links.get().enabled and not page.videos.get().hidden  # nothing changed


def test_a_videos_link_form_is_a_screen_of_its_own(alice_client, alice):
    page = page_of(alice)
    video = page.videos.create(
        external_id="7301",
        title="Sourdough",
        create_time=timezone.now(),
        link_url="https://a.example",
    )

    response = alice_client.get(f"/dashboard/videos/{video.pk}/")

    assert response.status_code == 200
    assert 'value="https://a.example"' in response.content.decode()


def test_reloading_a_refused_link_shows_the_dashboard_not_an_empty_405(alice_client):
    refused = alice_client.post(
        "/dashboard/links/add/", {"kind": "link", "title": "Hi", "url": "javascript:alert(1)"}
    )
    assert refused.status_code == 400

    reloaded = alice_client.get("/dashboard/links/add/", follow=True)

    assert reloaded.status_code == 200 and "Add a link" in reloaded.content.decode()


def test_another_method_gets_the_sites_405_page(alice_client):
    response = alice_client.put("/dashboard/links/add/")

    assert response.status_code == 405
    assert "This address cannot be opened that way" in response.content.decode()
