"""Alice's page address follows her TikTok username: offered in one click when
it arrives, her old address a permanent redirect for a year, her username
never offered to anyone else; and an address she picks herself."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from editor.address_views import AddressForm
from pages import addresses
from pages.models import Page
from pages.source import Profile
from tests.helpers import make_creator, page_of, sync

pytestmark = pytest.mark.django_db


@pytest.fixture
def fern(tiktok, client):
    """A creator who signed in with the basic scope only: her page is named
    after her display name."""
    user = make_creator("fern", scopes=["user.info.basic"])
    Page.objects.create(user=user, slug="fern_petal_plant_shop", display_name="Fern & Petal")
    tiktok.profile.update(display_name="Fern & Petal", username="fernandpetal")
    client.force_login(user)
    return user


def grant_profile_scope(user, tiktok):
    """Fern grants the profile scope; the next sync brings her username."""
    connection = user.tiktok
    connection.scopes = [*connection.scopes, "user.info.profile"]
    connection.save()
    assert sync(user) == "changed"


def test_the_username_arrives_and_fern_moves_in_one_click(fern, tiktok, client, visitor):
    grant_profile_scope(fern, tiktok)
    assert page_of(fern).username == "fernandpetal"

    # Her username leads to her page: nobody is invited to claim it.
    before = visitor.get("/@fernandpetal")
    assert before.status_code == 302 and before["Location"] == "/@fern_petal_plant_shop"
    dashboard = client.get("/dashboard/").content.decode()
    assert "Move to /@fernandpetal" in dashboard

    moved = client.post("/dashboard/address/", {"slug": "fernandpetal", "back": "dashboard"})

    assert moved.status_code == 302 and moved["Location"] == "/dashboard/"
    assert page_of(fern).slug == "fernandpetal"
    assert visitor.get("/@fernandpetal").status_code == 200
    old = visitor.get("/@fern_petal_plant_shop")
    assert old.status_code == 301 and old["Location"] == "/@fernandpetal"
    assert "Move to /@" not in client.get("/dashboard/").content.decode()


def test_the_old_address_leads_to_the_page_for_a_year_and_nobody_takes_it(
    fern, tiktok, client, visitor
):
    grant_profile_scope(fern, tiktok)
    client.post("/dashboard/address/", {"slug": "fernandpetal"})
    bob = make_creator("bob")

    named = Page.create_for(bob, _profile(None, display_name="Fern Petal Plant Shop"))
    assert named.slug == "fern_petal_plant_shop2"
    assert "taken" in addresses.problem(page_of(bob), "fern_petal_plant_shop")
    with time_machine.travel(timezone.now() + timedelta(days=364)):
        assert visitor.get("/@fern_petal_plant_shop").status_code == 301
    with time_machine.travel(timezone.now() + timedelta(days=366)):
        assert visitor.get("/@fern_petal_plant_shop").status_code == 404
        assert addresses.problem(page_of(bob), "fern_petal_plant_shop") is None


def test_another_creators_username_is_never_offered_or_given(fern, tiktok, visitor):
    grant_profile_scope(fern, tiktok)  # Fern is @fernandpetal on TikTok, not yet here
    bob = make_creator("bob")

    page = Page.create_for(bob, _profile("fernandpetal"))

    assert page.slug != "fernandpetal"
    assert "taken" in addresses.problem(page, "fernandpetal")
    assert "is free" not in visitor.get("/@fernandpetal", follow=True).content.decode()


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("admin", "kept for the site"),
        ("dashboard", "kept for the site"),
        ("a", "2 to 30"),
        ("fern petal", "2 to 30"),
        ("fern.petal", "2 to 30"),
        ("x" * 31, "30"),
        ("alice", "taken"),
        ("fern_petal_plant_shop", "already at"),
    ],
)
def test_fern_picks_an_address_and_hears_why_it_is_refused(fern, client, typed, said):
    make_creator("alice", page=True)

    response = client.post("/dashboard/address/", {"slug": typed})

    assert response.status_code == 400
    html = response.content.decode()
    assert said in html and "Nothing was saved yet" in html
    assert page_of(fern).slug == "fern_petal_plant_shop"


def test_fern_may_move_three_times_a_month(fern, client, visitor):
    for slug in ("fern_one", "fern_two", "fern_three"):
        assert client.post("/dashboard/address/", {"slug": slug}).status_code == 302

    refused = client.post("/dashboard/address/", {"slug": "fern_four"})

    assert refused.status_code == 400 and "You can move it again from" in refused.content.decode()
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        client.force_login(fern)  # a month on, she signs in again
        moved = client.post("/dashboard/address/", {"slug": "fern_four"})
        assert moved["Location"] == "/dashboard/address/"
    # Every address she left still leads to her page.
    for slug in ("fern_petal_plant_shop", "fern_one", "fern_two", "fern_three"):
        answer = visitor.get(f"/@{slug}")
        assert answer.status_code == 301 and answer["Location"] == "/@fern_four"


def test_moving_back_to_an_old_address_takes_it_back(fern, client, visitor):
    client.post("/dashboard/address/", {"slug": "fern_new"})
    client.post("/dashboard/address/", {"slug": "fern_petal_plant_shop"})

    assert visitor.get("/@fern_petal_plant_shop").status_code == 200
    assert visitor.get("/@fern_new")["Location"] == "/@fern_petal_plant_shop"


def test_every_editor_address_screen_answers_get(fern, client):
    response = client.get("/dashboard/address/")

    assert response.status_code == 200
    assert 'value="fern_petal_plant_shop"' in response.content.decode()


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])  # nothing is saved
@given(typed=st.text(max_size=40))
def test_whatever_is_typed_is_a_free_address_or_a_reason(fern, typed):
    page = page_of(fern)
    form = AddressForm({"slug": typed}, page=page)

    if form.is_valid():
        slug = form.cleaned_data["slug"]
        assert Page.is_claimable(slug) and addresses.is_free_for(page, slug)
    else:
        assert form.errors["slug"][0]


def _profile(username, display_name=""):
    return Profile(username=username, display_name=display_name or username)


def test_another_creator_cannot_take_the_address_an_underscored_username_gives(client, visitor):
    """@_mia_ on TikTok has her page at /@mia_art; the address her username
    gives is /@mia, offered to her in one click: Mallory cannot take it first,
    and a visitor typing /@mia finds Mia."""
    mia = make_creator("mia")
    Page.objects.create(user=mia, slug="mia_art", username="_mia_", display_name="Mia")
    assert addresses.address_for("_mia_") == "mia"
    mallory = make_creator("mallory")
    page = Page.objects.create(user=mallory, slug="mallory", display_name="Mallory")
    client.force_login(mallory)

    answer = client.post("/dashboard/address/", {"slug": "mia"})

    assert answer.status_code == 400
    assert Page.objects.get(pk=page.pk).slug == "mallory"
    assert visitor.get("/@mia")["Location"] == "/@mia_art"


# TikTok usernames as sources/tiktok/connect.py reads them: letters, digits,
# "_" and ".", an underscore or a dot at either end included.
tiktok_usernames = st.builds(
    lambda head, core, tail: head + core + tail,
    st.sampled_from(["", "_", "__", ".", "_.", "._"]),
    st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.]{0,16}[A-Za-z0-9]", fullmatch=True),
    st.sampled_from(["", "_", "__", "._"]),
)


@settings(max_examples=30, deadline=None)
@given(username=tiktok_usernames)
def test_the_address_a_username_gives_is_kept_for_its_creator_whatever_the_username(username):
    """Whatever a creator's TikTok username, when a sync brings it, nobody else
    can move to the address it gives, as Fern's /@fernandpetal is kept for her."""
    slug = addresses.address_for(username)
    if len(slug) < 2 or Page.is_reserved(slug) or not addresses._SHAPE.match(slug):
        return
    owner = make_creator("owner")
    owned = Page.objects.create(user=owner, slug="owner_page", username="owner_name")
    owned.username = username  # as the sync writes a changed username
    owned.save(update_fields=["username"])
    mallory = make_creator("mallory")
    page = Page.objects.create(user=mallory, slug="mallory", display_name="Mallory")
    try:
        assert addresses.problem(page, slug) == f"/@{slug} is taken. Try another address."
        assert Page.unique_slug(username) != slug
    finally:
        Page.objects.filter(user__in=[owner, mallory]).delete()
        owner.delete()
        mallory.delete()
