"""Creator pages: the page (a snapshot of the creator's profile plus their
settings), its links and videos, visitor counts and abuse reports."""

import functools
import math
import operator
from datetime import timedelta

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import OuterRef, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.text import slugify

from accounts.personal_data import iso
from pages import colours
from pages.change_notes import ChangeNote  # noqa: F401
from pages.former_addresses import FormerAddress
from pages.safety import text
from pages.safety.links import blocked_flags, link_host, validate_link_url
from pages.safety.moderation import AbuseReport, BlockedDomain  # noqa: F401  (models of this app)
from pages.suspensions import CAUSES as SUSPENSION_CAUSES
from pages.suspensions import Appeal, ModerationDecision  # noqa: F401
from pages.transfers import Transfer  # noqa: F401
from sources import registry

# How a page holds an address (Page.holders), in the order they count.
AT_ADDRESS, FORMER_ADDRESS, USERNAME = 0, 1, 2
# Kept for the site itself: every top-level path of linkinbio/urls.py (a page
# at /@metrics would pass for the site's own), and words a visitor could take
# for the site speaking.
RESERVED_SLUGS = frozenset(
    """
    about accounts admin api app dashboard data delete disconnect export favicon.ico healthz
    help l legal login logout media metrics privacy readyz report reports robots.txt sandbox
    settings signin signout signup sitemap.xml static style support terms tiktok webhooks www
    """.split()
)
MAX_LINKS = 50
MAX_VIDEOS_SHOWN = 100
VIDEOS_PER_SCREEN = 12
# A page's videos come in screens (?page=N); the cache and the CDN know them all.
MAX_SCREEN = math.ceil(MAX_VIDEOS_SHOWN / VIDEOS_PER_SCREEN)
# The profile fields kept on the page: the Profile of the seam has the same names.
PROFILE_FIELDS = (
    "display_name",
    "username",
    "bio",
    "is_verified",
    "follower_count",
    "following_count",
    "likes_count",
    "video_count",
    "profile_deep_link",
)
# The syncer's bookkeeping columns of a page: shown read-only in the admin,
# left out of the creator's export.
SYNC_BOOKKEEPING_FIELDS = (
    "version",
    "last_sync_attempt_at",
    "sync_failures",
    "sync_backoff_until",
    "sync_lease_until",
    "sync_lease_token",
    "sync_waiting_since",
    "manual_sync_at",
    "last_viewed_at",
    "sync_due_at",
    "media_checked_at",
)
# Idle pages are synced this share of PAGE_IDLE_REFRESH_SECONDS early, so a
# short spell without room in the rate limit still leaves them synced within it.
IDLE_EARLY_SHARE = 1 / 24


def idle_due_at(synced_at):
    """When a page nobody visits is synced again after a sync at `synced_at`."""
    early = 1 - IDLE_EARLY_SHARE
    return synced_at + timedelta(seconds=settings.PAGE_IDLE_REFRESH_SECONDS * early)


def may_sync():
    """The condition on a page that it may sync: not suspended, its creator
    connected to the page's source and not paused. The IN reads only the
    page's own creator's row of the source (not all of them), and keeps an
    UPDATE a plain conditional one on the page's row."""
    among = OuterRef("user_id")
    by_source = [
        Q(source=key, user__in=registry.get(key).syncable_users(among=among))
        for key in registry.source_keys()
    ]
    return Q(is_suspended=False) & functools.reduce(operator.or_, by_source)


@functools.cache
def _holders_sql(pages, former, but):
    """Page.holders' query (`but`: not the page %(but)s); a page never synced
    comes last on every database."""
    not_page, not_page_of = ("AND id <> %(but)s", "AND f.page_id <> %(but)s") if but else ("", "")
    # Only table names and this module's constants are put in; values are parameters.
    sql = f"""
        SELECT id, {AT_ADDRESS} AS how, is_suspended, username, 0 AS unsynced, created AS since
          FROM {pages} WHERE LOWER(slug) = %(address)s {not_page}
        UNION ALL
        SELECT p.id, {FORMER_ADDRESS}, p.is_suspended, p.username, 0, f.created
          FROM {former} f JOIN {pages} p ON p.id = f.page_id
         WHERE LOWER(f.slug) = %(address)s AND f.expires_at > %(now)s {not_page_of}
        UNION ALL
        SELECT id, {USERNAME}, is_suspended, username,
               CASE WHEN last_synced_at IS NULL THEN 1 ELSE 0 END, last_synced_at
          FROM {pages} WHERE username_address = %(username_address)s {not_page}
        ORDER BY how, unsynced, since DESC
    """  # noqa: S608
    return " ".join(sql.split())


