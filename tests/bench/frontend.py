"""What a visitor's phone and a creator's dashboard cost, for `python -m
tests.bench` (sections 9 to 12):

9. a cover image vs a static file of the same bytes: through a gunicorn whose
   images are in a bucket (an S3 server, moto), and through one whose images
   are on local disk, each against whitenoise on the same gunicorn
10. Lighthouse's mobile Largest Contentful Paint of public pages, each beside
   a static copy of itself (what the front end costs, apart from the server)
11. the bytes a phone at 360x740 fetches to paint what it shows first
12. each dashboard screen, compressed as the browser receives it

Each figure is measured in one run, against its goal.
"""

import gzip
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.bench import lighthouse, load
from tests.bench.servers import Processes, free_port

PHONE = {"width": 360, "height": 740}
DASHBOARD_SCREENS = ["", "videos/", "appearance/", "share/", "stats/", "data/"]


def _alternating_rounds(urls, rounds=3, seconds=3.0):
    """Median requests per second of each URL over alternating wrk rounds, and
    the failed requests; the machine's noise hits every URL alike."""
    rates = {url: [] for url in urls}
    errors = 0
    for url in urls:
        load.get(url)  # warm
    for _ in range(rounds):
        for url in urls:
            rps, bad = load.wrk_throughput(url, seconds=seconds)
            rates[url].append(rps)
            errors += bad
    return {url: statistics.median(r) for url, r in rates.items()}, errors


def _start_s3(tmp):
    port = free_port()
    log = open(tmp / "s3.log", "ab")  # noqa: SIM115
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=log,
    )
    endpoint = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            urllib.request.urlopen(endpoint + "/", timeout=2)  # noqa: S310
            return server, endpoint
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise RuntimeError("the S3 server did not start")


def images(env, tmp, slug, static_root):
    """Section 9: lines of figures."""
    import boto3
    from django.conf import settings

    from pages.models import Page

    if not load.wrk_path():
        return ["9. images: skipped (wrk is not installed: apt-get install wrk)"]
    page = Page.objects.get(slug=slug)
    cover = page.videos.exclude(cover="").order_by("id").first().cover.name
    data = (Path(settings.MEDIA_ROOT) / cover).read_bytes()
    copy = Path(static_root) / "bench-cover.webp"
    copy.write_bytes(data)
    server, endpoint = _start_s3(tmp)
    bucket_env = {
        **env,
        "MEDIA_STORAGE_URL": (
            f"s3://bench:bench@bench/media?endpoint_url={endpoint}&region_name=us-east-1"
        ),
    }
    s3 = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
    )
    s3.create_bucket(Bucket="bench")
    s3.put_object(Bucket="bench", Key=f"media/{cover}", Body=data, ContentType="image/webp")
    lines = []
    setups = {
        "S3 server (moto), kept in memory after the first read": bucket_env,
        "S3 server (moto), read every time (nothing kept in memory)": {
            **bucket_env,
            "MEDIA_MEMORY_FILE_BYTES": "0",
        },
        "local disk": env,
    }
    processes = [Processes(setup, tmp) for setup in setups.values()]
    try:
        for where, procs in zip(setups, processes, strict=True):
            port = free_port()
            procs.start_gunicorn("images", port)  # whitenoise lists the copy at start
            base = f"http://127.0.0.1:{port}"
            cover_url, static_url = f"{base}/media/{cover}", f"{base}/static/bench-cover.webp"
            status, body, headers, _ = load.get(cover_url)
            assert status == 200 and body == data, f"the cover answered {status}"
            rates, errors = _alternating_rounds([cover_url, static_url])
            ratio = rates[cover_url] / rates[static_url]
            lines.append(
                f"9. a {len(data)} B cover from the {where}, gunicorn 2 sync workers, wrk -t2 "
                f"-c16, median of 3 alternating 3 s rounds: {rates[cover_url]:.0f} req/s vs "
                f"{rates[static_url]:.0f} req/s for the same bytes as a static file, ratio "
                f"{ratio:.2f} (target >= 0.8; errors {errors})"
            )
            procs.stop_all()
    finally:
        for procs in processes:
            procs.stop_all()
        server.terminate()
        server.wait(timeout=10)
        copy.unlink(missing_ok=True)
    return lines


