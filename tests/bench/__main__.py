"""Benchmarks of the public pages: `python -m tests.bench` (or `make bench`).

Starts the TikTok sandbox and the site under gunicorn (two processes each) and
the task worker, on 127.0.0.1 with a throw-away SQLite database, file cache and
media folder, and production settings (DEBUG off, whitenoise manifest). Makes
20 creators through the real sign-in path, then prints:

1. TikTok calls per endpoint for 500 concurrent visits over 20 stale pages
2. SQL queries of a warm view (on the app's tables, and in total)
3. compressed HTML + CSS of a page with 10 links and 12 videos
4. page latency with the sandbox answering in 5 s ("slow" fault) vs healthy
5. warm-view throughput vs a static file of the same size (same gunicorn),
   loaded by `wrk` (Debian package) when installed, else by tests/bench/load.py
6. Lighthouse scores of the public page and the home page (Debian's Chromium)
7. the fleet simulation (tests/bench/fleet.py): the scheduler's due-page
   queries over 100,000 pages (on FLEET_DATABASE_URL, say a PostgreSQL
   database of your own; in-memory SQLite by default), then FLEET_HOURS (24)
   of a fleet of FLEET_CREATORS (10,000) with TikTok's limit scaled to the
   fleet (60/min for 10,000 is 600/min for 100,000), TikTok's budget in Redis
   when FLEET_REDIS_URL or REDIS_URL names one
8. a new visitor with each request vs one visitor again and again, on the
   same warm page (wrk with tests/bench/visitors.lua: a new address each
   time, with a browser from a pool, or never seen before): rounds of
   ROUND_SECONDS, each holding at least one flush of the counts by each
   process, alternating; the ratios of the medians, the slowest requests,
   beside those of the same bytes as a static file in rounds between them
9. to 12. (tests/bench/frontend.py) a cover image vs a static file of the same
   bytes, from an S3 server and from local disk; Lighthouse's mobile LCP of
   public pages beside static copies of them; the bytes a 360x740 phone
   fetches for what it shows first; each dashboard screen gzipped
13. made-up addresses, each asked once (wrk with tests/bench/unknown.lua), vs
   the warm page, in alternating rounds: what a flood of invented /@names
   costs beside real visits

Every loop is bounded; every process is stopped at the end. Name sections to
run only those: `python -m tests.bench 5` (or `make bench SECTIONS=5`).
"""

import functools
import gzip
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from tests.bench import frontend, lighthouse, load
from tests.bench.servers import Processes, bench_environment, manage

CREATORS = 20
VISITS = 500
CONCURRENCY = 100
LINKS = 10


def wait_until(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    print(f"  (gave up waiting for {what} after {timeout} s)")
    return False


def make_creators(site):
    from linkinbio.demo import connect_demo_creator
    from pages import publish
    from pages.models import Link, Page
    from sandbox import testing

    testing.register_client(f"{site}{testing.CALLBACK_PATH}")
    for n in range(CREATORS):
        testing.create_account(
            f"bench{n}",
            display_name=f"Bench Creator {n}",
            bio_description="Recipes in 60 seconds. New video every day.",
            follower_count=120_000 + n,
            video_count=14,
        )
        connect_demo_creator(f"bench{n}")
    first = Page.objects.order_by("id").first()
    for n in range(LINKS):
        Link.objects.create(
            page=first,
            title=f"My favourite kitchen tool no. {n + 1}",
            url=f"https://shop.example.com/item/{n}",
        )
    publish.page_changed(first)
    wait_until(
        lambda: not Page.objects.filter(last_synced_at__isnull=True).exists(), 120, "first syncs"
    )
    return list(Page.objects.order_by("id").values_list("slug", flat=True))


def make_stale():
    from django.core.cache import cache
    from django.utils import timezone

    from pages.models import Page

    Page.objects.update(last_synced_at=timezone.now() - timedelta(hours=2))
    cache.clear()
    return timezone.now()


def synced_since(moment):
    from pages.models import Page

    return lambda: not Page.objects.filter(last_synced_at__lt=moment).exists()


def stale_visits(site, slugs):
    from django.db.models import Count

    from sandbox import testing
    from sources.tiktok.models import ApiCall

    before = testing.stats()["calls"]
    started = make_stale()
    urls = [f"{site}/@{slugs[n % len(slugs)]}" for n in range(VISITS)]
    statuses = load.concurrent_visits(urls, CONCURRENCY)
    wait_until(synced_since(started), 120, "the syncs")
    time.sleep(1)
    after = testing.stats()["calls"]
    per_page = (
        ApiCall.objects.filter(created__gte=started, page_id__isnull=False)
        .values("page_id", "endpoint")
        .annotate(n=Count("id"))
    )
    worst = {}
    for row in per_page:
        worst[row["endpoint"]] = max(worst.get(row["endpoint"], 0), row["n"])
    calls = {k: after.get(k, 0) - before.get(k, 0) for k in after}
    return statuses, calls, worst


def warm_queries(slug):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_USER_AGENT=load.BROWSER, HTTP_HOST="127.0.0.1")
    client.get(f"/@{slug}")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/@{slug}")
    sqls = [q["sql"] for q in queries.captured_queries]
    app = [s for s in sqls if re.search(r'"(pages|accounts|tiktok|sandbox)_', s)]
    return response.status_code, len(app), len(sqls)


