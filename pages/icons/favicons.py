"""The icon beside a link: the site's own favicon, fetched once by the
background worker and mirrored as a small WebP, never fetched by visitors.

A creator chooses the address, so the fetch is a request an attacker aims:
- the host is resolved here and every address it resolves to must be public
  (pages/safety/hosts.py's rule for links: no loopback, private, link-local or
  metadata address); the connection then goes to the address that was
  checked, so a second DNS answer cannot swap in another (DNS rebinding);
- at most `MAX_REDIRECTS` redirects, each checked the same way;
- short connect and read timeouts and a deadline for the whole download, so
  a site that sends one byte a second cannot hold the worker;
- at most `MAX_BYTES`, an image content type, and bytes Pillow reads as an
  image of one of `FORMATS` no larger than `MAX_PIXELS`, every picture of an
  ICO measured before anything decodes one (then re-encoded: nothing of the
  original file is served).

`settings.FAVICON_ALLOW_PRIVATE` lifts the address rule for tests that run a
site on 127.0.0.1; no environment variable sets it. When fetches are queued,
and how many, is pages/icons/icon_queue.py's.
"""

import contextlib
import hashlib
import http.client
import ipaddress
import logging
import socket
import struct
import threading
import time
from io import BytesIO
from urllib.parse import urljoin, urlsplit

import urllib3
import urllib3.connection
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.tasks import task
from django.utils import timezone
from PIL import BmpImagePlugin, IcoImagePlugin, Image, PngImagePlugin, UnidentifiedImageError

from pages import publish
from pages.media import images
from pages.models import Link
from pages.safety import hosts
from pages.safety.links import link_host

logger = logging.getLogger(__name__)

ICON_SIZE = (64, 64)  # shown at 24 px: sharp on 2x screens
MAX_BYTES = 100_000
MAX_PIXELS = 1_000_000
# The formats a site's icon may come in (Pillow's names): no ICNS, TIFF or
# EPS, whose pictures Pillow cannot measure before it decodes them, or which
# run other programs.
FORMATS = ("ICO", "PNG", "GIF", "JPEG", "WEBP", "BMP")
MAX_REDIRECTS = 3
READ_TIMEOUT = 3.0
DEADLINE = 6.0
USER_AGENT = "linkinbio-favicon/1.0 (+icon beside a creator's link)"


class IconRefused(Exception):
    """No icon from this site; the message says why, for the log."""


# On a queue of its own, with its own worker (pages/icons/icon_queue.py).
@task(queue_name="icons")
def mirror_link_icon(link_id, host=""):
    """Fetch and store the site icon of one link (once), and of the links
    waiting for the same site's; `host` is the site it was queued for."""
    link = Link.objects.filter(pk=link_id).first()
    if link is None:
        release(host)
        return "gone"
    return mirror_icon(link, queued_for=host)


def mirror_icon(link, queued_for=""):
    """Fetch the icon of the link's site once and store it for the link and
    for every other link waiting for that site's icon (their fetches were
    not queued: pages/icons/icon_queue.py); returns what happened to the link.
    `queued_for` is the site the fetch was queued for (the link may have
    moved since): its mark as pending goes too."""
    if not link.wants_icon():
        release(queued_for)
        return "not needed"
    host = link_host(link.url)
    data, outcome = None, "stored"
    try:
        data = fetch_icon(_icon_url(link.url))
    except IconRefused as exc:
        outcome = f"refused: {exc}"
    # Before looking for the waiting links: a link saved from now on queues
    # its own fetch, one saved before is found below.
    release(queued_for, host)
    others = [pk for pk in _waiting_for(link) if pk != link.pk]
    stored = _store(link.pk, host, data)
    for pk in others:
        _store(pk, host, data)
    logger.info("Icon of link %s (and %d more): %s", link.pk, len(others), outcome)
    return outcome if stored else "changed meanwhile"


def pending_key(host):
    """The cache key that marks a fetch of the host's icon as queued (the
    host as a creator typed it may hold anything: its digest is the key)."""
    return f"pages:icon-pending:{hashlib.blake2b(host.encode(), digest_size=12).hexdigest()}"


