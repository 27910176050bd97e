"""A deploy shows its own pages at once. Two releases run side by side over
one shared cache, as during a rolling deploy: each serves the HTML its own
code renders, and every static file named on a page it serves answers 200
from that release, although the new one changed the page's icon (so its
hashed name) and no longer has the old file."""

import re
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from pages import release
from tests.helpers import make_creator, page_of

ROOT = Path(__file__).resolve().parents[2]
FILES = re.compile(r'(?:href|src)="(/(?:static|style)/[^"]+)"')

pytestmark = pytest.mark.django_db


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.SECURE_SSL_REDIRECT = False
    settings.RELEASE = ""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }


@pytest.fixture
def build(settings, tmp_path):
    """Builds a release from this checkout's static files, the public page's
    icon ending with `svg`, as a deploy does (collectstatic into its own
    folder); returns a function that makes it the running one."""

    def build(name, svg):
        static = tmp_path / name / "static"
        shutil.copytree(ROOT / "static", static)
        with (static / "img" / "icon.svg").open("a") as icon:
            icon.write(svg)
        settings.STATICFILES_DIRS = [static]
        settings.STATIC_ROOT = tmp_path / name / "root"
        # The public page's files are the project's own; the apps' are not needed.
        call_command("collectstatic", "--noinput", "-v0", "-i", "admin", "-i", "account")
        return {"STATICFILES_DIRS": [static], "STATIC_ROOT": tmp_path / name / "root"}

    return build


def run(settings, release_settings):
    """The release's web process: its settings, and a new handler (whitenoise
    reads its static folder when it starts)."""
    for name, value in release_settings.items():
        setattr(settings, name, value)
    return Client()


def files_answer(client, body):
    urls = FILES.findall(body)
    assert any(url.startswith("/static/") for url in urls)
    assert any(url.startswith("/style/") for url in urls)
    return {url: client.get(url).status_code for url in urls}


def test_a_new_release_serves_its_own_page_at_once_beside_the_old_one(production, build, settings):
    alice = make_creator("alice", page=True)
    page = page_of(alice)
    page.background_color, page.accent_color = "#fff8e7", "#8a1c0c"
    page.save()
    old = build("old", "")
    new = build("new", "\n<!-- the new release -->\n")

    old_site = run(settings, old)
    old_body = old_site.get("/@alice").content.decode()
    assert set(files_answer(old_site, old_body).values()) == {200}

    new_site = run(settings, new)
    new_body = new_site.get("/@alice").content.decode()
    assert new_body != old_body
    assert set(files_answer(new_site, new_body).values()) == {200}

    # The old release, still running until the deploy ends, keeps its own page.
    old_site = run(settings, old)
    assert old_site.get("/@alice").content.decode() == old_body
    assert set(files_answer(old_site, old_body).values()) == {200}


def test_a_release_named_by_the_deploy_shows_its_templates_at_once(settings, client, tmp_path):
    settings.RELEASE = "2026.12.07-1"
    make_creator("alice", page=True)
    assert "Made with care" not in client.get("/@alice").content.decode()

    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    base = templates / "pages" / "public_base.html"
    base.write_text(base.read_text().replace("</body>", "<!-- Made with care --></body>"))
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [templates]}]
    settings.RELEASE = "2026.12.07-2"
    assert "Made with care" in client.get("/@alice").content.decode()


def test_a_template_change_makes_a_new_release(settings, tmp_path):
    settings.RELEASE = ""
    before = release.current()
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    public = templates / "pages" / "public.html"
    public.write_text(public.read_text() + "\n")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [templates]}]
    assert release.current() != before