def largest_paint(env, tmp, slugs, static_root, runs=3):
    """Section 10: Lighthouse's mobile LCP of each page and of a static copy of it."""
    copies = []
    for slug in slugs:
        _, body, _, _ = load.get(f"{env['SITE_URL']}/@{slug}")
        copy = Path(static_root) / f"bench-lcp-{slug}.html"
        copy.write_bytes(body)
        Path(f"{copy}.gz").write_bytes(gzip.compress(body, compresslevel=9, mtime=0))
        copies += [copy, Path(f"{copy}.gz")]
    procs = Processes(env, tmp)
    lines = []
    try:
        port = free_port()
        procs.start_gunicorn("lcp", port)
        base = f"http://127.0.0.1:{port}"
        for slug in slugs:
            urls = {"page": f"{base}/@{slug}", "copy": f"{base}/static/bench-lcp-{slug}.html"}
            seconds = {"page": [], "copy": []}
            for _ in range(runs):
                for kind, url in urls.items():
                    report, why = lighthouse.report(url)
                    if report is None:  # Lighthouse loses a trace now and then: once more
                        report, why = lighthouse.report(url)
                    if report is None:
                        return [f"10. Lighthouse LCP: skipped ({why})"]
                    lcp = report["audits"]["largest-contentful-paint"]["numericValue"] / 1000
                    seconds[kind].append(lcp)
            page, copy = statistics.median(seconds["page"]), statistics.median(seconds["copy"])
            lines.append(
                f"10. Lighthouse mobile LCP of @{slug}, median of {runs} alternating runs: "
                f"{page:.2f} s (goal <= 1.0 s); a static copy of the same page {copy:.2f} s, "
                f"ratio {page / copy:.2f}; {_lcp_parts(report)}"
            )
    finally:
        procs.stop_all()
        for copy in copies:
            copy.unlink(missing_ok=True)
    return lines


def _lcp_parts(report):
    """What the last run's LCP was and where its time went, as Lighthouse says."""
    audits = report["audits"]
    try:
        element, phases = audits["largest-contentful-paint-element"]["details"]["items"][:2]
        snippet = element["items"][0]["node"]["snippet"][:60]
        parts = ", ".join(f"{item['phase']} {item['timing']:.0f} ms" for item in phases["items"])
    except (KeyError, IndexError, ValueError):
        return "its element unknown"
    fcp = audits["first-contentful-paint"]["numericValue"]
    return f"FCP {fcp:.0f} ms, LCP element {snippet} ({parts})"


_IN_VIEW = """() => {
  const height = window.innerHeight;
  const shown = new Set([...document.images]
    .filter(img => { const r = img.getBoundingClientRect();
                     return r.width > 0 && r.bottom > 0 && r.top < height; })
    .map(img => img.currentSrc));
  const navigation = performance.getEntriesByType("navigation")[0];
  const first = [{url: location.href, bytes: navigation.transferSize}];
  const later = [];
  for (const r of performance.getEntriesByType("resource")) {
    const entry = {url: r.name, bytes: r.transferSize};
    if (r.initiatorType === "link" || r.initiatorType === "css" || shown.has(r.name)) {
      first.push(entry);
    } else {
      later.push(entry);
    }
  }
  return {first, later};
}"""


def above_the_fold(site, slugs):
    """Section 11: bytes fetched for what a 360x740 phone shows first."""
    from playwright.sync_api import sync_playwright

    chromium = lighthouse.CHROMIUM
    if not chromium.exists():
        return [f"11. above the fold: skipped ({chromium} is missing)"]
    lines = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(chromium), args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            for slug in slugs:
                context = browser.new_context(
                    viewport=PHONE, is_mobile=True, user_agent=load.BROWSER
                )
                page = context.new_page()
                page.goto(f"{site}/@{slug}", wait_until="load")
                page.wait_for_load_state("networkidle")
                seen = page.evaluate(_IN_VIEW)
                context.close()
                first = sum(entry["bytes"] for entry in seen["first"])
                later = sum(entry["bytes"] for entry in seen["later"])
                names = ", ".join(
                    f"{entry['url'].rsplit('/', 1)[-1][:24]} {entry['bytes']}"
                    for entry in seen["first"]
                )
                lines.append(
                    f"11. above the fold of @{slug} at 360x740: {first / 1024:.1f} KB in "
                    f"{len(seen['first'])} responses (goal <= 25 KB: {names}); "
                    f"{later / 1024:.1f} KB more fetched by the load event below the fold"
                )
        finally:
            browser.close()
    return lines


def dashboard(site, slug):
    """Section 12: each dashboard screen, compressed and not."""
    from django.conf import settings
    from django.test import Client

    from pages.models import Page

    client = Client()
    client.force_login(Page.objects.get(slug=slug).user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    figures, worst = [], 0
    for screen in DASHBOARD_SCREENS:
        url = f"{site}/dashboard/{screen}"
        status, plain, _, _ = load.get(url, {"Cookie": cookie})
        _, packed, headers, _ = load.get(url, {"Cookie": cookie, "Accept-Encoding": "gzip"})
        if status != 200 or headers.get("Content-Encoding") != "gzip":
            figures.append(f"/dashboard/{screen} answered {status} uncompressed")
            continue
        worst = max(worst, len(packed))
        figures.append(
            f"/dashboard/{screen} {len(plain) / 1024:.1f} KB -> {len(packed) / 1024:.1f} KB"
        )
    return [
        f"12. dashboard screens of @{slug} gzipped (goal <= 15 KB each; largest "
        f"{worst / 1024:.1f} KB, {worst / (15 * 1024):.2f} of the goal): " + "; ".join(figures)
    ]
