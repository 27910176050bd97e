"""A newcomer runs `make run`: the sandbox fills with believable creators, once,
and demo pages are made through the real sign-in once the server runs."""

import pytest
from django.core.management import call_command

from linkinbio import demo
from pages.models import Page
from sandbox import testing as sandbox
from sandbox.models import Account, Client

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_believable_creators_once(capsys, settings):
    call_command("seed_demo", "--no-pages")
    creators = {a.username: a for a in Account.objects.all()}
    assert len(creators) >= 4
    counts = {name: a.videos.count() for name, a in creators.items()}
    assert any(a.is_verified and a.follower_count > 1_000_000 for a in creators.values())
    assert any(a.follower_count < 1000 for a in creators.values())
    assert max(counts.values()) >= 60
    assert min(counts.values()) == 0
    assert Client.objects.filter(client_key=settings.TIKTOK_CLIENT_KEY).exists()

    before = sorted(Account.objects.values_list("videos__video_id", flat=True).exclude(videos=None))
    call_command("seed_demo", "--no-pages")
    after = sorted(Account.objects.values_list("videos__video_id", flat=True).exclude(videos=None))
    assert before == after
    assert "already there" in capsys.readouterr().out


def test_demo_videos_spread_over_the_last_months():
    call_command("seed_demo", "--no-pages")
    busiest = max(Account.objects.all(), key=lambda a: a.videos.count())
    times = [v.create_time for v in busiest.videos.all()]
    assert (max(times) - min(times)) > 30 * 86400


def test_seed_demo_skips_product_pages_with_a_note_when_no_server_runs(capsys, monkeypatch):
    monkeypatch.setattr(demo, "server_is_up", lambda timeout=1.0: False)
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "Demo pages skipped" in out


@pytest.mark.django_db(transaction=True)
def test_demo_pages_are_made_through_the_real_sign_in_once_the_server_runs(demo_server, client):
    call_command("seed_demo", "--pages", "--wait", "5")
    call_command("seed_demo", "--pages")

    pages = Page.objects.filter(is_showcased=True).order_by("slug")
    assert [page.user.tiktok.open_id for page in pages] == [
        sandbox.open_id(name) for name in sorted(demo.PAGE_CREATORS)
    ]
    maya = Page.objects.get(user__tiktok__open_id=sandbox.open_id("mayacooks"))
    assert [link.title for link in maya.links.all()] == [
        title for title, _ in demo.DEMO_LINKS["mayacooks"]
    ]
    assert sandbox.stats()["calls"]["oauth.token"] == 2 * len(demo.PAGE_CREATORS)
    home = client.get("/").text
    assert f'href="/@{maya.slug}"' in home