class PageQuerySet(models.QuerySet):
    def showcase(self):
        """Public pages the home page may link to, newest first."""
        return self.filter(is_showcased=True, is_suspended=False).order_by("-created")[:6]

    def reschedule(self):
        """Put these pages back on the scheduler's list at their usual moment
        (their syncing is allowed again); one due sooner keeps its moment."""
        for page_id, synced_at in self.values_list("pk", "last_synced_at"):
            due = idle_due_at(synced_at) if synced_at else timezone.now()
            Page.objects.filter(pk=page_id, sync_due_at__gt=due).update(sync_due_at=due)

    def syncable(self):
        """Pages whose creator is connected, not paused and not suspended."""
        return self.filter(may_sync())


class Page(models.Model):
    """A creator's public page at /@slug."""

    THEMES = [
        ("classic", "Classic"),
        ("midnight", "Midnight"),
        ("sunset", "Sunset"),
        ("mint", "Mint"),
        ("paper", "Paper"),
    ]
    COLOR_MODES = [
        ("auto", "Follow each visitor's device (light or dark)"),
        ("light", "Always light"),
        ("dark", "Always dark"),
    ]
    BUTTON_STYLES = [
        ("pill", "Pill"),
        ("rounded", "Rounded"),
        ("square", "Square"),
        ("outline", "Outline"),
    ]

    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.CASCADE, related_name="page")
    slug = models.SlugField(max_length=40, unique=True)
    # Where the profile and videos come from: a key of settings.SOURCES (sources/registry.py).
    source = models.CharField(max_length=20, default=registry.default_key)
    created = models.DateTimeField(auto_now_add=True)

    # The snapshot of the creator's profile, written by the sync only.
    display_name = models.CharField(max_length=200, blank=True)
    username = models.CharField(max_length=100, blank=True)
    # The address the username gives, exactly address_for(username)
    # ("Daily.Sketch" -> /@dailysketch, "_mia_" -> /@mia): save() keeps it,
    # whatever writes the username, and its index answers who holds an address.
    username_address = models.CharField(max_length=100, blank=True, editable=False, db_index=True)
    bio = models.TextField(blank=True)
    is_verified = models.BooleanField(default=False)
    follower_count = models.BigIntegerField(null=True, blank=True)
    following_count = models.BigIntegerField(null=True, blank=True)
    likes_count = models.BigIntegerField(null=True, blank=True)
    video_count = models.BigIntegerField(null=True, blank=True)
    profile_deep_link = models.URLField(max_length=500, blank=True)
    avatar = models.FileField(upload_to="pages/", blank=True)
    avatar_source = models.CharField(max_length=500, blank=True)
    # The 1200x630 picture shown when the page is shared, named by its content
    # (pages/media/share_image.py); made in the background, never on a request.
    share_image = models.FileField(upload_to="pages/", blank=True)

    # The creator's settings.
    title_override = models.CharField(max_length=80, blank=True)
    bio_override = models.TextField(max_length=300, blank=True)
    theme = models.CharField(max_length=20, choices=THEMES, default="classic")
    button_style = models.CharField(max_length=20, choices=BUTTON_STYLES, default="pill")
    # "#rrggbb" on top of the theme, or empty for the theme's own (pages/colours.py).
    background_color = models.CharField(max_length=7, blank=True)
    accent_color = models.CharField(max_length=7, blank=True)
    # Light or dark for the Classic theme (the others have one look each).
    color_mode = models.CharField(max_length=5, choices=COLOR_MODES, default="auto")
    videos_shown = models.PositiveSmallIntegerField(default=VIDEOS_PER_SCREEN)
    # Off until the creator switches it on: the sign-in page promises so.
    show_follower_count = models.BooleanField(default=False)
    # {network: handle} for the row of social icons under the bio (pages/socials.py).
    socials = models.JSONField(default=dict, blank=True)
    # The creator's time zone as their browser reported it; schedules are
    # stored in UTC and shown and typed in this zone.
    time_zone = models.CharField(max_length=64, default="UTC")

    # Site state.
    is_suspended = models.BooleanField(default=False)
    # Why, in the list's words (visitors read them) and the admin's own (the creator reads them).
    suspended_for = models.CharField(max_length=20, choices=SUSPENSION_CAUSES, blank=True)
    suspended_reason = models.CharField(max_length=200, blank=True)
    is_showcased = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)

    # Sync state. The lease and the backoff are claimed with conditional
    # UPDATEs so that any number of processes start one sync at a time.
    last_synced_at = models.DateTimeField(null=True, blank=True)
    last_sync_attempt_at = models.DateTimeField(null=True, blank=True)
    last_sync_error = models.CharField(max_length=300, blank=True)
    sync_failures = models.PositiveIntegerField(default=0)
    sync_backoff_until = models.DateTimeField(null=True, blank=True)
    sync_lease_until = models.DateTimeField(null=True, blank=True)
    # Who holds the lease: each claim draws a new token, handed to its sync
    # task, so a duplicate of an older task (re-run after its worker died)
    # can tell the lease is no longer its own.
    sync_lease_token = models.CharField(max_length=32, blank=True)
    sync_waiting_since = models.DateTimeField(null=True, blank=True)
    manual_sync_at = models.DateTimeField(null=True, blank=True)
    last_viewed_at = models.DateTimeField(null=True, blank=True)
    # When the scheduler syncs the page next: a day (less IDLE_EARLY_SHARE)
    # after a sync, at once when a visitor finds it stale, at the end of a
    # backoff. The scheduler walks its index (pages/sync/schedule.py).
    sync_due_at = models.DateTimeField(default=timezone.now)
    # When a sync last looked for images lost from the storage (pages/sync/lost_images.py).
    media_checked_at = models.DateTimeField(null=True, blank=True)

    objects = PageQuerySet.as_manager()

    class Meta:
        indexes = [
            # The scheduler walks them to find the pages due for a sync (pages/sync/schedule.py).
            models.Index(fields=["sync_due_at", "id"], name="page_sync_due"),
            models.Index(fields=["sync_waiting_since", "id"], name="page_sync_waiting"),
            # /@Name and /@name are one address (Page.at_address).
            models.Index(Lower("slug"), name="page_address"),
        ]

    def __str__(self):
        return f"@{self.slug}"

    def save(self, *args, **kwargs):
        self.username_address = self.address_for(self.username)
        fields = kwargs.get("update_fields")
        if fields is not None and "username" in fields and "username_address" not in fields:
            kwargs["update_fields"] = [*fields, "username_address"]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return f"/@{self.slug}"

    @staticmethod
    def is_reserved(slug):
        return slug.lower() in RESERVED_SLUGS

    @classmethod
    def is_claimable(cls, slug):
        """Whether a free address could become a creator's page: the slug a
        TikTok username of the same spelling gets (the caller knows it is free)."""
        return (
            len(slug) <= 30
            and not cls.is_reserved(slug)
            and slugify(slug).replace("-", "_") == slug.lower()
        )

    @classmethod
    def at_address(cls, slug):
        """The page at /@slug, spelt so in any case (one index look-up)."""
        return cls.objects.alias(address=Lower("slug")).filter(address=slug.lower())

    @staticmethod
    def address_for(name):
        """The address a name gives ("Fern.Petal" -> "fernpetal")."""
        return slugify(name or "").replace("-", "_")[:30]

    @classmethod
    def holders(cls, slug, *, now=None, but_by=None):
        """Who holds /@slug, in one query of three index look-ups: a list of
        (page id, how, suspended), `how` being AT_ADDRESS (the page there),
        FORMER_ADDRESS (a page that left it less than a year ago, the latest
        first) or USERNAME (a page whose TikTok username gives it, the latest
        synced first), in that order. Pages other than `but_by`.

        Written in SQL: a made-up address asks only this, and the ORM took
        three times as long to build the query as the database to answer it."""
        params = {
            "address": slug.lower(),
            # "-" is no address_for's answer: a slug that gives none matches no username.
            "username_address": cls.address_for(slug) or "-",
            "now": connection.ops.adapt_datetimefield_value(now or timezone.now()),
            "but": but_by.pk if but_by is not None else None,
        }
        pages, former = (connection.ops.quote_name(m._meta.db_table) for m in (cls, FormerAddress))
        sql = _holders_sql(pages, former, but_by is not None)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        # /@daily.sketch is held by @daily.sketch, not by @dailysketch: a slug
        # that is not itself the address it gives is held by that spelling only.
        spelt = slug.lower() if cls.address_for(slug) != slug.lower() else None
        return [
            (page_id, how, bool(suspended))
            for page_id, how, suspended, username, _, _ in rows
            if how != USERNAME or spelt is None or username.lower() == spelt
        ]

    @classmethod
    def is_held(cls, slug, *, but_by=None):
        """Whether a page other than `but_by` holds /@slug: as its address, as
        an address it left less than a year ago, or as its TikTok username."""
        return bool(cls.holders(slug, but_by=but_by))

    @classmethod
    def unique_slug(cls, *candidates):
        """The first free, non-reserved slug built from the candidates: not
        another page's address, former address (for a year) or TikTok username."""
        base = ""
        for candidate in candidates:
            base = cls.address_for(candidate)
            if base:
                break
        base = base or "creator"
        slug, n = base, 1
        while cls.is_reserved(slug) or cls.is_held(slug):
            n += 1
            slug = f"{base}{n}"
        return slug

    @classmethod
    def create_for(cls, user, profile, source=None):
        """Create the page of a newly connected creator from their Profile at
        `source` (a key; the default source without one); the avatar is
        mirrored by the first sync."""
        page = cls(
            user=user,
            slug=cls.unique_slug(profile.username, profile.display_name),
            source=source or registry.default_key(),
        )
        page.apply_profile(profile)
        page.save()
        return page

    def apply_profile(self, profile):
        """Copy a Profile into the snapshot, made safe to store (pages/safety/text.py);
        returns the names of the changed fields."""
        changed = []
        for name in PROFILE_FIELDS:
            value = getattr(profile, name)
            if value is None:
                continue  # a field of a scope not granted: keep what we have
            field = self._meta.get_field(name)
            if isinstance(value, str):
                limit = getattr(field, "max_length", None)
                value = text.clean(value) if limit is None else text.clean_line(value, limit)
            if name == "profile_deep_link" and not str(value).startswith("https://"):
                value = ""
            if getattr(self, name) != value:
                setattr(self, name, value)
                changed.append(name)
        return changed

    # What visitors see.
    @property
    def title(self):
        return self.title_override or self.display_name or f"@{self.slug}"

    @property
    def shown_bio(self):
        return self.bio_override or self.bio

    @property
    def handle(self):
        return self.username or self.slug

    @property
    def summary(self):
        """The page in one line, for search results and shared-link cards."""
        latest = f"Links and latest {self.source_name} videos of @{self.handle}"
        text = (self.shown_bio or latest)[:200]
        return " ".join(text.split())

    def style_name(self):
        """The name of the stylesheet of the page's own colours ("" for none)."""
        return colours.style_name(self.theme, self.background_color, self.accent_color)

    def visible_links(self, now=None):
        """The links a visitor sees now, in order: live ones, none to a blocked site."""
        now = now or timezone.now()
        links = list(
            self.links.filter(enabled=True)
            .filter(Q(starts_at__isnull=True) | Q(starts_at__lte=now))
            .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
        )
        flags = blocked_flags(link.url for link in links)
        return [link for link, blocked in zip(links, flags, strict=True) if not blocked]

    def visible_videos(self):
        """The videos on the public page: pinned first, then newest first."""
        return self.videos.filter(hidden=False).order_by("-pinned", "-create_time", "-id")[
            : self.videos_shown
        ]

    def next_schedule_change(self, now=None):
        """When a scheduled link next appears or disappears (None if never)."""
        now = now or timezone.now()
        moments = [
            m
            for pair in self.links.filter(enabled=True).values_list("starts_at", "ends_at")
            for m in pair
            if m and m > now
        ]
        return min(moments, default=None)

    def get_source(self):
        """The Source the page's profile and videos come from."""
        return registry.get(self.source)

    @property
    def source_name(self):
        """The source as creators and visitors know it ("TikTok")."""
        return self.get_source().display_name

    # Freshness.
    def can_sync(self):
        connection = self.get_source().connection(self.user)
        return bool(connection is not None and connection.can_sync and not self.is_suspended)

    def stale_at(self):
        """When the snapshot is due for a sync by a visit."""
        if self.last_synced_at is None:
            return self.created or timezone.now()
        return self.last_synced_at + timedelta(seconds=settings.PAGE_REFRESH_SECONDS)

    def next_sync_at(self, now=None):
        """When the scheduler syncs this page next, never before now (a visit
        after `stale_at()` may sync it sooner); None when paused, suspended or
        disconnected."""
        if not self.can_sync():
            return None
        now = now or timezone.now()
        due = self.sync_due_at if self.last_synced_at else now
        if self.sync_backoff_until and self.sync_backoff_until > due:
            due = self.sync_backoff_until
        return max(due, now)

    def visit_syncs_after(self, next_sync):
        """From when a visit starts a sync sooner than `next_sync` (`next_sync_at()`);
        None when none does."""
        if next_sync is None or self.last_synced_at is None:
            return None
        moment = self.stale_at()
        if self.sync_backoff_until:
            moment = max(moment, self.sync_backoff_until)
        return moment if moment < next_sync else None

    def export(self):
        """Everything of the page, for the creator's JSON export."""
        return {
            "url": settings.SITE_URL + self.get_absolute_url(),
            "slug": self.slug,
            "source": self.source,
            "created": self.created.isoformat(),
            "profile": {
                **{name: getattr(self, name) for name in PROFILE_FIELDS},
                "avatar_url": _file_url(self.avatar),
                "avatar_source": self.avatar_source,
                "share_image_url": _file_url(self.share_image),
            },
            "moderation": {
                "is_suspended": self.is_suspended,
                "suspended_for": self.suspended_for,
                "suspended_reason": self.suspended_reason,
                "decisions": [d.export() for d in self.moderation_decisions.all()],
                "appeals": [appeal.export() for appeal in self.appeals.all()],
                "is_showcased": self.is_showcased,
            },
            "settings": {
                "title_override": self.title_override,
                "bio_override": self.bio_override,
                "theme": self.theme,
                "button_style": self.button_style,
                "color_mode": self.color_mode,
                "background_color": self.background_color,
                "accent_color": self.accent_color,
                "videos_shown": self.videos_shown,
                "show_follower_count": self.show_follower_count,
                "socials": self.socials,
                "time_zone": self.time_zone,
            },
            "sync": {
                "last_synced_at": iso(self.last_synced_at),
                "last_sync_error": self.last_sync_error,
            },
            "former_addresses": [a.export() for a in self.former_addresses.all()],
            "change_log": [note.export() for note in self.change_notes.all()],
            "transfers": [transfer.export() for transfer in self.transfers.all()],
            "links": [link.export() for link in self.links.all()],
            "videos": [video.export() for video in self.videos.order_by("-create_time")],
        }