def release(*hosts):
    """The fetches of these hosts' icons are no longer pending."""
    keys = [pending_key(host) for host in set(hosts) if host]
    try:
        cache.delete_many(keys)
    except Exception:
        logger.warning("Icon fetches of %s stay marked pending", hosts, exc_info=True)


def _waiting_for(link):
    """The ids of the links waiting for an icon from the same address as `link`'s."""
    host, icon_url = link_host(link.url), _icon_url_or_none(link.url)
    candidates = Link.objects.filter(
        kind=Link.LINK, emoji="", icon_checked_at__isnull=True, url__icontains=host
    ).values_list("pk", "url")
    return [pk for pk, url in candidates if _icon_url_or_none(url) == icon_url]


def _icon_url_or_none(url):
    try:
        return _icon_url(url)
    except IconRefused:
        return None


def _store(link_id, host, data):
    """Store the icon (or that there is none) for a link still waiting for
    one from `host`; False when it changed meanwhile."""
    with transaction.atomic():
        fresh = Link.objects.select_for_update().filter(pk=link_id).first()
        if fresh is None or not fresh.wants_icon() or link_host(fresh.url) != host:
            return False
        fresh.icon_checked_at = timezone.now()
        if data is not None:
            name, content = images.webp_file(data, f"{fresh.page_id}/i")
            fresh.icon.save(name, content, save=False)
        fresh.save(update_fields=["icon", "icon_checked_at"])
        if data is not None:
            publish.page_changed(fresh.page)
    return True


def _icon_url(url):
    """Where a site keeps its icon: /favicon.ico of the link's scheme, host and port."""
    try:
        parts = urlsplit(url)
        host = hosts.normalize(parts.hostname)
        port = parts.port
    except ValueError as exc:  # hosts.BadHost too
        raise IconRefused("bad address") from exc
    netloc = f"[{host}]" if ":" in host else host
    netloc = f"{netloc}:{port}" if port else netloc
    return f"{parts.scheme.lower()}://{netloc}/favicon.ico"


def fetch_icon(url):
    """The icon at `url` as WebP bytes, or IconRefused."""
    deadline = time.monotonic() + DEADLINE
    for _ in range(MAX_REDIRECTS + 1):
        status, headers, body = _get(url, deadline)
        if status in (301, 302, 303, 307, 308) and headers.get("location"):
            url = urljoin(url, headers["location"])
            continue
        if status != 200:
            raise IconRefused(f"HTTP {status}")
        kind = headers.get("content-type", "").split(";")[0].strip().lower()
        if not kind.startswith("image/") or kind == "image/svg+xml":
            raise IconRefused(f"content type {kind or 'missing'}")
        return _to_webp(body)
    raise IconRefused("too many redirects")


def _ico_sizes(data):
    """The pixel size of every picture of an ICO file, read as Pillow reads
    it from the picture's own header (PNG or bitmap), without decoding any:
    Pillow decodes the largest picture the directory declares as it opens
    the file, and that picture may be far larger than declared."""
    buf = BytesIO(data)
    for entry in IcoImagePlugin.IcoFile(buf).entry:
        buf.seek(entry.offset)
        is_png = buf.read(8) == b"\x89PNG\r\n\x1a\n"
        buf.seek(entry.offset)
        if is_png:
            yield PngImagePlugin.PngImageFile(buf).size
        else:  # a bitmap: its height counts the mask too
            width, height = BmpImagePlugin.DibImageFile(buf).size
            yield width, height // 2


def _to_webp(data):
    try:
        if data[:4] == b"\0\0\1\0" and any(
            w * h > MAX_PIXELS or w > 4096 or h > 4096 for w, h in _ico_sizes(data)
        ):
            raise IconRefused("image too large")
        with Image.open(BytesIO(data), formats=FORMATS) as image:
            if image.width * image.height > MAX_PIXELS:
                raise IconRefused("image too large")
            image.verify()
    except (
        UnidentifiedImageError,
        SyntaxError,  # Pillow's "not a PNG file"
        OSError,
        ValueError,
        EOFError,
        IndexError,  # a directory longer than the file
        struct.error,
        Image.DecompressionBombError,
    ) as exc:
        raise IconRefused("not an image") from exc
    try:
        return images.to_webp(data, ICON_SIZE, formats=FORMATS)
    except images.BadImage as exc:
        raise IconRefused("not an image") from exc