def sizes(site, slug):
    status, html, _, _ = load.get(f"{site}/@{slug}")
    _, html_gz, headers, _ = load.get(f"{site}/@{slug}", {"Accept-Encoding": "gzip"})
    # The page's stylesheet is inlined: its bytes are in the HTML's.
    css = b"".join(re.findall(rb"<style>(.*?)</style>", html, re.DOTALL))
    css_gz = gzip.compress(css, compresslevel=9, mtime=0)
    return {
        "links": html.count(b'href="/l/'),
        "videos": html.count(b'class="pf-play"'),
        "html": len(html),
        "html_gz": len(html_gz) if headers.get("Content-Encoding") == "gzip" else None,
        "css": len(css),
        "css_gz": len(css_gz),
        "scripts": html.count(b"<script src="),
    }


def latency(site, slugs, slow):
    from sandbox import testing

    testing.clear_faults()
    if slow:
        testing.add_fault("*", "slow", times=100_000, delay=5.0)
    started = make_stale()
    load.latencies([f"{site}/@{slug}" for slug in slugs])  # each queues its sync
    time.sleep(2)
    seconds = load.latencies([f"{site}/@{slug}" for _ in range(10) for slug in slugs])
    testing.clear_faults()
    return load.summary(seconds), started


def throughput(processes, site, site_port, slug, static_root):
    """Warm page vs a static file of the same bytes, through the same gunicorn."""
    _, body, _, _ = load.get(f"{site}/@{slug}")
    # The same bytes as a static file, with its gzip variant beside it as
    # collectstatic makes them, so that both answer the same size either way.
    copies = [static_root / "bench-page.html", static_root / "bench-page.html.gz"]
    copies[0].write_bytes(body)
    copies[1].write_bytes(gzip.compress(body, compresslevel=9, mtime=0))
    try:
        processes.stop("site")
        processes.start_gunicorn("site", site_port)  # whitenoise lists static files at start
        page_url, static_url = f"{site}/@{slug}", f"{site}/static/bench-page.html"
        if load.wrk_path():
            client = "wrk -t2 -c16, gzip"
            measure = functools.partial(
                load.wrk_throughput, seconds=3.0, headers={"Accept-Encoding": "gzip"}
            )
        else:
            client = "the Python client (wrk not installed), no gzip"
            measure = functools.partial(load.throughput, seconds=2.0)
        for url in (page_url, static_url):
            load.get(url)  # warm both
        # Alternate short rounds so that noise from the machine hits both alike.
        rounds = {page_url: [], static_url: []}
        errors = 0
        for _ in range(3):
            for url in rounds:
                rps, bad = measure(url)
                rounds[url].append(rps)
                errors += bad
    finally:
        for copy in copies:
            copy.unlink(missing_ok=True)
    page_rps = statistics.median(rounds[page_url])
    static_rps = statistics.median(rounds[static_url])
    return (
        f"5. throughput, {len(body)} B responses, gunicorn 2 sync workers, load by {client}, "
        f"median of 3 alternating rounds: warm page {page_rps:.0f} req/s, static file "
        f"{static_rps:.0f} req/s, ratio {page_rps / static_rps:.2f} (target >= 0.95; "
        f"errors {errors})"
    )


