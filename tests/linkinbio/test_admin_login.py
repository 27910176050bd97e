"""Guessing an admin's password does not work: after five failed sign-ins to
an account, or from one client, signing in is paused for 15 minutes, with a
page that says so; the right password is refused meanwhile too."""

import pytest
from django.test import Client

from accounts.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


@pytest.fixture
def admin_user(db):
    return User.objects.create_superuser("root", "root@example.com", PASSWORD)


def sign_in(client, username, password):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password})


def test_the_right_password_signs_in(admin_user):
    assert sign_in(Client(), "root", PASSWORD).status_code == 302


def test_five_wrong_passwords_pause_the_account(admin_user):
    answers = [
        sign_in(Client(REMOTE_ADDR=f"198.51.100.{n}"), "root", f"guess {n}").status_code
        for n in range(5)  # each guess from elsewhere
    ]
    assert answers == [200, 200, 200, 200, 429]
    response = sign_in(Client(REMOTE_ADDR="192.0.2.1"), "root", PASSWORD)
    assert response.status_code == 429
    html = response.content.decode()
    assert "Sign-in paused" in html and "15 minutes" in html


def test_five_failures_from_one_client_pause_it_for_every_account(admin_user):
    attacker = Client(REMOTE_ADDR="203.0.113.50")
    for n in range(5):
        sign_in(attacker, f"user{n}", "guess")
    assert sign_in(attacker, "root", PASSWORD).status_code == 429
    # The real admin, from their own address, is not locked out by that.
    assert sign_in(Client(REMOTE_ADDR="192.0.2.2"), "root", PASSWORD).status_code == 302


@pytest.mark.parametrize("forwarded", ["1.2.3.4, zz", "999.1.1.1", "x", "[::1]", "\x00"])
def test_a_forged_proxy_header_is_not_taken_for_the_clients_address(
    admin_user, settings, forwarded
):
    # Behind a proxy the last X-Forwarded-For entry is the client; one that is
    # not an address (sent past the proxy) must not reach the lockout's
    # address column (PostgreSQL refused it with a 500).
    settings.CLIENT_IP_HEADER = "X-Forwarded-For"
    answers = [
        sign_in(
            Client(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=forwarded), "root", "guess"
        ).status_code
        for _ in range(5)
    ]
    assert answers == [200, 200, 200, 200, 429]  # counted against REMOTE_ADDR
    assert sign_in(Client(REMOTE_ADDR="203.0.113.9"), "root", PASSWORD).status_code == 429
