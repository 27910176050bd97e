"""A link's icon: the site's favicon, fetched once by the worker from a site
the creator chose, which may be slow, huge, lying or aimed at our own network.

The sites here are a tiny HTTP server on 127.0.0.1; only these tests let the
fetcher reach a private address (FAVICON_ALLOW_PRIVATE), and the test of the
rule itself runs with the rule on.
"""

import contextlib
import socket
import struct
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO

import pytest
from django.tasks import default_task_backend
from django.utils.timezone import now
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import EpsImagePlugin, Image, ImageFile

from pages.icons import favicons, icon_queue
from pages.models import Link
from tests.helpers import page_of, png

pytestmark = pytest.mark.django_db


def ico():
    out = BytesIO()
    Image.new("RGBA", (32, 32), "purple").save(out, "ICO")
    return out.getvalue()


def ico_bomb():
    """An ICO whose directory says 16x16 around a PNG of 5000x5000."""
    out = BytesIO()
    Image.new("1", (5000, 5000)).save(out, "PNG")
    picture = out.getvalue()
    directory = b"\0\0\1\0\1\0"  # reserved, type 1 (icon), one picture
    entry = bytes([16, 16, 0, 0]) + (1).to_bytes(2, "little") + (32).to_bytes(2, "little")
    entry += len(picture).to_bytes(4, "little") + (22).to_bytes(4, "little")
    return directory + entry + picture


class Site(BaseHTTPRequestHandler):
    """What each path of the creator's site answers."""

    def log_message(self, *args):
        pass

    hosts_asked = []

    def do_GET(self):
        self.hosts_asked.append(self.headers["Host"])
        kind = self.path.split("/")[1]
        if kind in ("good", "favicon.ico"):
            self._send(200, "image/x-icon", ico())
        elif kind == "png":
            self._send(200, "image/png", png("green", (48, 48)))
        elif kind == "huge":
            self._send(200, "image/x-icon", b"\0" * (favicons.MAX_BYTES * 3))
        elif kind == "endless":  # no length, never stops
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            for _ in range(1000):
                self.wfile.write(b"\0" * 8192)
        elif kind == "drip":  # a byte at a time, for ever
            self.send_response(200)
            self.send_header("Content-Type", "image/x-icon")
            self.end_headers()
            try:
                for _ in range(100):
                    self.wfile.write(b"\0")
                    self.wfile.flush()
                    time.sleep(0.05)
            except OSError:
                pass
        elif kind == "slowheaders":  # a header line now and then, each within the read timeout
            self.send_response(200)
            try:
                for n in range(40):
                    self.send_header(f"X-Wait-{n}", "still here")
                    self.flush_headers()
                    time.sleep(0.2)
            except OSError:
                pass
        elif kind == "silent":  # headers, then nothing
            self.send_response(200)
            self.send_header("Content-Type", "image/x-icon")
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.flush()
            time.sleep(3)
        elif kind == "html":
            self._send(200, "text/html", b"<html>hello</html>")
        elif kind == "svg":
            self._send(200, "image/svg+xml", b"<svg xmlns='http://www.w3.org/2000/svg'/>")
        elif kind == "liar":  # says image, is not one
            self._send(200, "image/png", b"MZ\x90\x00 definitely not a picture")
        elif kind == "bomb":  # a small file that opens as a giant image
            out = BytesIO()
            Image.new("1", (5000, 5000)).save(out, "PNG")
            self._send(200, "image/png", out.getvalue())
        elif kind == "icobomb":
            self._send(200, "image/x-icon", ico_bomb())
        elif kind == "to-metadata":
            self.send_response(302)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            self.end_headers()
        elif kind == "loop":
            self.send_response(302)
            self.send_header("Location", "/loop/again")
            self.end_headers()
        else:
            self._send(404, "text/plain", b"no")

    def _send(self, status, kind, body):
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(OSError):
            self.wfile.write(body)


@pytest.fixture
def site(settings, monkeypatch):
    """The creator's site on 127.0.0.1, reachable by the fetcher for this test only."""
    settings.FAVICON_ALLOW_PRIVATE = True
    monkeypatch.setattr(favicons, "READ_TIMEOUT", 0.5)
    monkeypatch.setattr(favicons, "DEADLINE", 1.0)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def refusal(url):
    with pytest.raises(favicons.IconRefused) as caught:
        favicons.fetch_icon(url)
    return str(caught.value)


def test_a_sites_icon_is_mirrored_as_a_small_webp(site):
    for path in ("/good/favicon.ico", "/png/favicon.ico"):
        data = favicons.fetch_icon(site + path)
        with Image.open(BytesIO(data)) as image:
            assert image.format == "WEBP"
            assert image.width <= 64 and image.height <= 64