def _file_url(field_file):
    """The absolute URL of a stored image, or None."""
    return settings.SITE_URL + field_file.url if field_file else None


class Link(models.Model):
    """A link on a creator's page, or a section header between links.
    Visitors reach a link through /l/<id>."""

    LINK = "link"
    HEADER = "header"
    KINDS = [(LINK, "Link"), (HEADER, "Section header")]

    page = models.ForeignKey(Page, models.CASCADE, related_name="links")
    kind = models.CharField(max_length=10, choices=KINDS, default=LINK)
    title = models.CharField(max_length=80)
    url = models.CharField(max_length=2000, blank=True, validators=[validate_link_url])
    # The icon beside the title: an emoji the creator chose, else the site's
    # favicon mirrored once by the worker (pages/icons/favicons.py).
    emoji = models.CharField(max_length=16, blank=True)
    icon = models.FileField(upload_to="pages/", blank=True)
    icon_checked_at = models.DateTimeField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)
    enabled = models.BooleanField(default=True)
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    clicks = models.PositiveIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return self.title

    @property
    def is_header(self):
        return self.kind == self.HEADER

    def wants_icon(self):
        """Whether the worker should fetch this link's site icon."""
        return not (self.is_header or self.emoji or self.icon_checked_at) and bool(
            link_host(self.url)
        )

    def forget_icon(self):
        """The address moved to another site: its icon is fetched again."""
        if self.icon:
            storage, name = self.icon.storage, self.icon.name
            transaction.on_commit(lambda: storage.delete(name))
        self.icon = ""
        self.icon_checked_at = None

    def is_live(self, now=None):
        now = now or timezone.now()
        return (
            self.enabled
            and (self.starts_at is None or self.starts_at <= now)
            and (self.ends_at is None or self.ends_at > now)
        )

    def schedule_label(self, now=None):
        now = now or timezone.now()
        if not self.enabled:
            return "hidden"
        if self.starts_at and self.starts_at > now:
            return "scheduled"
        if self.ends_at and self.ends_at <= now:
            return "expired"
        return "live"

    def export(self):
        return {
            "kind": self.kind,
            "title": self.title,
            "url": self.url,
            "emoji": self.emoji,
            "icon_url": _file_url(self.icon),
            "icon_checked_at": iso(self.icon_checked_at),
            "position": self.position,
            "enabled": self.enabled,
            "starts_at": iso(self.starts_at),
            "ends_at": iso(self.ends_at),
            "clicks": self.clicks,
            "created": iso(self.created),
        }