def public_address(host, port):
    """The first address of `host` that may be fetched, or IconRefused when
    any address it resolves to is not public (unless tests allow that)."""
    try:
        host = hosts.normalize(host)
    except hosts.BadHost as exc:
        raise IconRefused("bad host") from exc
    if hosts.refusal(host) and not settings.FAVICON_ALLOW_PRIVATE:
        raise IconRefused("private address")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise IconRefused("host not found") from exc
    addresses = [info[4][0].split("%", 1)[0] for info in infos]
    if not addresses:
        raise IconRefused("host not found")
    for address in addresses:
        if (
            not hosts.is_public(ipaddress.ip_address(address))
            and not settings.FAVICON_ALLOW_PRIVATE
        ):
            raise IconRefused("private address")
    return addresses[0]


def _get(url, deadline):
    """One GET to the checked address of the URL's host: (status, headers, body)."""
    try:
        parts = urlsplit(url)
        scheme, port = parts.scheme.lower(), parts.port
        host = hosts.normalize(parts.hostname)
    except ValueError as exc:  # hosts.BadHost too
        raise IconRefused("bad address") from exc
    if scheme not in ("http", "https") or parts.username or parts.password:
        raise IconRefused("bad address")
    address = public_address(host, port or (443 if scheme == "https" else 80))
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if any(ord(ch) < 33 or ord(ch) > 126 for ch in path):
        raise IconRefused("bad address")
    host_header = f"[{host}]" if ":" in host else host
    host_header += f":{port}" if port else ""
    port = port or (443 if scheme == "https" else 80)
    timeout = READ_TIMEOUT  # for the connection and for each read
    if scheme == "https":
        conn = urllib3.connection.HTTPSConnection(
            address, port, timeout=timeout, server_hostname=host, assert_hostname=host
        )
    else:
        conn = urllib3.connection.HTTPConnection(address, port, timeout=timeout)
    headers = {
        "Host": host_header,
        "User-Agent": USER_AGENT,
        "Accept": "image/*",
    }
    # Each read has its own timeout, so a site dripping header lines could
    # hold the worker for ever: at the deadline the socket is cut, whatever
    # is being read.
    watchdog = threading.Timer(max(deadline - time.monotonic(), 0), _cut, (conn,))
    watchdog.daemon = True
    watchdog.start()
    try:
        conn.request("GET", path, headers=headers, preload_content=False)
        response = conn.getresponse()
        try:
            _in_time(deadline)  # a cut connection ends its headers early
            length = response.headers.get("content-length", "")
            if length.isdigit() and int(length) > MAX_BYTES:
                raise IconRefused("too large")
            body = bytearray()
            # read1: one socket read at a time, so a site that drips
            # bytes meets the deadline instead of filling a buffer slowly.
            while chunk := response.read1(8192):
                body += chunk
                if len(body) > MAX_BYTES:
                    raise IconRefused("too large")
                _in_time(deadline)
            _in_time(deadline)  # a cut connection ends its body early
        finally:
            response.close()
        return response.status, {k.lower(): v for k, v in response.headers.items()}, bytes(body)
    except (urllib3.exceptions.HTTPError, ValueError, OSError, http.client.HTTPException) as exc:
        _in_time(deadline)
        if isinstance(exc, (urllib3.exceptions.HTTPError, ValueError)):
            raise IconRefused(type(exc).__name__) from exc
        raise IconRefused("connection failed") from exc
    finally:
        watchdog.cancel()
        conn.close()


def _in_time(deadline):
    if time.monotonic() >= deadline:
        raise IconRefused("too slow")


def _cut(conn):
    """The deadline passed: end the connection under whatever read waits on it."""
    sock = getattr(conn, "sock", None)
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
