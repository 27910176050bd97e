"""A day of a fleet on the real scheduler, budget and sync code (the
simulation of tests/bench/fleet.py, smaller): creators' pages keep fresh
inside TikTok's rate limit. `make bench` prints the figures for 100,000
creators; this guards them against regressions, with generous margins.

The fleet is small, so TikTok's limit is made as small in proportion (6
calls a minute for 1,000 creators is 600 for 100,000): the budget is as
tight as it is for the full fleet."""

import pytest

from accounts.models import User
from tests.bench import fleet


def play(settings, **options):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    # A cache whose entries expire on the simulated clock (Redis keeps real time).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.TIKTOK_RATE_LIMIT_PER_MINUTE = 6
    return fleet.simulate(creators=1000, hours=6, out=lambda line: None, **options)


@pytest.mark.django_db
def test_a_day_of_a_fleet_stays_inside_the_rate_limit_and_fresh(settings):
    figures = play(settings)

    for endpoint, calls in figures["calls"].items():
        assert calls["max"] <= 0.8 * 6, endpoint
        assert calls["mean"] > 0, endpoint
    assert figures["visited_syncs"] > 50
    assert figures["visited_within"] >= 0.95
    # Idle pages are synced a little before their day is over, never after.
    assert figures["idle_syncs_late"] == 0
    assert figures["idle_overdue_at_end"] == 0


@pytest.mark.django_db
def test_the_simulation_plays_the_same_day_with_the_whole_sync_task(settings):
    """The benchmark runs only the sync task's schedule (the whole task would
    take most of an hour for 100,000 creators): the whole task changes nothing."""
    quick = play(settings)
    User.objects.filter(username__startswith="fleet").delete()
    full = play(settings, full_sync=True)

    same = ["calls", "visited_syncs", "visited_within", "longest_visited_wait"]
    same += ["idle_syncs_late", "idle_overdue_at_end", "longest_idle_lateness"]
    assert {key: full[key] for key in same} == {key: quick[key] for key in same}
