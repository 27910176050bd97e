"""Avatars and video covers, mirrored from the source's expiring CDN URLs as
small WebP files in MEDIA_ROOT."""

import hashlib
from io import BytesIO
from urllib.parse import urlsplit

from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

from pages.safety import text

# Twice the size the public page shows it at (96 CSS px), sharp on a phone's screen.
AVATAR_SIZE = (192, 192)
COVER_SIZE = (270, 480)
MAX_PIXELS = 40_000_000
MAX_DOWNLOAD_BYTES = 5_000_000
# What a profile picture or a cover comes as. Pillow is asked to recognise only
# these: it knows formats that run other programs (EPS calls Ghostscript) or
# decode a picture as they open it.
PHOTO_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")


class BadImage(Exception):
    """The downloaded bytes are not an image we accept."""


def source_of(url):
    """A CDN URL's path, to tell a new image from the same one signed anew or
    served by another of the CDN's hosts (the path names the picture)."""
    try:
        parts = urlsplit(url or "")
    except ValueError:
        return ""
    return text.clean_line(parts.path, 500)


def same_source(url, stored):
    """Whether `url` names the picture kept from `stored` (a source_of value,
    or host and path as kept before the host stopped counting)."""
    source = source_of(url)
    if stored == source:
        return True
    host_and_path = stored.find("/")
    return host_and_path > 0 and stored[host_and_path:] == source


def to_webp(data, size, formats=PHOTO_FORMATS):
    """Re-encode image bytes (of one of `formats`, Pillow's names) as a WebP
    of at most `size`, without metadata."""
    try:
        with Image.open(BytesIO(data), formats=formats) as image:
            if image.width * image.height > MAX_PIXELS:
                raise BadImage("image too large")
            image = ImageOps.exif_transpose(image)
            image = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB")
            image.thumbnail(size)
            out = BytesIO()
            image.save(out, "WEBP", quality=72, method=4)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise BadImage(str(exc)) from exc
    return out.getvalue()


def webp_file(data, prefix):
    """A ContentFile named by its content, so its URL can be cached forever."""
    digest = hashlib.blake2b(data, digest_size=8).hexdigest()
    return f"{prefix}-{digest}.webp", ContentFile(data)
