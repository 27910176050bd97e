"""Mirrored avatars and covers where they are stored (Django's default
storage: local disk, or a bucket): serving one, deleting a page's.

Every image is served by the site, whichever the storage, so that a
suspended page's images stop at once and the bucket stays private (a
presigned URL handed out before a suspension would work until it expires,
and one that changes on every view could not be cached). A CDN in front
keeps each image for a year: its name carries a hash of its content.
"""

import contextlib
import hashlib
import logging
import mimetypes
from pathlib import Path

from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse, HttpResponseNotModified

from pages import cdn

logger = logging.getLogger(__name__)

FOLDER = "pages"
IMMUTABLE = "public, max-age=31536000, immutable"


def folder_of(page_id):
    return f"{FOLDER}/{page_id}"


def response(request, page_id, name):
    """The image `<page id>/<file name>` (the caller has checked the page may show it)."""
    path = f"{folder_of(page_id)}/{name}"
    # The name holds the content's hash: the same tag on every machine.
    etag = '"' + hashlib.blake2b(path.encode(), digest_size=8).hexdigest() + '"'
    if etag in request.headers.get("If-None-Match", ""):
        answer = HttpResponseNotModified()
    else:
        try:
            with default_storage.open(path, "rb") as file:
                data = file.read()
        except FileNotFoundError:
            raise Http404("No such file") from None
        except Exception:
            # The bucket is unreachable: a missing picture, not an error page.
            logger.exception("Image %s could not be read from the storage", path)
            unavailable = HttpResponse(status=503)
            unavailable["Cache-Control"] = "no-store"
            return unavailable
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        answer = HttpResponse(data, content_type=content_type)
    answer["ETag"] = etag
    answer["Cache-Control"] = IMMUTABLE
    cdn.tag(answer, page_id)
    return answer


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
