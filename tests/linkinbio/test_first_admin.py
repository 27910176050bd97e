"""The first admin is made as the README and docs/operations.md say, and signs in."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery staple"

pytestmark = pytest.mark.django_db


def test_the_readme_and_the_operations_guide_say_how_to_make_the_first_admin():
    readme = (ROOT / "README.md").read_text()
    operations = (ROOT / "docs" / "operations.md").read_text()

    assert "manage.py createsuperuser" in readme and "/admin/" in readme
    assert "## Admins" in operations
    for step in ("createsuperuser --noinput", "DJANGO_SUPERUSER_PASSWORD", "Staff status"):
        assert step in operations


def test_the_first_admin_made_without_a_terminal_signs_in(monkeypatch):
    """Production's way without a terminal: the variables the guide names, an empty e-mail."""
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "root")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "")

    call_command("createsuperuser", interactive=False, verbosity=0)

    client = Client()
    signed_in = client.post(
        "/admin/login/?next=/admin/", {"username": "root", "password": PASSWORD}
    )
    assert signed_in.status_code == 302
    assert "Site administration" in client.get("/admin/").content.decode()
