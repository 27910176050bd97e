"""Mirrored avatars and covers where they are stored (Django's default
storage: local disk, or a bucket): serving one, deleting a page's.

Every image is served by the site, whichever the storage, so that a
suspended page's images stop at once and the bucket stays private (a
presigned URL handed out before a suspension would work until it expires,
and one that changes on every view could not be cached). A CDN in front
keeps each image for a year: its name carries a hash of its content.

Served like whitenoise serves static files (public.middleware.ImageMiddleware
answers before sessions and the rest): from local disk as a file the server
may send with sendfile; from a bucket with one GET, and small images are
then kept in this process's memory while the page's version stays the same
(a name is its content; a new version may have deleted it). An image waits
MEDIA_BUCKET_WAIT_SECONDS at most for the bucket; one that failed or was too
slow is left alone for MEDIA_BUCKET_RETRY_SECONDS by every process (through
the cache): images not in memory answer 503 at once meanwhile, so a silent
bucket holds no web worker.
"""

import contextlib
import hashlib
import logging
import math
import mimetypes
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import DatabaseError
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotModified

from pages import cache as page_cache
from pages import cdn
from pages.models import Page

logger = logging.getLogger(__name__)

FOLDER = "pages"
IMMUTABLE = "public, max-age=31536000, immutable"
# "<page id>/<file name>", the one spelling the site writes: "//4/", "./4/",
# "x/../4/" or "%2F4/" would reach the same file past the suspension check.
NAME = re.compile(r"([1-9][0-9]{0,18})/([A-Za-z0-9_-][A-Za-z0-9._-]{0,200})", re.ASCII)
BUCKET_DOWN_KEY = "media:bucket-down-until"
# A database or disk outage: ask the browser to try again soon.
RETRY_SOON_SECONDS = 5

# Bucket reads run beside the request, which waits MEDIA_BUCKET_WAIT_SECONDS
# at most: a silent bucket holds one of these threads (until botocore's own
# timeouts), never a web worker. All of them held: the bucket is too slow.
_reads = ThreadPoolExecutor(max_workers=settings.MEDIA_BUCKET_READS, thread_name_prefix="bucket")
_read_slots = threading.BoundedSemaphore(settings.MEDIA_BUCKET_READS)
_kept = page_cache.Memory(max_entries=1_000_000, max_bytes=settings.MEDIA_MEMORY_BYTES)
_bucket_down_until = 0.0  # time.time() before which this process leaves the bucket alone
_warned_at = -math.inf  # time.monotonic() of the last warning about an outage
WARN_EVERY_SECONDS = 60


def folder_of(page_id):
    return f"{FOLDER}/{page_id}"


def shown_image(request, page_id, name):
    """The image of a page visitors may see, or None when the page is not
    shown (suspended, deleted: its creator may still see it, through the view)."""
    try:
        version = shown_version(page_id)
    except DatabaseError as exc:
        _warn_now_and_then("Images answer 503: the database is out of reach (%s)", exc)
        return unavailable(RETRY_SOON_SECONDS)
    return None if version is None else response(request, page_id, name, version)


def shown_version(page_id):
    """The page's version when it exists and is not suspended, else None;
    asked of the database at most once every PAGE_MEMORY_CHECK_SECONDS in
    each process."""
    version = page_cache.shown_version(page_id)
    if version is None:
        version = (
            Page.objects.filter(pk=page_id, is_suspended=False)
            .values_list("version", flat=True)
            .first()
        )
        if version is not None:
            page_cache.remember_shown(page_id, version)
    return version


def response(request, page_id, name, version=None):
    """The image `<page id>/<file name>` (the caller has checked the page may
    show it). Kept in memory with the page's `version`, when given: a change
    of the page (a sync that replaced an image and deleted the old one) reads
    its images anew."""
    path = f"{folder_of(page_id)}/{name}"
    # The name holds the content's hash: the same tag on every machine.
    etag = '"' + hashlib.blake2b(path.encode(), digest_size=8).hexdigest() + '"'
    if etag in request.META.get("HTTP_IF_NONE_MATCH", ""):
        answer = HttpResponseNotModified()
    else:
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        answer = _image(path, content_type, version)
        if answer.status_code != 200:
            return answer
    answer["ETag"] = etag
    answer["Cache-Control"] = IMMUTABLE
    cdn.tag(answer, page_id)
    return answer


