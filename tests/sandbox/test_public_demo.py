"""A stranger opens the consent screen of a public demo: they see nobody else's
account, cannot pick a showcased creator by name or by a forged cookie, and
continue as a guest account made for them, within limits."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.test import Client as Browser
from django.utils import timezone

from sandbox import guests
from sandbox.models import Account, AuthCode

from .calls import exchange
from .test_authorize import VERIFIER, authorize_path

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def public_demo(settings):
    settings.PUBLIC_DEMO = True
    settings.SANDBOX_GUESTS_PER_HOUR = 3
    settings.SANDBOX_GUEST_LIMIT = 100
    return settings


def allow(browser, account, **meta):
    return browser.post(authorize_path(), {"account": account, "decision": "allow"}, **meta)


def code_in(response):
    assert response.status_code == 302, response.content.decode()[:300]
    return parse_qs(urlsplit(response["Location"]).query)["code"][0]


def test_the_consent_screen_of_a_public_demo_lists_nobody_elses_account(client, alice, bob):
    html = client.get(authorize_path()).content.decode()
    assert 'value="alice"' not in html and "Alice Martin" not in html
    assert 'value="bob"' not in html
    assert f'value="{guests.NEW}" checked' in html
    assert "A new guest account" in html
    assert "deleted after 24 hours" in html


def test_naming_a_showcased_creator_gets_no_code(client, alice):
    response = allow(client, "alice")
    assert response.status_code == 400
    assert "Choose an account to continue." in response.content.decode()
    assert not AuthCode.objects.exists()


@pytest.mark.parametrize(
    "cookie",
    [
        "alice",  # the old, unsigned cookie
        guests.cookie_value("alice")[:-2] + "xx",  # a tampered signature
        guests.cookie_value("bob").replace("bob", "alice", 1),  # another account's signature
    ],
)
def test_a_forged_remembered_account_cookie_gets_no_code(client, alice, bob, cookie):
    client.cookies[guests.COOKIE] = cookie
    assert 'value="alice"' not in client.get(authorize_path()).content.decode()
    assert allow(client, "alice").status_code == 400
    assert not AuthCode.objects.exists()


def test_a_stranger_continues_as_a_new_guest_and_is_remembered_as_that_guest(client, alice):
    code = code_in(allow(client, guests.NEW))
    guest = AuthCode.objects.get(code=code).account
    assert guest.username.startswith("guest.")
    assert guest.guest_until is not None
    assert guest.videos.count() == 6

    # Back on the consent screen: only their own guest, chosen already.
    html = client.get(authorize_path()).content.decode()
    assert f'value="{guest.username}" checked' in html
    assert 'value="alice"' not in html
    assert AuthCode.objects.get(code=code_in(allow(client, guest.username))).account == guest

    # Another browser cannot use that guest.
    assert allow(Browser(), guest.username).status_code == 400


def test_guests_per_client_are_limited_with_a_clear_message(client, alice):
    for _ in range(3):
        code_in(allow(client, guests.NEW, REMOTE_ADDR="203.0.113.7"))
    refused = allow(client, guests.NEW, REMOTE_ADDR="203.0.113.7")
    assert refused.status_code == 429
    assert "several guest accounts in the last hour" in refused.content.decode()
    assert Account.objects.filter(guest_until__isnull=False).count() == 3
    # Someone else is not held up by them.
    code_in(allow(Browser(), guests.NEW, REMOTE_ADDR="198.51.100.2"))


def test_the_demo_stops_making_guests_at_its_limit(client, settings, alice):
    settings.SANDBOX_GUEST_LIMIT = 2
    for address in ("203.0.113.1", "203.0.113.2"):
        code_in(allow(Browser(), guests.NEW, REMOTE_ADDR=address))
    refused = allow(client, guests.NEW, REMOTE_ADDR="203.0.113.3")
    assert refused.status_code == 429
    assert "as many guests as it can take" in refused.content.decode()


def test_a_guest_never_signed_in_goes_soon_and_one_signed_in_lives_a_day(client, alice):
    unused = AuthCode.objects.get(code=code_in(allow(Browser(), guests.NEW))).account
    code = code_in(allow(client, guests.NEW))
    answer = exchange(client, code, code_verifier=VERIFIER)
    assert "access_token" in answer.json()  # the app signed this one in
    used = AuthCode.objects.get(code=code).account

    assert guests.expire_guests(timezone.now()) == 0
    assert guests.expire_guests(timezone.now() + timedelta(minutes=16)) > 0
    assert not Account.objects.filter(pk=unused.pk).exists()
    assert Account.objects.filter(pk=used.pk).exists()
    guests.expire_guests(timezone.now() + timedelta(hours=25))
    assert list(Account.objects.values_list("username", flat=True)) == ["alice"]


def test_a_page_elsewhere_cannot_make_guests_from_its_visitors_browsers(client, alice):
    refused = allow(client, guests.NEW, HTTP_SEC_FETCH_SITE="cross-site")
    assert refused.status_code == 403
    assert "Open the sign-in from the app" in refused.content.decode()
    assert not Account.objects.filter(guest_until__isnull=False).exists()
    code_in(allow(client, guests.NEW, HTTP_SEC_FETCH_SITE="same-origin"))


def test_an_ipv6_network_counts_as_one_client(client, alice):
    for n in range(3):
        code_in(allow(Browser(), guests.NEW, REMOTE_ADDR=f"2001:db8:1:2::{n + 1}"))
    refused = allow(Browser(), guests.NEW, REMOTE_ADDR="2001:db8:1:2:ffff::9")
    assert refused.status_code == 429
    code_in(allow(Browser(), guests.NEW, REMOTE_ADDR="2001:db8:1:3::1"))


def test_a_remembered_account_is_forgotten_after_a_day(client, alice):
    code_in(allow(client, guests.NEW))
    guest = Account.objects.get(guest_until__isnull=False)
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        assert f'value="{guest.username}"' not in client.get(authorize_path()).content.decode()
        assert allow(client, guest.username).status_code == 400


def test_on_a_private_machine_the_screen_still_lists_every_account(client, settings, alice, bob):
    settings.PUBLIC_DEMO = False
    html = client.get(authorize_path()).content.decode()
    assert 'value="alice"' in html and 'value="bob"' in html
    assert "A new guest account" not in html
    assert AuthCode.objects.get(code=code_in(allow(client, "bob"))).account == bob


def test_a_guest_posting_allow_again_and_again_leaves_a_few_codes(client, alice):
    guest = AuthCode.objects.get(code=code_in(allow(client, guests.NEW))).account
    for _ in range(1000):
        last = code_in(allow(client, guest.username))
    assert AuthCode.objects.count() <= AuthCode.MAX_UNUSED
    # The code the app was sent last still signs the guest in.
    assert "access_token" in exchange(client, last, code_verifier=VERIFIER).json()


def test_expired_codes_go_and_a_used_one_still_revokes_its_tokens_on_replay(
    client, settings, alice
):
    settings.PUBLIC_DEMO = False  # alice, on a private machine, for days
    used = code_in(allow(client, "alice"))
    tokens = exchange(client, used, code_verifier=VERIFIER).json()
    unused = code_in(allow(client, "alice"))
    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        code_in(allow(client, "alice"))
        assert not AuthCode.objects.filter(code=unused).exists()
        assert "error" in exchange(client, used, code_verifier=VERIFIER).json()
    assert not alice.tokens.filter(value=tokens["access_token"], revoked=False).exists()
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        code_in(allow(client, "alice"))
        assert not AuthCode.objects.filter(code=used).exists()
        assert AuthCode.objects.count() == 1
