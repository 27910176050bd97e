"""A CDN in front of the public pages: what it may keep and for how long, that
every visitor gets the same bytes, and that it is told once when a page
changes (and only then), without a failing CDN ever breaking a save."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.cache import cache
from django.test import Client

from accounts.models import User
from pages.models import BlockedDomain, Link
from tests.helpers import BROWSER, change_form, page_of, sync

pytestmark = pytest.mark.django_db

SCREENS = [""] + [f"?page={n}" for n in range(2, 10)]


class RecordingPurge:
    """A purge backend named by its dotted path, as a site's own would be."""

    calls = []

    def purge(self, keys, urls):
        self.calls.append((keys, urls))


class FailingPurge:
    def purge(self, keys, urls):
        raise RuntimeError("the CDN is down")


@pytest.fixture
def purges(settings, django_capture_on_commit_callbacks):
    """The purges the site sends, run by the task queue as a worker would."""
    settings.CDN_PURGE_BACKEND = "tests.pages.test_cdn.RecordingPurge"
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    RecordingPurge.calls = []
    return RecordingPurge.calls


@pytest.fixture
def synced(alice, tiktok, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sync(alice)
    return page_of(alice)


@pytest.fixture
def admin_client():
    client = Client()
    client.force_login(User.objects.create_superuser("staff", password="x"))
    return client


def addresses(slug):
    return [f"http://testserver/@{slug}{screen}" for screen in SCREENS]


def committed(capture, action):
    with capture(execute=True):
        return action()


# What a shared cache may keep.


def test_a_public_page_tells_a_cdn_how_long_to_keep_it(synced, visitor, settings):
    settings.PAGE_BROWSER_CACHE_SECONDS = 30
    settings.PAGE_CDN_CACHE_SECONDS = 3600
    settings.PAGE_STALE_WHILE_REVALIDATE_SECONDS = 45
    settings.PAGE_STALE_IF_ERROR_SECONDS = 7200
    response = visitor.get("/@alice")
    assert response["Cache-Control"] == (
        "public, max-age=30, s-maxage=3600, stale-while-revalidate=45, stale-if-error=7200"
    )
    assert response["Vary"] == "Accept-Encoding"
    assert response["Surrogate-Key"] == f"page-{synced.pk}"
    assert "Set-Cookie" not in response


@pytest.mark.parametrize("query", ["?utm_source=tiktok", "?x=1", "?page=1", "?page=01"])
def test_a_cdn_keeps_no_copy_a_purge_would_miss(synced, visitor, settings, query):
    # A copy under its own query would outlive an edit or a suspension there.
    settings.PAGE_BROWSER_CACHE_SECONDS = 30
    response = visitor.get(f"/@alice{query}")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, max-age=30"
    assert visitor.get("/@alice")["Cache-Control"].startswith("public, max-age=30, s-maxage=")


def test_two_visitors_and_alice_herself_get_byte_identical_pages(synced, alice):
    phone = Client(HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="203.0.113.7")
    desktop = Client(
        HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0",
        HTTP_ACCEPT_LANGUAGE="fr-FR",
        REMOTE_ADDR="198.51.100.23",
    )
    desktop.cookies["csrftoken"] = "x" * 32
    creator = Client(HTTP_USER_AGENT=BROWSER)
    creator.force_login(alice)
    bodies = []
    for client in (phone, desktop, creator):
        cache.clear()  # each renders the page itself, as on a machine of its own
        response = client.get("/@alice")
        assert response.status_code == 200
        assert "Set-Cookie" not in response and "Cookie" not in response["Vary"]
        bodies.append(response.content)
    assert bodies[0] == bodies[1] == bodies[2]
    assert b"csrfmiddlewaretoken" not in bodies[0]


def test_the_etag_is_the_same_on_another_machine(synced, visitor):
    first = visitor.get("/@alice")
    cache.clear()  # another machine, with its own cache, renders the page again
    again = visitor.get("/@alice", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again["ETag"] == first["ETag"]


# The purge: once per change, with the right keys and addresses.


def test_without_a_purge_backend_nothing_is_queued(
    synced, alice_client, settings, django_capture_on_commit_callbacks
):
    from django.tasks import default_task_backend

    default_task_backend.clear()
    committed(
        django_capture_on_commit_callbacks,
        lambda: alice_client.post(
            "/dashboard/links/add/", {"title": "Shop", "url": "https://shop.example.com"}
        ),
    )
    assert page_of(synced.user).links.count() == 1
    assert "purge_cdn" not in [r.task.name for r in default_task_backend.results]


def test_an_edit_purges_the_page_once_with_its_key_and_addresses(
    synced, alice_client, purges, django_capture_on_commit_callbacks
):
    response = committed(
        django_capture_on_commit_callbacks,
        lambda: alice_client.post(
            "/dashboard/links/add/", {"title": "Shop", "url": "https://shop.example.com"}
        ),
    )
    assert response.status_code == 302
    assert purges == [([f"page-{synced.pk}"], addresses("alice"))]


def test_a_sync_purges_only_when_something_changed(
    synced, alice, tiktok, purges, django_capture_on_commit_callbacks
):
    assert committed(django_capture_on_commit_callbacks, lambda: sync(alice)) == "unchanged"
    assert purges == []
    tiktok.profile["bio_description"] = "New songs on Sundays"
    assert committed(django_capture_on_commit_callbacks, lambda: sync(alice)) == "changed"
    assert purges == [([f"page-{synced.pk}"], addresses("alice"))]


def test_a_suspension_purges_the_page_and_its_pictures(
    synced, admin_client, purges, django_capture_on_commit_callbacks
):
    committed(
        django_capture_on_commit_callbacks,
        lambda: admin_client.post(
            "/admin/pages/page/",
            {"action": "suspend", "_selected_action": [synced.pk], "apply": "1", "reason": "spam"},
        ),
    )
    pictures = [synced.avatar.url] + [v.cover.url for v in synced.videos.all()]
    assert len(purges) == 1
    keys, urls = purges[0]
    assert keys == [f"page-{synced.pk}"]
    assert urls == addresses("alice") + [f"http://testserver{url}" for url in pictures]


def test_a_new_address_purges_the_old_one_too(
    synced, admin_client, purges, django_capture_on_commit_callbacks
):
    committed(
        django_capture_on_commit_callbacks,
        lambda: admin_client.post(
            f"/admin/pages/page/{synced.pk}/change/", change_form(synced, slug="alice_sings")
        ),
    )
    assert purges == [([f"page-{synced.pk}"], addresses("alice_sings") + addresses("alice"))]


def test_deleting_the_account_purges_the_page_and_its_pictures(
    synced, alice, purges, django_capture_on_commit_callbacks
):
    pictures = [synced.avatar.url] + [v.cover.url for v in synced.videos.all()]
    committed(django_capture_on_commit_callbacks, alice.delete)
    assert purges == [
        (
            [f"page-{synced.pk}"],
            addresses("alice") + [f"http://testserver{url}" for url in pictures],
        )
    ]


def test_blocking_a_domain_purges_each_page_linking_to_it_once(
    synced, bob, purges, django_capture_on_commit_callbacks
):
    Link.objects.create(page=synced, title="Deal", url="https://scam.example/deal")
    Link.objects.create(page=page_of(bob), title="Safe", url="https://safe.example/")
    committed(
        django_capture_on_commit_callbacks,
        lambda: BlockedDomain.objects.create(domain="scam.example"),
    )
    assert purges == [([f"page-{synced.pk}"], addresses("alice"))]


def test_a_failing_cdn_never_breaks_a_save(
    synced, alice_client, purges, settings, caplog, django_capture_on_commit_callbacks
):
    settings.CDN_PURGE_BACKEND = "tests.pages.test_cdn.FailingPurge"
    response = committed(
        django_capture_on_commit_callbacks,
        lambda: alice_client.post(
            "/dashboard/links/add/", {"title": "Shop", "url": "https://shop.example.com"}
        ),
    )
    assert response.status_code == 302
    assert page_of(synced.user).links.filter(title="Shop").exists()
    assert f"CDN purge of page {synced.pk} failed" in caplog.text


# The backends, against a CDN stand-in on 127.0.0.1.


class StandIn(BaseHTTPRequestHandler):
    def _record(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.server.seen.append((self.command, self.path, dict(self.headers), body))
        self.send_response(self.server.status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_PURGE = do_POST = _record

    def log_message(self, *args):
        pass


@pytest.fixture
def cdn_stand_in(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    server.seen, server.status = [], 200
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.CDN_PURGE_URL = f"http://127.0.0.1:{server.server_port}"
    settings.CDN_PURGE_TOKEN = "cdn-secret-token"
    settings.CDN_PURGE_ZONE = "zone42"
    yield server
    server.shutdown()
    server.server_close()


def test_the_http_backend_purges_by_key_then_each_address(cdn_stand_in, settings):
    from pages import purges

    settings.CDN_PURGE_BACKEND = "http"
    settings.SITE_URL = "https://links.example"
    urls = ["https://links.example/@alice", "https://links.example/@alice?page=2"]
    assert purges.run(4, ["page-4"], urls) == "purged"
    seen = [(method, path, headers.get("Host")) for method, path, headers, _ in cdn_stand_in.seen]
    assert seen[1:] == [
        ("PURGE", "/@alice", "links.example"),
        ("PURGE", "/@alice?page=2", "links.example"),
    ]
    assert seen[0][:2] == ("PURGE", "/")
    assert cdn_stand_in.seen[0][2]["Surrogate-Key"] == "page-4"


def test_the_fastly_backend_purges_by_surrogate_key(cdn_stand_in, settings):
    from pages import purges

    settings.CDN_PURGE_BACKEND = "fastly"
    assert purges.run(4, ["page-4"], ["https://links.example/@alice"]) == "purged"
    [(method, path, headers, _)] = cdn_stand_in.seen
    assert (method, path) == ("POST", "/service/zone42/purge")
    assert headers["Surrogate-Key"] == "page-4"
    assert headers["Fastly-Key"] == "cdn-secret-token"


def test_the_cloudflare_backend_purges_addresses_thirty_at_a_time(cdn_stand_in, settings):
    from pages import purges

    settings.CDN_PURGE_BACKEND = "cloudflare"
    urls = [f"https://links.example/media/pages/4/c-{n}.webp" for n in range(40)]
    assert purges.run(4, ["page-4"], urls) == "purged"
    assert [path for _, path, _, _ in cdn_stand_in.seen] == ["/zones/zone42/purge_cache"] * 2
    batches = [json.loads(body)["files"] for _, _, _, body in cdn_stand_in.seen]
    assert batches == [urls[:30], urls[30:]]
    assert cdn_stand_in.seen[0][2]["Authorization"] == "Bearer cdn-secret-token"


def test_a_cdn_refusing_the_purge_is_logged_without_the_token(cdn_stand_in, settings, caplog):
    from pages import purges

    settings.CDN_PURGE_BACKEND = "fastly"
    cdn_stand_in.status = 403
    assert purges.run(4, ["page-4"], []) == "failed"
    assert "CDN purge of page 4 failed" in caplog.text and "HTTP 403" in caplog.text
    assert "cdn-secret-token" not in caplog.text
