"""Fixtures every test shares.

Tests run on the real settings; the environment chooses SQLite or PostgreSQL
(DATABASE_URL) and the file cache or Redis (REDIS_URL). Each test gets an
empty cache and its own media folder, so nothing leaks between tests or into
a developer's `make run` data.
"""

import os
import uuid
from pathlib import Path

import pytest
from django.core.cache import cache
from hypothesis import settings as hypothesis_settings

from linkinbio.views import forget_readiness
from pages import cache as page_cache
from pages.media import files as media
from sources import registry
from stats import counting as stats
from stats import uniques, visitors
from tests.helpers import fresh_page, make_creator

# Drawn inputs (hypothesis): `make test` tries the same examples on every run
# (derandomized), so a red suite always means the code changed, never an
# unlucky draw, and a failure seen once is seen again by whoever runs it
# next. CI's second suite run (HYPOTHESIS_PROFILE=ci) tries five times as
# many, still the same ones each time. Deadlines are off: a request's time
# on a shared machine says nothing about its correctness.
hypothesis_settings.register_profile(
    "default", max_examples=200, derandomize=True, database=None, deadline=None
)
hypothesis_settings.register_profile(
    "ci", max_examples=1000, derandomize=True, database=None, deadline=None
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(autouse=True)
def isolated_storage(settings, tmp_path, tmp_path_factory):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LINK_ICONS = False  # no test reaches a link's site unless it says so
    if "FileBasedCache" in settings.CACHES["default"]["BACKEND"]:
        settings.CACHES = {
            "default": {
                **settings.CACHES["default"],
                "LOCATION": str(tmp_path_factory.getbasetemp() / "cache"),
            }
        }
    cache.clear()
    forget_readiness()
    page_cache.forget_missing()
    media.forget()
    # Views counted in this process by an earlier test must not be stored
    # during this one (their page is gone with that test's data); counts are
    # stored when a test says so, not by a thread of the test process.
    settings.COUNTS_FLUSH_THREAD = False
    stats._pending.clear()
    stats._seen.clear()
    stats._waiting.clear()
    stats._unique.clear()
    uniques.forget_all()
    visitors.forget_admitted()


# The personas (tests/helpers.py): creators connected to TikTok. The pages
# tests give them a page; the sandbox and browser tests have their own Alice.


@pytest.fixture
def alice(db):
    return make_creator("alice")


@pytest.fixture
def bob(db):
    return make_creator("bob")


# A real browser (Debian's Chromium, driven by Playwright's sync API) for
# tests against a live server. Playwright runs an event loop in the test
# thread; the ORM is safe there because nothing else runs in that thread.
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: apt-get install chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


# Mirrored images on either storage: local disk, and a bucket on the real S3
# protocol server named by TEST_S3_ENDPOINT (.ci/run starts moto in server
# mode). Without one, the bucket's tests skip, except in CI where they fail.
@pytest.fixture(params=["local disk", "S3 bucket"])
def media_storage(request, settings):
    if request.param == "local disk":
        yield None
        return
    endpoint = os.environ.get("TEST_S3_ENDPOINT", "")
    if not endpoint:
        message = "TEST_S3_ENDPOINT is not set (an S3 server such as `moto_server`)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from django.core.files.storage import storages

    from linkinbio.media_storage import storage_from_url

    bucket = f"test-{uuid.uuid4().hex[:16]}"
    url = f"s3://test:test@{bucket}/media?endpoint_url={endpoint}&region_name=us-east-1"
    settings.STORAGES = {**settings.STORAGES, "default": storage_from_url(url)}
    settings.MEDIA_BUCKET_WAIT_SECONDS = 60  # a busy test machine is not a slow bucket
    storage = storages["default"]
    storage.ensure_bucket()
    yield storage.bucket
    storage.bucket.objects.all().delete()
    storage.bucket.delete()


@pytest.fixture
def page(browser):
    with fresh_page(browser) as page:
        yield page


@pytest.fixture
def outside_requests(page, live_server):
    """Every request the page makes to a host other than the live server."""
    seen = []
    page.on(
        "request",
        lambda request: (
            None
            if request.url.startswith(live_server.url) or request.url.startswith("data:")
            else seen.append(request.url)
        ),
    )
    return seen


@pytest.fixture
def fake_source(settings):
    """Fakeflix (tests/helpers.py's FakeSource), a source beside TikTok under
    the key "fake", fresh for the test."""
    settings.SOURCES = {**settings.SOURCES, "fake": "tests.helpers.FakeSource"}
    registry._load.cache_clear()
    yield registry.get("fake")
    registry._load.cache_clear()