class Video(models.Model):
    """A video of the page's source mirrored on the page, with the creator's settings for it."""

    page = models.ForeignKey(Page, models.CASCADE, related_name="videos")
    # The video's id at the page's source.
    external_id = models.CharField(max_length=32)
    title = models.CharField(max_length=300, blank=True)
    share_url = models.URLField(max_length=500, blank=True)
    cover = models.FileField(upload_to="pages/", blank=True)
    cover_source = models.CharField(max_length=500, blank=True)
    # When the source last gave this video's cover address (a sync listing it,
    # or a refresh of the covers its syncs no longer list).
    cover_checked_at = models.DateTimeField(null=True, blank=True)
    duration = models.PositiveIntegerField(null=True, blank=True)
    view_count = models.BigIntegerField(null=True, blank=True)
    like_count = models.BigIntegerField(null=True, blank=True)
    create_time = models.DateTimeField()
    # The creator's settings, kept across syncs.
    hidden = models.BooleanField(default=False)
    pinned = models.BooleanField(default=False)
    link_url = models.CharField(
        max_length=2000, blank=True, validators=[validate_link_url], verbose_name="link"
    )
    link_title = models.CharField(max_length=40, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["page", "external_id"], name="unique_video_per_page")
        ]

    def __str__(self):
        return self.title or self.external_id

    @property
    def player_url(self):
        return self.page.get_source().player_url(self.external_id)

    @property
    def watch_url(self):
        """The video on its source's site (the tile's link when JavaScript is off)."""
        return self.page.get_source().watch_url(self.external_id, self.share_url)

    def export(self):
        return {
            "id": self.external_id,
            "title": self.title,
            "share_url": self.share_url,
            "create_time": iso(self.create_time),
            "duration": self.duration,
            "view_count": self.view_count,
            "like_count": self.like_count,
            "cover_url": _file_url(self.cover),
            "cover_source": self.cover_source,
            "cover_checked_at": iso(self.cover_checked_at),
            "hidden": self.hidden,
            "pinned": self.pinned,
            "link_url": self.link_url,
            "link_title": self.link_title,
        }


class RetiredImage(models.Model):
    """A mirrored image the page no longer shows (a replaced cover or avatar),
    kept until every copy of the page cached before it was replaced (browsers,
    a CDN) has expired, so none shows a broken image; deleted by the page's
    daily look at its images (pages/sync/lost_images.py), or with the page."""

    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="retired_images")
    name = models.CharField(max_length=500)
    retired_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return self.name
