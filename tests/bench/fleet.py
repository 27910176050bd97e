"""A day of a large fleet on the real scheduler, budget and sync code.

`python -m tests.bench.fleet [--creators 100000] [--hours 24] [--full-sync]`
(or section 7 of `make bench`) fills a throw-away database with creators whose
pages were last synced at random moments of the day before, then plays a day
with the clock frozen and moved forward by hand (time-machine):

- every hour a share of the creators (5%) is visited, picked by a
  heavy-tailed popularity, each with a heavy-tailed number of visits spread
  over the hour; a visit goes through `syncing.request_from_visit`, as the
  warm view does, and the views are stored each 15 s as the scheduler's
  flush stores them (`stats.viewed_state`);
- every 15 s the scheduler's job `syncing.enqueue_due_syncs` runs;
- queued syncs run at once;
- TikTok is an in-process stand-in: it spends the real shared budget
  (sources/tiktok/budget.py) exactly as the TikTok source does, refreshes
  each creator's access token once it has run out (two hours by default,
  `oauth.token`), counts the calls and answers with the stored profile.

A queued sync runs the sync task's schedule (`pages/sync/reconcile.py`: the budget
spent per endpoint, then `synced_state` or `wait_for_room`), not its
reconciliation of the answers with the stored page: that costs some
milliseconds a page, would make a day of 100,000 creators take most of an
hour, and cannot change a figure here since the answers equal what is stored.
`--full-sync` runs the whole `sync_page` task instead; the test plays a small
fleet both ways and finds the same figures.

It prints TikTok calls per endpoint per minute, how soon visited pages and
idle pages were synced, the longest wait, and the scheduler's time per run.
"""

import argparse
import os
import random
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

TICK_SECONDS = 15
VISITED_SHARE = 0.05
START = datetime(2026, 6, 1, tzinfo=UTC)


class Fleet:
    """The simulated fleet: the pages' popularity and what happened to them."""

    def __init__(self, creators, seed=12):
        self.random = random.Random(seed)
        self.creators = creators
        # Heavy-tailed popularity (Pareto, alpha 1.1): a few pages draw most visits.
        self.popularity = [self.random.paretovariate(1.1) for _ in range(creators)]
        self.cumulative = []
        total = 0.0
        for weight in self.popularity:
            total += weight
            self.cumulative.append(total)
        self.calls = Counter()  # (endpoint, minute) -> calls
        self.last_synced = {}  # page id -> datetime
        self.stale_since = {}  # visited page id -> first visit that saw it stale
        self.visited_waits = []
        self.idle_lateness = []
        self.scheduler_seconds = []

    def visited_in_hour(self, page_ids):
        """{page id: sorted visit offsets in seconds} for one hour."""
        wanted = int(self.creators * VISITED_SHARE)
        chosen = set()
        while len(chosen) < wanted:
            for index in self.random.choices(
                range(self.creators), cum_weights=self.cumulative, k=wanted - len(chosen)
            ):
                chosen.add(index)
        visits = {}
        for index in chosen:
            count = min(int(self.random.paretovariate(1.2)), 240)
            visits[page_ids[index]] = sorted(self.random.uniform(0, 3600) for _ in range(count))
        return visits


def make_fleet(creators, now):
    """Creators with connections and pages synced at random moments of the last day."""
    from django.conf import settings

    from accounts.models import User
    from pages.media import share_image
    from pages.models import IDLE_EARLY_SHARE, Page, idle_due_at
    from sources.tiktok.models import TikTokConnection

    rng = random.Random(7)
    idle = settings.PAGE_IDLE_REFRESH_SECONDS
    batch = 5000
    for start in range(0, creators, batch):
        names = [f"fleet{n}" for n in range(start, min(start + batch, creators))]
        users = User.objects.bulk_create([User(username=name, password="!") for name in names])
        TikTokConnection.objects.bulk_create(
            [
                TikTokConnection(user=user, open_id=f"oid-{user.username}", scopes=["video.list"])
                for user in users
            ]
        )
        pages = [
            Page(
                id=user.pk,  # known before the insert, for the share picture's name
                user=user,
                slug=user.username,
                username=user.username,
                username_address=Page.address_for(user.username),
                display_name=user.username,
                videos_shown=0,
                last_synced_at=now
                - timedelta(seconds=rng.uniform(60, idle * (1 - IDLE_EARLY_SHARE) - 60)),
            )
            for user in users
        ]
        for page in pages:
            page.sync_due_at = idle_due_at(page.last_synced_at)
            # Its share picture shows it (made in the background long ago).
            page.share_image.name = f"pages/{share_image.file_name(page)}"
        Page.objects.bulk_create(pages)


