"""The picture a page is shared with (`og:image`): 1200x630, the creator's
avatar, name and handle on the page's own colours.

Made in the background (the `render_share_image` task, queued when a change
of the page leaves its picture out of date), never while a visitor waits.
Its file is named by a digest of what it shows, so an edit that does not
change the picture makes none, and a new picture gets a new address that
apps which cache shared pictures by URL fetch afresh.
"""

import hashlib
from io import BytesIO

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.tasks import task
from PIL import Image, ImageDraw, ImageFont, ImageOps

from pages import cache as page_cache
from pages import colours
from pages.models import Page

SIZE = (1200, 630)
AVATAR = 240
FONTS = ("DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf")
# What the picture shows; a new design changes this, and so every picture's name.
DESIGN = "1"


def digest(page):
    """A digest of everything the picture shows."""
    parts = [
        DESIGN,
        page.avatar.name or "",
        page.title,
        page.handle,
        page.theme,
        page.background_color,
        page.accent_color,
    ]
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=8).hexdigest()


def file_name(page):
    return f"{page.pk}/s-{digest(page)}.png"


def is_current(page):
    """Whether the page's picture shows what the page shows now."""
    return page.share_image.name == f"pages/{file_name(page)}"


def _font(size):
    for name in FONTS:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size)


def _fitted(draw, text, size, width):
    """The text in the largest font from `size` down that fits `width`, cut short if need be."""
    for step in range(size, size // 2, -4):
        font = _font(step)
        if draw.textlength(text, font=font) <= width:
            return text, font
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text + "…", font


def _avatar(page, accent, accent_fg):
    """The avatar as a circle, or the name's first letter on the accent."""
    mask = Image.new("L", (AVATAR, AVATAR), 0)
    ImageDraw.Draw(mask).ellipse((0, 0, AVATAR - 1, AVATAR - 1), fill=255)
    picture = None
    if page.avatar:
        try:
            with page.avatar.open("rb") as file, Image.open(file) as image:
                picture = ImageOps.fit(image.convert("RGB"), (AVATAR, AVATAR), Image.LANCZOS)
        except (OSError, ValueError):
            picture = None
    if picture is None:
        picture = Image.new("RGB", (AVATAR, AVATAR), accent)
        draw = ImageDraw.Draw(picture)
        letter = (page.title.strip()[:1] or "@").upper()
        draw.text((AVATAR / 2, AVATAR / 2), letter, fill=accent_fg, font=_font(120), anchor="mm")
    return picture, mask


def render(page):
    """The picture as PNG bytes."""
    theme = colours.THEME_COLOURS.get(page.theme, colours.THEME_COLOURS["classic"])
    bg = page.background_color or theme["bg"]
    accent = page.accent_color or theme["accent"]
    fg = theme["fg"]
    muted = colours.mix(fg, bg, 0.3)
    image = Image.new("RGB", SIZE, bg)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, SIZE[1] - 24, SIZE[0], SIZE[1]), fill=accent)
    picture, mask = _avatar(page, accent, theme["accent_fg"])
    top = (SIZE[1] - AVATAR) // 2 - 12
    image.paste(picture, (96, top), mask)
    left, width = 96 + AVATAR + 64, SIZE[0] - (96 + AVATAR + 64) - 80
    name, font = _fitted(draw, page.title, 76, width)
    draw.text((left, SIZE[1] // 2 - 20), name, fill=fg, font=font, anchor="ls")
    handle, font = _fitted(draw, f"@{page.handle}", 44, width)
    draw.text((left, SIZE[1] // 2 + 50), handle, fill=muted, font=font, anchor="ls")
    draw.text((SIZE[0] - 80, SIZE[1] - 64), "linkinbio", fill=muted, font=_font(34), anchor="rs")
    out = BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def refresh(page):
    """Make the page's picture if it is out of date; True when a new one was made.

    The page's version moves on with it, so the page is rendered again with
    the new picture's address.
    """
    if is_current(page) or page.is_suspended:
        return False
    old = page.share_image.name
    storage = page.share_image.storage
    name = f"pages/{file_name(page)}"
    if storage.exists(name):  # left by an earlier look: made again under the same name
        storage.delete(name)
    page.share_image.save(file_name(page), ContentFile(render(page)), save=False)
    Page.objects.filter(pk=page.pk).update(
        share_image=page.share_image.name, version=F("version") + 1
    )
    page_cache.publish_after_commit(page.pk)
    if old and old != page.share_image.name:
        transaction.on_commit(lambda: storage.delete(old))
    return True


@task()
def render_share_image(page_id):
    """Make the page's share picture (og:image) again if what it shows changed."""
    page = Page.objects.filter(pk=page_id).first()
    if page is None:
        return "gone"
    return "made" if refresh(page) else "current"