ROUND_SECONDS = 12
ROUNDS = 3


def distinct_visitors(processes, site, site_port, slug, static_root):
    """Warm page throughput with a new visitor per request vs one visitor,
    and the slowest request meanwhile: counting must cost the visitors nothing.
    Rounds on a static file of the same bytes (whitenoise, no view, no
    counting) alternate with them: its slowest request is what the server and
    the machine alone cost, the floor of the page's."""
    from stats import counting as stats
    from stats.models import DailyCount

    def stored(metric):
        return sum(DailyCount.objects.filter(metric=metric).values_list("count", flat=True))

    if not load.wrk_path():
        return ["8. distinct visitors: skipped (wrk not installed: apt-get install wrk)"]
    url = f"{site}/@{slug}"
    _, body, _, _ = load.get(url)
    copies = [static_root / "bench-visitors.html", static_root / "bench-visitors.html.gz"]
    copies[0].write_bytes(body)
    copies[1].write_bytes(gzip.compress(body, compresslevel=9, mtime=0))
    processes.stop("site")
    processes.start_gunicorn("site", site_port)  # whitenoise lists static files at start
    static_url = f"{site}/static/bench-visitors.html"
    load.get(url)  # warm
    script = Path(__file__).with_name("visitors.lua")
    rounds = {"new": [], "unique": [], "one": [], "static": []}
    worst = dict.fromkeys(rounds, 0.0)
    errors = 0
    time.sleep(stats.FLUSH_SECONDS + 2)  # earlier sections' counts are stored
    views, visitors = stored("views"), stored("visitors")
    try:
        for n in range(ROUNDS):
            for mode in rounds:
                if mode == "static":
                    rps, bad, slowest = load.wrk_round(
                        static_url, ROUND_SECONDS, headers={"Accept-Encoding": "gzip"}
                    )
                else:
                    rps, bad, slowest = load.wrk_round(
                        url, ROUND_SECONDS, script=script, args=(mode, str(n))
                    )
                rounds[mode].append(rps)
                worst[mode], errors = max(worst[mode], slowest), errors + bad
    finally:
        for copy in copies:
            copy.unlink(missing_ok=True)
    median = {mode: statistics.median(figures) for mode, figures in rounds.items()}
    page_worst = max(worst["new"], worst["unique"], worst["one"])
    time.sleep(stats.FLUSH_SECONDS + 2)  # the last round's counts are stored
    views, visitors = stored("views") - views, stored("visitors") - visitors
    sent = round(sum(rounds["new"] + rounds["unique"]) * ROUND_SECONDS)
    return [
        f"8. warm page, gunicorn 2 sync workers, wrk -t2 -c16, {ROUNDS} alternating rounds of "
        f"{ROUND_SECONDS} s each, medians: a new visitor per request (new address, one of 450 "
        f"browsers) {median['new']:.0f} req/s, one visitor {median['one']:.0f} req/s, ratio "
        f"{median['new'] / median['one']:.2f} (target >= 0.9); a new address and a browser "
        f"never seen each time {median['unique']:.0f} req/s, ratio "
        f"{median['unique'] / median['one']:.2f}",
        f"8. slowest request: new visitors {worst['new'] * 1000:.0f} ms, never-seen browsers "
        f"{worst['unique'] * 1000:.0f} ms, one visitor {worst['one'] * 1000:.0f} ms (target "
        f"< 100 ms); the same bytes as a static file in rounds between them "
        f"{worst['static'] * 1000:.0f} ms ({median['static']:.0f} req/s), ratio "
        f"{page_worst / worst['static']:.2f}; errors {errors}; about {sent} new visitors "
        f"sent, {views} views and {visitors} unique visitors counted",
    ]


