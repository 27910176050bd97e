"""A public demo: the showcased creators' pages stay as the seed made them,
whatever anyone posts, and each visitor's guest creator goes after a day."""

import subprocess
import sys
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from linkinbio import demo
from pages.models import Link, Page
from sandbox import guests
from sandbox.models import Account
from sources.tiktok import client as tiktok
from tests.helpers import make_creator, page_of
from tests.linkinbio.test_settings import ROOT, clean_environment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def public_demo(settings):
    settings.PUBLIC_DEMO = True
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def maya():
    """A showcased creator, as the seed connects them."""
    user = make_creator("mayacooks", page=True)
    page = page_of(user)
    page.is_showcased = True
    page.save()
    demo.restore_showcase(page)
    return user


@pytest.fixture
def revoked(monkeypatch):
    calls = []
    monkeypatch.setattr(tiktok, "revoke", lambda token, **kw: calls.append(token))
    return calls


def test_a_showcased_creator_can_look_but_change_nothing(client, maya):
    page = page_of(maya)
    client.force_login(maya)
    assert client.get("/dashboard/").status_code == 200

    response = client.post("/dashboard/links/add/", {"title": "Spam", "url": "https://spam.test"})
    assert response.status_code == 403
    assert "Showcased demo pages can't be changed or deleted" in response.text
    assert "continue as a new guest account" in response.text
    response = client.post("/account/delete/", {"confirm": "mayacooks"})
    assert response.status_code == 403
    assert User.objects.filter(pk=maya.pk).exists()
    assert [link.title for link in page.links.all()] == [t for t, _ in demo.DEMO_LINKS["mayacooks"]]

    # Signing out is the one thing they may post.
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/dashboard/").status_code == 302


def test_staff_and_private_machines_are_not_held_back(client, settings, maya):
    User.objects.filter(pk=maya.pk).update(is_staff=True)
    client.force_login(maya)
    client.post(
        "/dashboard/links/add/", {"title": "Seasonal menu", "url": "https://menu.example.com"}
    )
    assert page_of(maya).links.filter(title="Seasonal menu").exists()
    User.objects.filter(pk=maya.pk).update(is_staff=False)

    settings.PUBLIC_DEMO = False
    client.force_login(maya)
    client.post("/dashboard/links/add/", {"title": "Mine", "url": "https://mine.example.com"})
    assert page_of(maya).links.filter(title="Mine").exists()


def test_the_hourly_reseed_puts_a_showcased_page_back_as_the_seed_made_it(maya, tiktok_video):
    page = page_of(maya)
    seeded_ids = list(page.links.values_list("id", flat=True))
    assert demo.reseed_showcase() == 0  # nothing changed: nothing touched
    assert list(page.links.values_list("id", flat=True)) == seeded_ids

    Link.objects.filter(page=page).first().delete()
    page.links.create(title="Buy followers", url="https://spam.example.com", position=9)
    Page.objects.filter(pk=page.pk).update(
        theme="midnight",
        bio_override="hacked",
        videos_shown=0,
        background_color="#000000",
        socials={"instagram": "spam"},
    )
    page.videos.update(hidden=True)
    version = page.version

    assert demo.reseed_showcase() == 1
    page.refresh_from_db()
    assert [(link.title, link.url) for link in page.links.order_by("position")] == list(
        demo.DEMO_LINKS["mayacooks"]
    )
    assert (page.theme, page.bio_override, page.background_color) == ("classic", "", "")
    assert page.socials == {}
    assert page.videos_shown == Page._meta.get_field("videos_shown").get_default()
    assert not page.videos.filter(hidden=True).exists()
    assert page.version > version


@pytest.fixture
def tiktok_video(maya):
    page = page_of(maya)
    return page.videos.create(
        external_id="7300000000000000001", title="Noodles", create_time=timezone.now()
    )


