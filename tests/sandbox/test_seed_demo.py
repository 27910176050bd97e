"""A newcomer runs `make run`: the sandbox fills with believable creators, once."""

import pytest
from django.core.management import call_command

from sandbox import demo
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


def test_demo_pages_go_through_the_accounts_app_when_the_server_runs(monkeypatch):
    import sys
    import types

    connected = []
    fake = types.ModuleType("accounts.demo")
    fake.connect_demo_creator = connected.append
    monkeypatch.setitem(sys.modules, "accounts.demo", fake)
    monkeypatch.setattr(demo, "server_is_up", lambda timeout=1.0: True)
    demo.connect_demo_pages(write=lambda line: None)
    assert connected == demo.PAGE_CREATORS