UNKNOWN_ROUNDS = 3
UNKNOWN_ROUND_SECONDS = 6


def unknown_addresses(site, slug):
    """Made-up addresses, each new (a database look-up each), vs the warm page."""
    if not load.wrk_path():
        return ["13. made-up addresses: skipped (wrk not installed: apt-get install wrk)"]
    url = f"{site}/@{slug}"
    load.get(url)  # warm
    script = Path(__file__).with_name("unknown.lua")
    rounds = {"made-up": [], "page": []}
    worst = dict.fromkeys(rounds, 0.0)
    errors = 0
    for n in range(UNKNOWN_ROUNDS):
        for kind in rounds:
            if kind == "page":
                rps, bad, slowest = load.wrk_round(
                    url, UNKNOWN_ROUND_SECONDS, headers={"Accept-Encoding": "gzip"}
                )
                errors += bad
            else:
                # wrk counts every answer, a 404, among its errors.
                rps, _, slowest = load.wrk_round(
                    site, UNKNOWN_ROUND_SECONDS, script=script, args=(str(n),)
                )
            rounds[kind].append(rps)
            worst[kind] = max(worst[kind], slowest)
    status = load.get(f"{site}/@madeup{UNKNOWN_ROUNDS}check")[0]
    median = {kind: statistics.median(figures) for kind, figures in rounds.items()}
    return [
        f"13. gunicorn 2 sync workers, wrk -t2 -c16, {UNKNOWN_ROUNDS} alternating rounds of "
        f"{UNKNOWN_ROUND_SECONDS} s, medians: a made-up address each time (HTTP {status}) "
        f"{median['made-up']:.0f} req/s, the warm page {median['page']:.0f} req/s (errors "
        f"{errors}), ratio {median['made-up'] / median['page']:.2f}; slowest request "
        f"{worst['made-up'] * 1000:.0f} ms vs {worst['page'] * 1000:.0f} ms"
    ]