class FakeTikTok:
    """TikTok answering in-process, behind the real shared budget.

    Access tokens live TIKTOK_SANDBOX_ACCESS_TOKEN_SECONDS (two hours, as
    TikTok's newer pages say) from the sync that last refreshed them: a call
    with a token that ran out (or runs out within the connection's margin)
    spends `oauth.token` first, as the TikTok source does, then refreshes.
    """

    def __init__(self, fleet, clock):
        from django.conf import settings

        self.fleet, self.clock = fleet, clock
        self.lifetime = timedelta(seconds=settings.TIKTOK_SANDBOX_ACCESS_TOKEN_SECONDS)
        self.token_expires = {}  # creator (= page id) -> when the access token ends

    def _count(self, endpoint):
        self.fleet.calls[endpoint, int((self.clock() - START).total_seconds() // 60)] += 1

    def spend(self, endpoint, creator):
        from pages.source import TryLater
        from sources.tiktok import budget
        from sources.tiktok.models import EXPIRY_MARGIN

        now = self.clock()
        expires = self.token_expires.get(creator)
        if expires is None:
            expires = self.fleet.last_synced[creator] + self.lifetime
        refreshing = expires <= now + EXPIRY_MARGIN
        if (refreshing and not budget.spend("oauth.token")) or not budget.spend(endpoint):
            raise TryLater("Waiting for its turn.", code="budget_spent", waiting=True)
        if refreshing:
            self._count("oauth.token")
            expires = now + self.lifetime
        self.token_expires[creator] = expires
        self._count(endpoint)

    def profile(self, user, *, page_id=None):
        from pages.source import Profile

        self.spend("user.info", user.pk)
        return Profile(username=user.username, display_name=user.username)

    def latest_videos(self, user, count, *, page_id=None):
        from pages.source import VideoList

        self.spend("video.list", user.pk)
        return VideoList(items=[], complete=True)


class ScheduleOnlySync:
    """The sync task as the schedule sees it: the source's calls in the order
    `update_page` makes them, then the state it leaves (see the module's doc)."""

    def __init__(self, tiktok, clock):
        self.tiktok, self.clock = tiktok, clock

    def enqueue(self, page_id, lease):
        from pages.source import TryLater
        from pages.sync import leases
        from pages.sync import reconcile as sync

        now = self.clock()
        try:
            # A page's creator has the page's id (make_fleet).
            self.tiktok.spend("user.info", page_id)
            self.tiktok.spend("video.list", page_id)
        except TryLater:
            return sync.wait_for_room(page_id, lease)
        leases.release(page_id, lease, **sync.synced_state(now))
        return "unchanged"


def simulate(creators=100_000, hours=24, out=print, full_sync=False):
    """Play `hours` of a fleet of `creators` pages; returns the figures."""
    import time_machine
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from django.utils import timezone

    from pages.models import Page
    from pages.source import Connection
    from pages.sync import leases
    from pages.sync import schedule as syncing
    from sources import registry
    from sources.tiktok import budget

    source = registry.get("tiktok")

    refresh = settings.PAGE_REFRESH_SECONDS
    idle = settings.PAGE_IDLE_REFRESH_SECONDS
    fleet = Fleet(creators)
    with time_machine.travel(START, tick=False) as traveller:
        started = time.perf_counter()
        make_fleet(creators, timezone.now())
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # as autovacuum would after such an insert
        budget.reset()
        cache.clear()
        rows = Page.objects.order_by("id").values_list("id", "last_synced_at")
        fleet.last_synced = dict(rows)
        page_ids = list(fleet.last_synced)
        out(f"  made {creators} creators in {time.perf_counter() - started:.1f} s")
        # Half a day in: some pages are due (idle ones), most are not.
        traveller.shift(12 * 3600)
        per_run, plans = scheduler_queries()
        traveller.shift(-12 * 3600)
        out(f"  the scheduler's due-page queries over {creators} pages: {per_run:.1f} ms per run")
        for plan in plans:
            out("  " + plan.replace("\n", "\n  "))
        if not hours:
            return {"due_query_ms": per_run}

        fake = FakeTikTok(fleet, timezone.now)
        connected = Connection(state="connected", banner="")
        real_release = leases.release

        def release(page_id, lease, **fields):
            released = real_release(page_id, lease, **fields)
            if released and "last_synced_at" in fields:
                synced(page_id, fields["last_synced_at"])
            return released

        def synced(page_id, when):
            before = fleet.last_synced[page_id]
            late = (when - before).total_seconds() - idle
            if page_id in fleet.stale_since:
                fleet.visited_waits.append((when - fleet.stale_since.pop(page_id)).total_seconds())
            elif late > 0:
                fleet.idle_lateness.append(late)
            fleet.last_synced[page_id] = when

        patches = {
            (source, "profile"): fake.profile,
            (source, "latest_videos"): fake.latest_videos,
            (source, "connection"): lambda user: connected,
            (leases, "release"): release,
        }
        if not full_sync:
            patches[syncing, "sync_page"] = ScheduleOnlySync(fake, timezone.now)
        saved = {target: getattr(*target) for target in patches}
        for (owner, name), value in patches.items():
            setattr(owner, name, value)
        try:
            started = time.perf_counter()
            _play(fleet, page_ids, hours, traveller, refresh, out)
            elapsed = time.perf_counter() - started
        finally:
            for (owner, name), value in saved.items():
                setattr(owner, name, value)
        end = timezone.now()
    # Pages still waiting at the end count with the wait so far.
    for page_id, since in fleet.stale_since.items():
        fleet.visited_waits.append((end - since).total_seconds())
    overdue = [
        (end - last).total_seconds() - idle
        for last in fleet.last_synced.values()
        if (end - last).total_seconds() > idle
    ]
    where = connection.vendor + (", budget in Redis" if settings.REDIS_URL else "")
    return _figures(fleet, hours, refresh, overdue, elapsed, where)


def _play(fleet, page_ids, hours, traveller, refresh, out):
    from django.utils import timezone

    from pages.models import Page
    from pages.sync import schedule as syncing
    from stats import counting as stats

    ticks_per_hour = 3600 // TICK_SECONDS
    for hour in range(hours):
        visits = fleet.visited_in_hour(page_ids)
        by_tick = {}
        for page_id, offsets in visits.items():
            for offset in offsets:
                by_tick.setdefault(int(offset // TICK_SECONDS), set()).add(page_id)
        for tick in range(ticks_per_hour):
            now = timezone.now()
            visited = by_tick.get(tick, ())
            for page_id in visited:
                stale_at = fleet.last_synced[page_id] + timedelta(seconds=refresh)
                if now >= stale_at:
                    fleet.stale_since.setdefault(page_id, now)
                state = {
                    "id": page_id,
                    "gone": False,
                    "sync": True,
                    "stale_at": stale_at.timestamp(),
                }
                syncing.request_from_visit(state)
            if visited:
                # What storing the counted views does (stats/counting.py).
                Page.objects.filter(pk__in=list(visited)).update(**stats.viewed_state(now))
            started = time.perf_counter()
            syncing.enqueue_due_syncs()
            fleet.scheduler_seconds.append(time.perf_counter() - started)
            traveller.shift(TICK_SECONDS)
        out(f"  hour {hour + 1}: {len(visits)} pages visited")


def scheduler_queries(runs=20, limit=100):
    """The scheduler's due-page queries now: (ms per run, [EXPLAIN of each query])."""
    from django.db import connection

    from pages.sync import schedule as syncing

    captured = []

    def capture(execute, sql, params, many, context):
        captured.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        syncing.due_page_ids(limit)
    started = time.perf_counter()
    for _ in range(runs):
        syncing.due_page_ids(limit)
    per_run = 1000 * (time.perf_counter() - started) / runs
    analyze = "EXPLAIN ANALYZE " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
    plans = []
    with connection.cursor() as cursor:
        for sql, params in captured:
            cursor.execute(analyze + sql, params)
            plans.append("\n".join(" | ".join(str(c) for c in row) for row in cursor.fetchall()))
    return per_run, plans


def _figures(fleet, hours, refresh, overdue, elapsed, vendor):
    from django.conf import settings

    minutes = hours * 60
    per_endpoint = {}
    for endpoint in ("oauth.token", "user.info", "video.list"):
        counts = [fleet.calls[endpoint, m] for m in range(minutes)]
        per_endpoint[endpoint] = {"max": max(counts), "mean": sum(counts) / minutes}
    waits = fleet.visited_waits
    within = sum(1 for w in waits if w <= refresh)
    runs = sorted(fleet.scheduler_seconds)
    return {
        "calls": per_endpoint,
        "visited_syncs": len(waits),
        "visited_within": within / len(waits) if waits else 1.0,
        "longest_visited_wait": max(waits, default=0),
        "idle_syncs_late": len(fleet.idle_lateness),
        "idle_overdue_at_end": len(overdue),
        "longest_idle_lateness": max(fleet.idle_lateness + overdue, default=0),
        "scheduler_mean_ms": 1000 * sum(runs) / len(runs),
        "scheduler_p99_ms": 1000 * runs[int(len(runs) * 0.99)],
        "scheduler_max_ms": 1000 * runs[-1],
        "elapsed": elapsed,
        "vendor": vendor,
        "token_hours": settings.TIKTOK_SANDBOX_ACCESS_TOKEN_SECONDS / 3600,
    }


def report(figures, creators, hours, limit):
    """The figures as lines for people."""
    calls = figures["calls"]
    target = 0.8 * limit
    return [
        f"7. fleet of {creators} creators, {hours} simulated hours, {VISITED_SHARE:.0%} visited "
        f"each hour (heavy-tailed), access tokens of {figures['token_hours']:g} h, "
        f"on {figures['vendor']}, played in {figures['elapsed']:.0f} s:",
        "   TikTok calls per minute: "
        + "; ".join(
            f"{endpoint} max {c['max']} / mean {c['mean']:.0f}" for endpoint, c in calls.items()
        )
        + f" (target max <= {target:.0f})",
        f"   visited pages synced within PAGE_REFRESH_SECONDS of a visit that saw them stale: "
        f"{figures['visited_within']:.2%} of {figures['visited_syncs']} (target >= 99%); "
        f"longest wait {figures['longest_visited_wait']:.0f} s",
        f"   idle pages synced within a day of their last sync: "
        f"{figures['idle_syncs_late']} late, {figures['idle_overdue_at_end']} overdue at the end "
        f"(target 0); longest lateness {figures['longest_idle_lateness']:.0f} s",
        f"   scheduler job per run (15 s), with the syncs it ran (tasks run at once): "
        f"mean {figures['scheduler_mean_ms']:.1f} ms, "
        f"p99 {figures['scheduler_p99_ms']:.1f} ms, max {figures['scheduler_max_ms']:.1f} ms",
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--creators", type=int, default=100_000)
    parser.add_argument("--hours", type=int, default=24)
    parser.add_argument(
        "--full-sync", action="store_true", help="run the whole sync task for each sync"
    )
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.bench.fleet_settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    print(f"Fleet simulation on {connection.settings_dict['NAME']} …", flush=True)
    figures = simulate(
        args.creators,
        args.hours,
        out=lambda line: print(line, flush=True),
        full_sync=args.full_sync,
    )
    if not args.hours:
        return 0
    print(
        "\n".join(report(figures, args.creators, args.hours, settings.TIKTOK_RATE_LIMIT_PER_MINUTE))
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
