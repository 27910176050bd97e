"""What browsers, crawlers and lost visitors ask the site for: the favicon,
robots.txt, the sitemap, and branded error pages in production."""

from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.test import Client

from pages.models import Page
from tests.helpers import make_creator

pytestmark = pytest.mark.django_db


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.SITE_URL = "https://linkin.example"
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.SECURE_SSL_REDIRECT = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def test_the_favicon_is_where_browsers_look_for_it(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == static("img/favicon.ico")
    icon = Path(finders.find("img/favicon.ico")).read_bytes()
    assert icon[:4] == b"\x00\x00\x01\x00"  # an ICO file


def test_robots_keep_crawlers_to_the_public_pages_and_name_the_sitemap(client, settings):
    settings.SITE_URL = "https://linkin.example"
    body = client.get("/robots.txt").content.decode()
    for private in ("/dashboard/", "/accounts/", "/admin/", "/l/", "/*/report"):
        assert f"Disallow: {private}\n" in body
    assert "Disallow: /@" not in body and "Disallow: /\n" not in body
    assert body.endswith("Sitemap: https://linkin.example/sitemap.xml\n")


def test_the_sitemap_lists_public_pages_only(client, settings):
    settings.SITE_URL = "https://linkin.example"
    for name in ("alice", "bob", "carol"):
        make_creator(name, page=True)
    Page.objects.filter(slug="bob").update(is_suspended=True)
    response = client.get("/sitemap.xml")
    body = response.content.decode()
    assert response["Content-Type"].startswith("application/xml")
    assert "<loc>https://linkin.example/@alice</loc>" in body
    assert "<loc>https://linkin.example/@carol</loc>" in body
    assert "bob" not in body


def test_an_unknown_address_gets_the_branded_404(production):
    response = Client().get("/no/such/thing/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "There is nothing at this address" in html and 'href="/"' in html
    assert "site.css" in html


def test_a_free_name_invites_its_owner_to_claim_it(production):
    response = Client().get("/@Free_Name")
    assert response.status_code == 404
    html = response.content.decode()
    assert "@free_name is free" in html
    assert 'href="/signin/">Claim @free_name</a>' in html
    # Twice, and for another name: each 404 names its own address.
    assert "@someone_else is free" in Client().get("/@someone_else").content.decode()
    assert "@free_name is free" in Client().get("/@Free_Name").content.decode()


@pytest.mark.parametrize("name", ["dashboard", "a.b", "x" * 35, "--"])
def test_a_name_no_page_can_have_gets_no_invitation(production, name):
    html = Client().get(f"/@{name}").content.decode()
    assert "There is no page here" in html and "Claim" not in html


def test_a_suspended_page_is_gone(production):
    make_creator("alice", page=True)
    Page.objects.update(is_suspended=True)
    response = Client().get("/@alice")
    assert response.status_code == 410
    html = response.content.decode()
    assert "This page is unavailable" in html and "Claim" not in html


def test_a_crash_gets_the_branded_500(production, monkeypatch):
    def broken(self):
        raise RuntimeError("the database fell over")

    monkeypatch.setattr(type(Page.objects.all()), "showcase", broken)
    response = Client(raise_request_exception=False).get("/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html and "Nothing you saved is lost" in html
    assert "database fell over" not in html and "Traceback" not in html


def test_an_unsuspended_page_is_in_the_sitemap_at_once(client, admin_client, settings):
    settings.SITE_URL = "https://linkin.example"
    make_creator("bob", page=True)
    bob = Page.objects.get(slug="bob")
    bob.is_suspended = True
    bob.save()
    assert "@bob" not in client.get("/sitemap.xml").content.decode()

    admin_client.post("/admin/pages/page/", {"action": "unsuspend", "_selected_action": [bob.pk]})

    assert "<loc>https://linkin.example/@bob</loc>" in client.get("/sitemap.xml").content.decode()
    admin_client.post(
        "/admin/pages/page/",
        {"action": "suspend", "_selected_action": [bob.pk], "apply": "1", "reason": "spam"},
    )
    assert "@bob" not in client.get("/sitemap.xml").content.decode()
