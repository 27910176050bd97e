"""The database goes away for a moment: a page the process holds is served
as usual, a click on a link followed lately still leads where it did and
counts, and what needs the database says to try again, not that something
broke."""

import pytest
from django.db import OperationalError, connection

from pages.models import Link
from tests.helpers import count_of, flush_counts, page_of

pytestmark = pytest.mark.django_db


def database_away(monkeypatch):
    def refused(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refused)


def test_a_click_goes_where_the_link_led_while_the_database_is_away(alice, visitor, monkeypatch):
    shop = Link.objects.create(page=page_of(alice), title="Shop", url="https://shop.example/")
    bio = Link.objects.create(page=page_of(alice), title="Bio", url="https://bio.example/")
    assert visitor.get(f"/l/{shop.pk}")["Location"] == "https://shop.example/"

    database_away(monkeypatch)
    click = visitor.get(f"/l/{shop.pk}", REMOTE_ADDR="198.51.100.7")
    assert click.status_code == 302
    assert click["Location"] == "https://shop.example/"
    never_followed = visitor.get(f"/l/{bio.pk}")
    assert never_followed.status_code == 503
    assert "try again in a minute" in never_followed.content.decode()
    assert never_followed["Retry-After"] == "30"

    monkeypatch.undo()
    flush_counts()
    assert count_of(page_of(alice), "link_clicks", str(shop.pk)) == 2


def test_a_page_in_memory_is_served_and_another_says_try_again(alice, bob, visitor, monkeypatch):
    assert visitor.get("/@alice").status_code == 200

    database_away(monkeypatch)
    assert visitor.get("/@alice").status_code == 200
    cold = visitor.get("/@bob")
    assert cold.status_code == 503
    assert "try again in a minute" in cold.content.decode()
    assert cold["Cache-Control"] == "no-store"
