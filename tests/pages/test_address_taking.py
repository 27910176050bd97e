"""Nobody takes a creator's address from under them: not the address their
TikTok username gives (dots or capitals in it included), not a name kept for
the site, not by two moves at once; and a moved page's old address never
loops nor outlives its year in a visitor's browser."""

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pages import addresses
from pages.models import Page
from public import views as public_views
from tests.helpers import make_creator, page_of

pytestmark = pytest.mark.django_db

# TikTok usernames: letters, digits, "_" and "."; 2 to 24 of them.
usernames = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.]{0,22}[A-Za-z0-9]", fullmatch=True)


def creator_named(username, slug):
    user = make_creator(f"u-{slug}")
    Page.objects.create(user=user, slug=slug, username=username, display_name=username)
    return user


@pytest.fixture
def mallory():
    user = make_creator("mallory")
    Page.objects.create(user=user, slug="mallory", display_name="Mallory")
    client = Client()
    client.force_login(user)
    return user, client


def test_the_address_a_dotted_username_gives_is_kept_for_its_creator(mallory):
    creator_named("Daily.Sketch", "daily_sketch_art")
    user, client = mallory

    refused = client.post("/dashboard/address/", {"slug": "dailysketch"})

    assert refused.status_code == 400 and "taken" in refused.content.decode()
    assert page_of(user).slug == "mallory"
    visit = Client().get("/@dailysketch")
    assert visit.status_code == 302 and visit["Location"] == "/@daily_sketch_art"
    newcomer = Page.create_for(make_creator("newcomer"), _profile("", "dailysketch"))
    assert newcomer.slug != "dailysketch"


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(username=usernames)
def test_whatever_a_creator_is_called_on_tiktok_nobody_else_gets_its_address(mallory, username):
    user = make_creator("owner")
    owner = Page.objects.create(user=user, slug="owner_page", username=username)
    try:
        slug = addresses.address_for(username)
        if Page.is_reserved(slug) or slug in ("mallory", "owner_page"):
            return
        assert addresses.problem(page_of(mallory[0]), slug) is not None
        assert "is free" not in Client().get(f"/@{slug}").content.decode()
    finally:
        owner.delete()
        user.delete()


def test_a_name_kept_for_the_site_never_leads_to_a_creator():
    creator_named("support", "support_fan")

    visit = Client().get("/@support")

    assert visit.status_code == 404 and "Claim" not in visit.content.decode()


def test_an_old_address_is_not_kept_for_ever_by_browsers(mallory, monkeypatch):
    user, client = mallory
    client.post("/dashboard/address/", {"slug": "mallory_new"})

    old = Client().get("/@mallory")

    assert old.status_code == 301 and old["Location"] == "/@mallory_new"
    # Moving back is allowed: a browser keeping this 301 for ever would loop.
    assert "max-age=" in old["Cache-Control"]
    assert int(old["Cache-Control"].split("max-age=")[1]) <= 86400
    assert public_views.FORMER_ADDRESS_CACHE_SECONDS <= 86400


def test_two_creators_taking_one_address_at_once_leaves_it_to_the_first(mallory, monkeypatch):
    user, client = mallory
    checked = addresses.problem

    def someone_takes_it_meanwhile(page, slug, now=None):
        reason = checked(page, slug, now)
        if reason is None and not Page.objects.filter(slug=slug).exists():
            Page.objects.create(user=make_creator("quick"), slug=slug)
        return reason

    monkeypatch.setattr(addresses, "is_free_for", lambda page, slug: True)
    monkeypatch.setattr(addresses, "problem", someone_takes_it_meanwhile)

    answer = client.post("/dashboard/address/", {"slug": "wanted"})

    assert answer.status_code == 400 and "taken" in answer.content.decode()
    assert page_of(user).slug == "mallory"


def test_moves_sent_at_once_still_count_against_the_limit(mallory):
    user, _ = mallory
    page = page_of(user)
    stale = page_of(user)  # as read by requests that all passed the form's check
    for n in range(addresses.MOVES_ALLOWED):
        addresses.move(page, f"mallory_{n}")

    with pytest.raises(addresses.Refused, match="You can move it again"):
        addresses.move(stale, "mallory_late")

    assert page_of(user).slug == f"mallory_{addresses.MOVES_ALLOWED - 1}"


def _profile(username, display_name):
    from pages.source import Profile

    return Profile(username=username, display_name=display_name)
