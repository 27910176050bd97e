"""Real images for the sandbox's CDN: video covers and avatars, made with Pillow.

Each video gets its own colours (from its id) and its title, so a grid of
twenty covers looks like a grid of twenty different videos.
"""

import colorsys
import hashlib
import io
import textwrap
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

COVER_SIZE = (360, 640)
AVATAR_SIZES = {"avatar_url_100": 100, "avatar_url": 168, "avatar_large_url": 720}
_FONT_FILES = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
]


@lru_cache(maxsize=32)
def _font(size):
    for path in _FONT_FILES:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)


def _hue(seed):
    digest = hashlib.sha256(seed.encode()).digest()
    return int.from_bytes(digest[:2]) / 65536, digest[2] / 255.0


def _rgb(hue, lightness, saturation):
    r, g, b = colorsys.hls_to_rgb(hue % 1.0, lightness, saturation)
    return int(r * 255), int(g * 255), int(b * 255)


def _gradient(size, top, bottom):
    mask = Image.linear_gradient("L").resize(size)
    return Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), mask)


def _jpeg(image, quality=82):
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, optimize=True)
    return out.getvalue()


def cover(video_id, title, username="", version=1):
    """A 9:16 JPEG cover: a two-colour gradient, a few shapes, the title (a
    cover the creator chose later has colours of its own)."""
    hue, shift = _hue(video_id if version == 1 else f"{video_id}:{version}")
    width, height = COVER_SIZE
    image = _gradient(COVER_SIZE, _rgb(hue, 0.55, 0.75), _rgb(hue + 0.06 + shift * 0.1, 0.3, 0.7))
    draw = ImageDraw.Draw(image, "RGBA")
    digest = hashlib.sha256(video_id.encode()).digest()
    for i in range(3):
        x = digest[3 + i] / 255 * width
        y = digest[6 + i] / 255 * height
        r = 40 + digest[9 + i] / 255 * 120
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(255, 255, 255, 40 + 15 * i))
    lines = textwrap.wrap(title or "", width=16)[:4] or [" "]
    font = _font(34)
    line_height = 42
    top = height * 0.62 - line_height * len(lines) / 2
    for n, line in enumerate(lines):
        draw.text((24, top + n * line_height), line, font=font, fill=(255, 255, 255, 255))
    if username:
        draw.text((24, height - 56), f"@{username}", font=_font(22), fill=(255, 255, 255, 220))
    return _jpeg(image)


def avatar(seed, name, size):
    """A square JPEG avatar: a colour of its own and the name's initials."""
    hue, _ = _hue(seed)
    image = _gradient((size, size), _rgb(hue, 0.55, 0.6), _rgb(hue + 0.05, 0.38, 0.65))
    draw = ImageDraw.Draw(image)
    words = [word for word in (name or "").split() if word[0].isalnum()]
    initials = "".join(word[0] for word in words[:2]).upper() or "?"
    font = _font(max(10, int(size * 0.38)))
    draw.text((size / 2, size / 2), initials, font=font, fill=(255, 255, 255), anchor="mm")
    return _jpeg(image, quality=85)