@pytest.mark.parametrize(
    ("path", "why"),
    [
        ("/huge/favicon.ico", "too large"),
        ("/endless/favicon.ico", "too large"),
        ("/drip/favicon.ico", "too slow"),
        ("/slowheaders/favicon.ico", "too slow"),
        ("/silent/favicon.ico", "ReadTimeoutError"),
        ("/html/favicon.ico", "content type text/html"),
        ("/svg/favicon.ico", "content type image/svg+xml"),
        ("/liar/favicon.ico", "not an image"),
        ("/bomb/favicon.ico", "image too large"),
        ("/icobomb/favicon.ico", "image too large"),
        ("/loop/favicon.ico", "too many redirects"),
        ("/missing/favicon.ico", "HTTP 404"),
    ],
)
def test_a_slow_huge_or_lying_site_gives_no_icon(site, path, why):
    assert refusal(site + path) == why


def test_a_redirect_to_a_private_address_is_refused_even_when_the_site_is_local(
    site, settings, monkeypatch
):
    # The site itself is allowed for the test, the address it points to is not.
    real = favicons.public_address

    def only_the_test_site(host, port):
        if host == "127.0.0.1":
            return real(host, port)
        settings.FAVICON_ALLOW_PRIVATE = False
        try:
            return real(host, port)
        finally:
            settings.FAVICON_ALLOW_PRIVATE = True

    monkeypatch.setattr(favicons, "public_address", only_the_test_site)
    assert refusal(site + "/to-metadata/favicon.ico") == "private address"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/favicon.ico",
        "http://localhost/favicon.ico",
        "http://10.1.2.3/favicon.ico",
        "http://192.168.1.1/favicon.ico",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/favicon.ico",
        "http://[::ffff:127.0.0.1]/favicon.ico",
        "http://0x7f.1/favicon.ico",
    ],
)
def test_private_and_local_addresses_are_never_fetched(url, settings):
    assert settings.FAVICON_ALLOW_PRIVATE is False
    assert refusal(url) == "private address"


def test_a_broken_address_gives_no_icon_and_no_crash(alice):
    link = Link.objects.create(page=page_of(alice), title="Odd", url="https://exa mple.com/")
    assert favicons.mirror_icon(link) == "refused: bad address"
    link.refresh_from_db()
    assert link.icon_checked_at and not link.icon


def test_a_public_name_that_resolves_to_a_private_address_is_refused(monkeypatch):
    """DNS can answer anything for a name: the addresses are checked after resolving."""
    answers = {
        "rebind.example": ["93.184.216.34", "10.0.0.7"],
        "inside.example": ["fd00::1"],
    }

    def fake_getaddrinfo(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in answers[host]]

    monkeypatch.setattr(favicons.socket, "getaddrinfo", fake_getaddrinfo)
    for host in answers:
        assert refusal(f"https://{host}/favicon.ico") == "private address"


def test_a_links_icon_is_fetched_once_and_the_page_shows_it(site, alice, visitor, monkeypatch):
    # A public site's name, answered by the local one.
    monkeypatch.setattr(favicons, "public_address", lambda host, port: "127.0.0.1")
    port = int(site.rsplit(":", 1)[1])
    page = page_of(alice)
    link = Link.objects.create(page=page, title="My shop", url=f"http://shop.example:{port}/")
    asked = []
    fetch = favicons.fetch_icon
    monkeypatch.setattr(favicons, "fetch_icon", lambda url: asked.append(url) or fetch(url))
    assert favicons.mirror_icon(link) == "stored"
    link.refresh_from_db()
    assert favicons.mirror_icon(link) == "not needed"
    assert asked == [f"http://shop.example:{port}/favicon.ico"]
    assert Site.hosts_asked[-1] == f"shop.example:{port}"  # the site's name, not the address
    assert link.icon.name.startswith(f"pages/{page.pk}/i-") and link.icon_checked_at
    html = visitor.get("/@alice").content.decode()
    assert f'<img class="pf-icon" src="{link.icon.url}"' in html