def test_a_guest_creator_goes_after_a_day_and_the_showcase_and_staff_stay(maya, revoked):
    guest = make_creator("guest.a1b2c3", page=True)
    young = make_creator("guest.d4e5f6", page=True)
    admin = User.objects.create(username="admin", is_staff=True)
    day_ago = timezone.now() - timedelta(hours=25)
    User.objects.filter(pk__in=[guest.pk, maya.pk, admin.pk]).update(date_joined=day_ago)

    assert demo.expire_guests() == 1
    assert set(User.objects.values_list("username", flat=True)) == {
        "mayacooks",
        "guest.d4e5f6",
        "admin",
    }
    assert not Page.objects.filter(slug="guest.a1b2c3").exists()
    assert revoked == ["act.guest.a1b2c3-1"]  # as "Delete account" does
    assert young.page


def test_nothing_expires_or_is_reseeded_on_a_private_machine(settings, maya, revoked):
    settings.PUBLIC_DEMO = False
    make_creator("someone", page=True)
    User.objects.update(date_joined=timezone.now() - timedelta(days=30))
    Page.objects.filter(user=maya).update(theme="midnight")
    assert demo.expire_guests() == 0 and demo.reseed_showcase() == 0
    assert User.objects.count() == 2
    assert page_of(maya).theme == "midnight"


@pytest.mark.django_db(transaction=True)
def test_the_seed_still_connects_the_showcase_and_strangers_cannot_pick_it(demo_server, client):
    call_command("seed_demo", "--pages")

    showcased = Page.objects.filter(is_showcased=True)
    assert sorted(p.username for p in showcased) == sorted(demo.PAGE_CREATORS)
    response = client.post("/accounts/tiktok/login/", {"next": "/dashboard/"})
    html = client.get(response["Location"].replace(demo_server.url, "")).text
    assert Account.objects.filter(username="mayacooks").exists()
    assert 'value="mayacooks"' not in html and "Maya Okafor" not in html
    assert f'value="{guests.NEW}" checked' in html


def test_the_home_page_of_a_public_demo_says_visitors_get_a_guest_account(client, settings):
    assert "continue as a guest account" in client.get("/").text
    settings.PUBLIC_DEMO = False
    assert "continue as a guest account" not in client.get("/").text


def demo_setting(name, **env):
    """A setting as a process started with this environment sees it."""
    environment = {k: v for k, v in clean_environment().items() if not k.startswith("TIKTOK_")}
    code = f"import linkinbio.settings as s; print(s.{name})"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**environment, **env},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_a_public_demo_keeps_its_sandbox_app_secret_out_of_the_repository():
    from cryptography.fernet import Fernet

    demo_site = {
        "DEBUG": "False",
        "SECRET_KEY": "k" * 50,
        "TOKEN_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "TIKTOK_SANDBOX": "True",
        "TIKTOK_SANDBOX_ALLOW_PRODUCTION": "True",
    }
    assert demo_setting("PUBLIC_DEMO", **demo_site) == "True"
    secret = demo_setting("TIKTOK_CLIENT_SECRET", **demo_site)
    assert secret != "sandbox-linkinbio-secret" and len(secret) >= 32
    other_site = {**demo_site, "SECRET_KEY": "j" * 50}
    assert demo_setting("TIKTOK_CLIENT_SECRET", **other_site) != secret
    # A developer's machine keeps the documented one; a real app is never a demo.
    assert demo_setting("TIKTOK_CLIENT_SECRET", DEBUG="True") == "sandbox-linkinbio-secret"
    real_app = {**demo_site, "TIKTOK_CLIENT_KEY": "aw123", "TIKTOK_CLIENT_SECRET": "s"}
    assert demo_setting("PUBLIC_DEMO", **real_app) == "False"


def test_a_showcased_creator_may_sign_out_with_or_without_the_slash(client, maya):
    client.force_login(maya)
    response = client.post("/accounts/logout")
    assert (response.status_code, response["Location"]) == (301, "/accounts/logout/")
