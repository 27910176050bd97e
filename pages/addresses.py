"""A page's address (/@slug): the one its TikTok username gives, offered in
one click when it differs, or one the creator picks. Moving keeps the old
address leading to the page for a year (pages/former_addresses.py); nobody
else may take it meanwhile, nor another creator's TikTok username."""

import re
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from pages import cache as page_cache
from pages import publish
from pages.former_addresses import KEPT_FOR, FormerAddress
from pages.models import USERNAME, Page

# At most this many moves in MOVES_WINDOW: each leaves an address that other
# creators cannot take for a year.
MOVES_ALLOWED = 3
MOVES_WINDOW = timedelta(days=30)
# What slugify() keeps as it is: no "_" at either end.
_SHAPE = re.compile(r"^[a-z0-9][a-z0-9_]{0,28}[a-z0-9]$")


def address_for(username):
    """The address a TikTok username gives ("Fern.Petal" -> "fernpetal")."""
    return Page.address_for(username)


def problem(page, slug, now=None):
    """Why the page cannot move to /@slug, in the creator's words, or None."""
    if not _SHAPE.match(slug):
        return (
            "Use 2 to 30 lower-case letters, digits or underscores, "
            "beginning and ending with a letter or digit."
        )
    if slug == page.slug:
        return f"Your page is already at /@{slug}."
    if Page.is_reserved(slug):
        return f"/@{slug} is kept for the site itself. Try another address."
    if not is_free_for(page, slug):
        return f"/@{slug} is taken. Try another address."
    next_move = next_move_at(page, now)
    if next_move is not None:
        return (
            f"You moved your page {MOVES_ALLOWED} times in the last {MOVES_WINDOW.days} days. "
            f"You can move it again from {next_move:%-d %B %Y}."
        )
    return None


def is_free_for(page, slug):
    """Whether no other page holds /@slug: as its address, as an address it
    left less than a year ago, or as its TikTok username."""
    return not Page.is_held(slug, but_by=page)


def next_move_at(page, now=None):
    """When the page may move again, or None when it may now."""
    now = now or timezone.now()
    moves = list(
        page.former_addresses.filter(created__gt=now - MOVES_WINDOW).values_list(
            "created", flat=True
        )
    )
    if len(moves) < MOVES_ALLOWED:
        return None
    return sorted(moves)[-MOVES_ALLOWED] + MOVES_WINDOW


def offered(page):
    """The address the page's TikTok username gives, when the page is not
    there yet and may move there now; else None."""
    slug = address_for(page.username).lower()
    if not slug or slug == page.slug.lower():
        return None
    return slug if problem(page, slug) is None else None


class Refused(Exception):
    """The move cannot happen; str() says why, in the creator's words."""


def move(page, slug, now=None):
    """Give the page the address /@slug; its old one leads to it for a year.
    Returns the old address, or raises Refused: checked again under a lock
    on the page, so two moves at once count against the limit, and two
    creators taking one address at once leave it to the first."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            locked = Page.objects.select_for_update().get(pk=page.pk)
            page.slug = locked.slug
            reason = problem(page, slug, now)
            if reason:
                raise Refused(reason)
            return _move(page, slug, now)
    except IntegrityError:
        page.refresh_from_db(fields=["slug"])
        raise Refused(f"/@{slug} is taken. Try another address.") from None


def _move(page, slug, now):
    old = page.slug
    with transaction.atomic():
        # Moving back to an address it left: that address is the page's again.
        page.former_addresses.at_address(slug).update(expires_at=now)
        FormerAddress.objects.create(page=page, slug=old, created=now, expires_at=now + KEPT_FOR)
        page.slug = slug
        page.save(update_fields=["slug"])
        for address in (old, slug):
            page_cache.forget_slug(address)
            transaction.on_commit(lambda address=address: page_cache.forget_slug(address))
        publish.page_changed(page, old_slugs=[old])
    return old


def page_at(slug, now=None):
    """The page /@slug shows or leads to, and how: (page, AT_ADDRESS) for the
    page there (its user read with it), (page, FORMER_ADDRESS) for an address
    it left less than a year ago (a permanent redirect), (page, USERNAME) for
    a creator's TikTok username (temporary: the address may still become
    theirs), else (None, None). One query when none, as for a made-up address."""
    for page_id, how, suspended in Page.holders(slug, now=now):
        if how == USERNAME and (suspended or Page.is_reserved(slug)):
            # /@support stays the site's, whoever is @support on TikTok.
            continue
        page = Page.objects.select_related("user").filter(pk=page_id).first()
        if page is not None:
            return page, how
    return None, None