def fleet_figures():
    creators = int(os.environ.get("FLEET_CREATORS", "10000"))
    limit = max(1, round(600 * creators / 100_000))
    env = {**os.environ, "TIKTOK_RATE_LIMIT_PER_MINUTE": str(limit)}
    env.pop("DJANGO_SETTINGS_MODULE", None)  # the simulation's own settings
    # TikTok's budget in Redis when there is one, as on several machines (keys prefixed "fleet").
    env.setdefault("FLEET_REDIS_URL", os.environ.get("REDIS_URL", ""))
    lines = []
    hours = os.environ.get("FLEET_HOURS", "24")
    for args in (
        ["--creators", "100000", "--hours", "0"],
        ["--creators", str(creators), "--hours", hours],
    ):
        run = subprocess.run(
            [sys.executable, "-m", "tests.bench.fleet", *args],
            cwd=Path(__file__).resolve().parents[2],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        lines += [line for line in run.stdout.splitlines() if not line.startswith("  hour")]
        if run.returncode:
            lines.append(f"7. fleet simulation failed: {run.stderr.strip()[-500:]}")
    return lines


def wanted(section):
    """Whether to run a section: all by default, or those named on the command
    line (`python -m tests.bench 5 7`)."""
    chosen = [int(arg) for arg in sys.argv[1:] if arg.isdigit()]
    return not chosen or section in chosen


def main():
    env, tmp, site_port, tiktok_port = bench_environment()
    os.environ.update(env)
    import django

    django.setup()
    from django.conf import settings

    site = env["SITE_URL"]
    processes = Processes(env, tmp)
    out = []
    try:
        print("Preparing: migrate, collectstatic, servers, 20 creators …", flush=True)
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput")
        processes.start_gunicorn("tiktok", tiktok_port)
        processes.start_gunicorn("site", site_port)
        processes.start_worker()
        slugs = make_creators(site)

        if wanted(1):
            print("1. stale visits …", flush=True)
            statuses, calls, worst = stale_visits(site, slugs)
            out.append(
                f"1. {VISITS} visits ({CONCURRENCY} at once) over {len(slugs)} stale pages: "
                f"{statuses.count(200)} answered 200; TikTok calls: user.info "
                f"{calls.get('user.info', 0)}, video.list {calls.get('video.list', 0)}, "
                f"oauth.token {calls.get('oauth.token', 0)} "
                f"(most for one page: user.info {worst.get('user.info', 0)}, "
                f"video.list {worst.get('video.list', 0)}; target <= 1 each)"
            )

        if wanted(2):
            print("2. warm view queries …", flush=True)
            status, app_queries, all_queries = warm_queries(slugs[0])
            out.append(
                f"2. warm view (HTTP {status}): {app_queries} SQL queries on app tables, "
                f"{all_queries} in total (target 0)"
            )

        if wanted(3):
            print("3. page size …", flush=True)
            s = sizes(site, slugs[0])
            out.append(
                f"3. page with {s['links']} links and {s['videos']} videos: HTML {s['html']} B "
                f"with its inline stylesheet ({s['css']} B, {s['css_gz']} B gzip alone) = "
                f"{(s['html_gz'] or 0) / 1024:.1f} KB compressed (target <= 14 KB); "
                f"{s['scripts']} script (deferred, only needed to play in place)"
            )

        if wanted(4):
            print("4. latency, healthy then slow TikTok …", flush=True)
            (healthy_p50, healthy_p95), _ = latency(site, slugs, slow=False)
            (slow_p50, slow_p95), slow_started = latency(site, slugs, slow=True)
            out.append(
                f"4. page latency, 200 sequential visits (after one visit per stale page queued "
                f"its sync): healthy p50 "
                f"{healthy_p50 * 1000:.1f} ms / p95 {healthy_p95 * 1000:.1f} ms; TikTok slow (5 s) "
                f"p50 {slow_p50 * 1000:.1f} ms / p95 {slow_p95 * 1000:.1f} ms; "
                f"ratio p50 {slow_p50 / healthy_p50:.2f} (target <= 1.2)"
            )
            if not wait_until(synced_since(slow_started), 60, "the slow syncs to finish"):
                from pages.models import Page

                for page in Page.objects.filter(last_synced_at__lt=slow_started)[:3]:
                    error = page.last_sync_error or "no error"
                    print(f"  @{page.slug}: {error}, lease {page.sync_lease_until}")

        if wanted(5):
            print("5. throughput …", flush=True)
            out.append(throughput(processes, site, site_port, slugs[0], settings.STATIC_ROOT))

        if wanted(6):
            print("6. Lighthouse …", flush=True)
            for name, url in (("public page", f"{site}/@{slugs[0]}"), ("home page", f"{site}/")):
                result, why = lighthouse.scores(url)
                if result is None:
                    out.append(f"6. Lighthouse, {name}: skipped ({why})")
                else:
                    figures = ", ".join(f"{k} {v}" for k, v in result.items())
                    out.append(
                        f"6. Lighthouse, {name}: {figures} "
                        "(target 100 for accessibility, best practices, SEO; >= 95 performance)"
                    )
        if wanted(7):
            print("7. fleet simulation …", flush=True)
            out += fleet_figures()
        if wanted(8):
            print("8. distinct visitors …", flush=True)
            out += distinct_visitors(
                processes, site, site_port, slugs[0], Path(settings.STATIC_ROOT)
            )
        if wanted(9):
            print("9. images …", flush=True)
            out += frontend.images(env, tmp, slugs[0], settings.STATIC_ROOT)
        if wanted(10):
            print("10. Lighthouse LCP …", flush=True)
            # The first has 10 links above its videos; the second, none: a cover is its LCP.
            out += frontend.largest_paint(env, tmp, slugs[:2], settings.STATIC_ROOT)
        if wanted(11):
            print("11. above the fold …", flush=True)
            out += frontend.above_the_fold(site, slugs[:2])
        if wanted(12):
            print("12. dashboard …", flush=True)
            out += frontend.dashboard(site, slugs[0])
        if wanted(13):
            print("13. made-up addresses …", flush=True)
            out += unknown_addresses(site, slugs[0])
    finally:
        processes.stop_all()
        shutil.rmtree(tmp, ignore_errors=True)
    print("\nlinkinbio benchmarks")
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
