"""The seam between a creator's pages and where their profile and videos come from.

The pages app asks a source for "the creator's profile" and "the creator's
latest videos" and gets the plain dataclasses below back, or one of three
neutral errors. It never sees an endpoint, a scope, a token or a setting of
the source. Each source is a package beside `sources/tiktok/` implementing
`Source`, named in `settings.SOURCES` (sources/registry.py finds it by key).

Two signals tell the pages app what happened on the source's side:
`creator_connected` after a successful sign-in, `sync_allowed_changed` when a
creator's pages start or stop being allowed to sync (connect, reconnect,
pause, resume, disconnect).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from django.dispatch import Signal

if TYPE_CHECKING:  # names for the type hints only: the seam imports no model
    from django.db.models import OuterRef, QuerySet

    from accounts.models import User

# Sent inside the sign-in's transaction: sender=the source's key,
# user=the User, profile=a Profile.
creator_connected = Signal()
# Sent once a change is stored: sender=the source's key, user_ids=a list of ids.
sync_allowed_changed = Signal()
# The source says a creator's account there is closed (deleted, or held for
# review): their pages stop being shown at once. sender=the source's key,
# user_id=the user's id, reason=a few words for the admin.
source_account_closed = Signal()


class SourceError(Exception):
    """The source could not deliver. .message says why, in words a creator understands;
    .code and .reference (the source's error code and request id) are for the logs."""

    def __init__(self, message, *, code="", reference=None):
        self.message = message
        self.code = code or "unknown"
        self.reference = reference
        super().__init__(message)


class NeedsReconnect(SourceError):
    """The creator must sign in with the source again; nothing is retried until then."""


class NeedsConsent(NeedsReconnect):
    """The creator's permission at the source lacks something their page needs:
    they must grant it again there (the connection stays, and so does the
    page's last data); one try a day until then."""


class TryLater(SourceError):
    """The source is busy, down or slow. `waiting` is True when the call was
    refused by our own side (our share of the source's rate limit is spent,
    or a circuit breaker is open after the source's failures): not a failure,
    the page waits its turn and syncs once `Source.room()` allows. `until`,
    when given with `waiting`, is when the source expects to take this
    creator's sync again (others may sync meanwhile): the page is set aside
    until then rather than waiting at the head of the queue."""

    def __init__(self, message, *, code="", reference=None, waiting=False, until=None):
        super().__init__(message, code=code, reference=reference)
        self.waiting = waiting
        self.until = until


class Unusable(SourceError):
    """The source answered, but with something that cannot be used."""


@dataclass(frozen=True)
class Profile:
    """A creator's public profile. None means "not shared": keep what is stored."""

    display_name: str | None = None
    username: str | None = None
    bio: str | None = None
    is_verified: bool | None = None
    follower_count: int | None = None
    following_count: int | None = None
    likes_count: int | None = None
    video_count: int | None = None
    profile_deep_link: str | None = None
    avatar_url: str = ""


@dataclass(frozen=True)
class VideoItem:
    id: str
    create_time: datetime
    title: str = ""
    share_url: str = ""
    cover_url: str = ""
    duration: int | None = None
    view_count: int | None = None
    like_count: int | None = None


@dataclass(frozen=True)
class VideoList:
    """The newest videos, newest first.

    complete: the list reached the end, so a known video missing from it is
    gone. cut_short: more exist that could not be fetched, so no known video
    may be dropped for being missing.
    """

    items: list[VideoItem] = field(default_factory=list)
    complete: bool = False
    cut_short: bool = False


@dataclass(frozen=True)
class Connection:
    """Where a creator's link to the source stands, in neutral terms.

    `banner` is the source's template for the dashboard's notice about it.
    """

    state: str  # "connected", "needs_reconnect" or "disconnected"
    paused: bool = False
    missing_videos: bool = False  # the creator has not allowed their videos
    missing_permission: bool = False  # the source says a permission the page needs is missing
    reconnect_by: datetime | None = None  # the access ends then unless they reconnect
    access_ended: bool = False  # reconnect_by has passed
    banner: str = ""
    note: str = ""  # why the source ended the connection, in the creator's words
    held_up: str = ""  # the source refuses our updates for now, not the creator's doing
    can_reconnect: bool = True  # False: the account at the source is closed (deleted, banned)

    @property
    def needs_reconnect(self):
        return self.state != "connected"

    @property
    def disconnected(self):
        return self.state == "disconnected"

    @property
    def can_sync(self):
        return self.state == "connected" and not self.paused


class Source(Protocol):
    """What a source of profiles and videos offers the pages app.

    A source's class is named in `settings.SOURCES` under its `key` (the one
    a page stores) and made once by the registry (sources/registry.py). It
    may subclass this protocol or only have its shape (tests' FakeSource).
    """

    key: str  # the page's `source`, and the sender of the signals above
    display_name: str  # how creators know it ("TikTok"), in every text they read

    def profile(self, user: "User", *, page_id: int | None = None) -> Profile:
        """The creator's Profile; raises a SourceError."""
        raise NotImplementedError

    def latest_videos(self, user: "User", count: int, *, page_id: int | None = None) -> VideoList:
        """Up to `count` newest videos as a VideoList; raises a SourceError.

        A creator who does not (or no longer) allow access to their videos has
        an empty, complete list. `count` 0 asks for nothing and drops nothing.
        """
        raise NotImplementedError

    def known_videos(
        self, user: "User", ids: Sequence[str], *, page_id: int | None = None
    ) -> VideoList:
        """These videos as the source has them now (fresh cover URLs), as a
        VideoList of those it still shows, `complete` when the source answered
        for every id (one it left out is gone: deleted, or no longer public);
        raises a SourceError (TryLater with `waiting` when our share of its
        rate limit has no room: nothing was asked)."""
        raise NotImplementedError

    def connection(self, user: "User") -> Connection | None:
        """The creator's Connection, or None when they never connected."""
        raise NotImplementedError

    def syncable_users(self, among: "int | OuterRef | None" = None) -> "QuerySet":
        """A queryset of the ids of users whose data may be synced now (for IN
        filters); `among` (a user id or an OuterRef) narrows it to one user, so
        that a filter on one row reads one row of the source's."""
        raise NotImplementedError

    def room(self) -> int:
        """How many syncs the source's rate limit allows to start right now
        (none while the source is paused after its failures)."""
        raise NotImplementedError

    def player_url(self, video_id: str) -> str:
        """Where the source plays a video in place."""
        raise NotImplementedError

    def watch_url(self, video_id: str, share_url: str = "") -> str:
        """The video on the source's own site: `share_url` (what the source
        gave, as stored) when it is one of the source's own addresses."""
        raise NotImplementedError

    def download(self, url: str, *, max_bytes: int) -> bytes:
        """The bytes of an image at a URL the source gave; raises a SourceError."""
        raise NotImplementedError
