"""A stranger tries the public demo: the consent screen offers nobody else's
account, they continue as a guest made for them and edit their own page, and
the showcased creator's page stays as it was."""

import pytest

from linkinbio.demo import connect_demo_creator
from pages.models import Page
from tests.e2e import steps


def open_consent_screen(visitor, live_server):
    visitor.goto(live_server.url + "/")
    visitor.get_by_role("link", name="Sign in with TikTok").click()
    visitor.get_by_role("button", name="Continue with TikTok").click()
    visitor.wait_for_url("**/sandbox/tiktok/v2/auth/authorize/**")


pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_stranger_gets_a_guest_account_not_the_showcased_creator(
    visitor, live_server, tiktok, settings
):
    settings.PUBLIC_DEMO = True
    alice = connect_demo_creator(steps.CREATOR)  # the seed connects the showcase
    Page.objects.filter(user=alice).update(is_showcased=True)

    open_consent_screen(visitor, live_server)
    assert visitor.get_by_text("Alice Dances").count() == 0
    guest = visitor.get_by_role("radio", name="A new guest account")
    assert guest.is_checked()
    visitor.get_by_role("button", name="Authorize").click()
    visitor.wait_for_url("**/dashboard/")

    mine = Page.objects.exclude(user=alice).get()
    assert mine.slug.startswith("guest")
    visitor.get_by_label("Title").fill("My shop")
    visitor.get_by_label("Address").fill("shop.example.com")
    visitor.get_by_role("button", name="Add link").click()
    assert mine.links.filter(title="My shop").exists()
    assert not Page.objects.get(user=alice).links.exists()

    # Signing in again, they are offered only the guest they already have.
    visitor.get_by_role("button", name="Sign out").click()
    open_consent_screen(visitor, live_server)
    radios = visitor.get_by_role("radio")
    assert radios.count() == 2  # their guest (chosen) and "a new guest account"
    assert visitor.get_by_role("radio", name=mine.display_name).is_checked()