def test_adding_a_link_has_the_worker_fetch_its_icon(
    site, alice_client, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.LINK_ICONS = True
    settings.TASKS = {
        "default": {
            **settings.TASKS["default"],
            "BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
        }
    }
    # Links to local addresses are refused: this one names a public site,
    # which the fetcher is told lives on 127.0.0.1.
    monkeypatch.setattr(favicons, "public_address", lambda host, port: "127.0.0.1")
    port = int(site.rsplit(":", 1)[1])
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(
            "/dashboard/links/add/",
            {"title": "Shop", "url": f"http://shop.example:{port}/", "enabled": "on"},
        )
    assert response.status_code == 302
    link = Link.objects.get(title="Shop")
    assert link.icon and link.icon_checked_at
    # A new address on another site: its icon is fetched again.
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(
            f"/dashboard/links/{link.pk}/",
            {"title": "Shop", "url": f"http://other.example:{port}/", "enabled": "on"},
        )
    relinked = Link.objects.get(pk=link.pk)
    assert relinked.icon_checked_at > link.icon_checked_at and relinked.icon


def test_a_link_with_an_emoji_or_a_header_needs_no_icon(alice):
    page = page_of(alice)
    emoji = Link.objects.create(page=page, title="Shop", url="https://a.example", emoji="🛍️")
    header = Link.objects.create(page=page, title="Music", kind=Link.HEADER)
    assert not emoji.wants_icon() and not header.wants_icon()
    assert favicons.mirror_icon(emoji) == "not needed"
    assert favicons.mirror_icon(header) == "not needed"


def test_links_from_before_icons_are_queued_once_by_the_scheduler(alice, settings):
    settings.LINK_ICONS = True
    page = page_of(alice)
    old = Link.objects.create(page=page, title="Old", url="https://old.example")
    Link.objects.create(page=page, title="Mail", url="mailto:a@example.com")
    Link.objects.create(page=page, title="Music", kind=Link.HEADER)
    Link.objects.create(page=page, title="Shop", url="https://s.example", emoji="🛍️")
    Link.objects.create(page=page, title="Done", url="https://d.example", icon_checked_at=now())
    default_task_backend.clear()
    assert icon_queue.queue_missing_icons() == 1
    assert [r.args for r in default_task_backend.results] == [[old.pk, "old.example"]]
    settings.LINK_ICONS = False
    assert icon_queue.queue_missing_icons() == 0


def test_an_icos_giant_picture_is_refused_before_anything_decodes_it(monkeypatch):
    def no_decoding(*args, **kwargs):
        raise AssertionError("Pillow opened the file")

    monkeypatch.setattr(favicons.Image, "open", no_decoding)
    with pytest.raises(favicons.IconRefused, match="image too large"):
        favicons._to_webp(ico_bomb())


def png_of_side(side):
    """A 1-bit black PNG `side` pixels square, made without the picture in
    memory: 13,300 a side is 26 KB of file and 177 MB decoded."""
    packed = zlib.compressobj(9)
    row = bytes(1 + (side + 7) // 8)  # the filter byte, then the pixels
    idat = b"".join(packed.compress(row) for _ in range(side)) + packed.flush()

    def chunk(kind, body):
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def ico_of(pictures, last_side=256):
    """An ICO whose directory says each picture is 16x16, but the last `last_side`."""
    directory = b"\0\0\1\0" + len(pictures).to_bytes(2, "little")
    offset = 6 + 16 * len(pictures)
    for n, picture in enumerate(pictures):
        side = last_side % 256 if n == len(pictures) - 1 else 16  # 0 means 256
        directory += bytes([side, side, 0, 0]) + (1).to_bytes(2, "little")
        directory += (32).to_bytes(2, "little") + len(picture).to_bytes(4, "little")
        directory += offset.to_bytes(4, "little")
        offset += len(picture)
    return directory + b"".join(pictures)


@pytest.fixture
def no_giant_decoding(monkeypatch):
    """Pillow may decode small pictures, never one past the icon's limit."""
    load = ImageFile.ImageFile.load

    def guarded(image):
        width, height = image.size
        if width * height > favicons.MAX_PIXELS:
            raise AssertionError(f"Pillow decoded a picture of {width}x{height}")
        return load(image)

    monkeypatch.setattr(ImageFile.ImageFile, "load", guarded)


def test_a_giant_picture_behind_64_small_ones_in_an_ico_is_refused_undecoded(
    no_giant_decoding,
):
    small = png("green", (16, 16))
    giant = png_of_side(13_300)
    bomb = ico_of([small] * 64 + [giant])
    assert len(giant) < 30_000 and len(bomb) < favicons.MAX_BYTES
    with pytest.raises(favicons.IconRefused, match="image too large"):
        favicons._to_webp(bomb)
    # The same file without its giant is a fine icon.
    assert favicons._to_webp(ico_of([small] * 64, last_side=16))[:4] == b"RIFF"


def test_an_icns_holding_a_giant_png_is_refused_undecoded(no_giant_decoding):
    giant = png_of_side(13_300)
    entry = b"ic07" + (8 + len(giant)).to_bytes(4, "big") + giant
    icns = b"icns" + (8 + len(entry)).to_bytes(4, "big") + entry
    with pytest.raises(favicons.IconRefused, match="not an image"):
        favicons._to_webp(icns)


def test_a_postscript_icon_never_reaches_ghostscript(monkeypatch):
    def no_ghostscript(*args, **kwargs):
        raise AssertionError("Ghostscript was called")

    monkeypatch.setattr(EpsImagePlugin, "Ghostscript", no_ghostscript)
    eps = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 32 32\nshowpage\n%%EOF\n"
    with pytest.raises(favicons.IconRefused, match="not an image"):
        favicons._to_webp(eps)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    head=st.sampled_from([b"\0\0\1\0", b"icns", b"\x89PNG\r\n\x1a\n", b"GIF89a", b""]),
    body=st.binary(max_size=2000),
)
def test_any_bytes_give_an_icon_or_a_refusal_never_an_error(head, body):
    with contextlib.suppress(favicons.IconRefused):
        assert favicons._to_webp(head + body)[:4] == b"RIFF"