def _image(path, content_type, version):
    try:
        local = default_storage.path(path)
    except NotImplementedError:
        local = None
    if local is not None:
        return _file(local, path, content_type)
    kept = _kept.get(path)
    if kept is not None and version is not None and kept[0] == version:
        return HttpResponse(kept[1], content_type=content_type)
    wait = _bucket_wait()
    if wait:
        return unavailable(wait)
    try:
        data = _read_in_time(path)
    except FileNotFoundError:
        raise Http404("No such file") from None
    except Exception as exc:
        return unavailable(_bucket_failed(path, exc))
    if version is not None and len(data) <= settings.MEDIA_MEMORY_FILE_BYTES:
        _kept.set(path, (version, data), len(data))
    return HttpResponse(data, content_type=content_type)


def _file(local, path, content_type):
    try:
        file = open(local, "rb")  # noqa: SIM115 (the response closes it once sent)
    except FileNotFoundError:
        raise Http404("No such file") from None
    except OSError:
        logger.exception("Image %s could not be read from the disk", path)
        return unavailable(RETRY_SOON_SECONDS)
    answer = FileResponse(file, content_type=content_type)
    # An image shown in a page, never a download: no file name to send.
    del answer["Content-Disposition"]
    return answer


class BucketTooSlow(Exception):
    """The bucket did not answer within MEDIA_BUCKET_WAIT_SECONDS."""


def _read_in_time(path):
    if not _read_slots.acquire(blocking=False):
        raise BucketTooSlow("every bucket read of this process is still waiting")
    try:
        future = _reads.submit(_read, path)
    except RuntimeError:  # the interpreter is shutting down
        _read_slots.release()
        raise
    future.add_done_callback(lambda _: _read_slots.release())
    try:
        return future.result(timeout=settings.MEDIA_BUCKET_WAIT_SECONDS)
    except TimeoutError:
        raise BucketTooSlow(f"no answer within {settings.MEDIA_BUCKET_WAIT_SECONDS} s") from None


def _read(path):
    read_object = getattr(default_storage, "read_object", None)
    if read_object is not None:
        return read_object(path)
    with default_storage.open(path, "rb") as file:
        return file.read()


def _bucket_wait():
    """Seconds until the bucket may be asked again (0: now), as this process
    or another found it failing."""
    now = time.time()
    until = _bucket_down_until
    if until <= now:
        try:
            until = cache.get(BUCKET_DOWN_KEY) or 0
        except Exception:  # the shared cache is down too: this process's own view
            until = 0
    return math.ceil(until - now) if until > now else 0


def _bucket_failed(path, exc):
    """Leave the bucket alone for a while, everywhere; the seconds to wait."""
    global _bucket_down_until
    seconds = settings.MEDIA_BUCKET_RETRY_SECONDS
    _bucket_down_until = time.time() + seconds
    with contextlib.suppress(Exception):
        cache.set(BUCKET_DOWN_KEY, _bucket_down_until, seconds)
    # Once per failure, and failures come once a while at most: no flood of tracebacks.
    logger.warning(
        "Image %s could not be read from the bucket (%s: %s); images not kept in memory "
        "answer 503 for %s s",
        path,
        type(exc).__name__,
        exc,
        seconds,
    )
    return seconds


def _warn_now_and_then(message, *args):
    """One line a minute at most, not one per image, however long the outage."""
    global _warned_at
    if time.monotonic() - _warned_at >= WARN_EVERY_SECONDS:
        _warned_at = time.monotonic()
        logger.warning(message, *args)


def unavailable(retry_after):
    """503: a missing picture, not an error page, and no cache keeps it."""
    answer = HttpResponse(status=503)
    answer["Cache-Control"] = "no-store"
    answer["Retry-After"] = str(retry_after)
    # Logged once by whoever found the outage, not once per image by Django.
    answer._has_been_logged = True
    return answer


def forget():
    """Drop this process's kept images and what it knows of the bucket (tests)."""
    global _bucket_down_until
    _kept.clear()
    _bucket_down_until = 0.0


def delete_page_files(page_id):
    """Every image of a page (its account is deleted), then its local folder."""
    folder = folder_of(page_id)
    try:
        _, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        default_storage.delete(f"{folder}/{name}")
    # A bucket has no folders; a local one may be gone already.
    with contextlib.suppress(NotImplementedError, OSError):
        Path(default_storage.path(folder)).rmdir()
