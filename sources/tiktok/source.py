"""TikTok as the source of a creator's profile and videos (sources.base.Source).

Everything the pages app must not know lives behind this class: endpoints,
scopes and fields, tokens and their refresh, the shared API budget, the
circuit breakers, and the wording of TikTok's failures.
"""

import logging
import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.conf import settings

from sources.base import (
    Connection,
    NeedsConsent,
    NeedsReconnect,
    Profile,
    Source,
    TryLater,
    Unusable,
    VideoItem,
    VideoList,
)
from sources.tiktok import breakers, budget, client, refusal_guard, removals
from sources.tiktok.client import (
    BadResponse,
    OAuthError,
    RateLimited,
    ReconnectNeeded,
    ScopeMissing,
    ScopeNotAuthorized,
    ServerError,
    TikTokError,
)
from sources.tiktok.models import TikTokConnection

logger = logging.getLogger(__name__)

PAGE_SIZE = 20  # video.list's largest max_count
# The calls a page's sync stands on: their answers decide whether TikTok still
# lacks a permission of the creator's (video.query only refreshes covers).
PAGE_ENDPOINTS = ("user.info", "video.list")
RECONNECT = "TikTok no longer accepts our access. Reconnect TikTok to resume updates."
GRANT_AGAIN = (
    "TikTok says a permission your page needs is missing. "
    "Grant the rest on TikTok to resume updates; your page keeps its current content."
)


def explain(exc):
    """A TikTokError as the neutral error the pages app understands, in a creator's words."""
    code, reference = exc.code, exc.log_id
    if isinstance(exc, refusal_guard.RefreshesPaused):
        # Ours to fix (refusal_guard.py): the page waits, nothing is held
        # against it, and creators whose tokens need no refresh sync meanwhile.
        until = refusal_guard.RefreshesPaused.retry_at()
        return TryLater(exc.message, code=code, reference=reference, waiting=True, until=until)
    if isinstance(exc, ReconnectNeeded):
        return NeedsReconnect(RECONNECT, code=code, reference=reference)
    if isinstance(exc, ScopeMissing):
        return NeedsConsent(GRANT_AGAIN, code=code, reference=reference)
    if isinstance(exc, ScopeNotAuthorized):
        message = "TikTok refused part of the data because a permission was not granted."
        return Unusable(message, code=code, reference=reference)
    if isinstance(exc, RateLimited):
        message = (
            "TikTok asked us to slow down. Your page keeps its current content; we retry soon."
        )
        return TryLater(message, code=code, reference=reference)
    if isinstance(exc, ServerError | OAuthError):
        message = (
            "TikTok did not answer properly. Your page keeps its current content; we retry soon."
        )
        return TryLater(message, code=code, reference=reference)
    if isinstance(exc, BadResponse):
        message = "TikTok sent an answer we could not read. Your page keeps its current content."
        return Unusable(message, code=code, reference=reference)
    message = "The update did not finish. Your page keeps its current content; we retry soon."
    return TryLater(message, code=code, reference=reference)


def to_profile(info):
    """TikTok's user/info dict as a Profile (fields of scopes not granted stay None)."""
    # The largest first: the page shows it at 96 CSS px, mirrored at twice that.
    avatar = info.get("avatar_large_url") or info.get("avatar_url") or info.get("avatar_url_100")
    return Profile(
        display_name=info.get("display_name"),
        username=info.get("username"),
        bio=info.get("bio_description"),
        is_verified=info.get("is_verified"),
        follower_count=info.get("follower_count"),
        following_count=info.get("following_count"),
        likes_count=info.get("likes_count"),
        video_count=info.get("video_count"),
        profile_deep_link=info.get("profile_deep_link"),
        avatar_url=str(avatar or ""),
    )


def to_video(item):
    """One video of video.list as a VideoItem (the title falls back to the description)."""
    try:
        created = datetime.fromtimestamp(int(item.get("create_time") or 0), UTC)
    except (TypeError, ValueError, OverflowError):
        created = datetime.fromtimestamp(0, UTC)
    return VideoItem(
        id=str(item.get("id") or ""),
        create_time=created,
        title=str(item.get("title") or item.get("video_description") or ""),
        share_url=share_url
        if is_tiktok_page(share_url := str(item.get("share_url") or ""))
        else "",
        cover_url=str(item.get("cover_image_url") or ""),
        duration=_count(item.get("duration")),
        view_count=_count(item.get("view_count")),
        like_count=_count(item.get("like_count")),
    )


# TikTok's video ids are strings of 19 or 20 digits; anything else (a path, a
# name a file cannot hold) is not one of its videos.
VIDEO_ID = re.compile(r"[0-9]{1,24}")


def to_videos(items):
    """The videos of one TikTok answer as VideoItems, those whose id is not
    TikTok's kind left out (logged once for the answer)."""
    videos = [to_video(item) for item in items]
    kept = [video for video in videos if VIDEO_ID.fullmatch(video.id)]
    if len(kept) < len(videos):
        logger.warning(
            "TikTok answered %d videos whose id is not digits; left out", len(videos) - len(kept)
        )
    return kept


def is_tiktok_page(url):
    """Whether a URL TikTok gave (a video's share_url) is a page of TikTok's
    site: https on tiktok.com, or below the configured TikTok web base (the
    sandbox). Anything else (javascript:, another host, user info that hides
    the host) is never linked to."""
    if not isinstance(url, str) or len(url) > 500 or not url.isprintable() or " " in url:
        return False
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return False
    if parts.username is not None or parts.password is not None or "\\" in url:
        return False
    host = (parts.hostname or "").rstrip(".")
    on_tiktok = host == "tiktok.com" or host.endswith(".tiktok.com")
    if parts.scheme == "https" and port in (None, 443) and on_tiktok:
        return True
    base = settings.TIKTOK_PLAYER_BASE.rstrip("/") + "/"
    # No way out of the base: browsers read "%2e%2e" as "..".
    return url.startswith(base) and ".." not in parts.path and "%2e" not in parts.path.lower()


def _tiktok_page_or_empty(value):
    url = str(value or "")
    return url if is_tiktok_page(url) else ""


def _count(value):
    try:
        return max(int(value), 0) if value is not None else None
    except (TypeError, ValueError):
        return None


def _call(endpoint, connection, func, *args, **kwargs):
    """One budgeted call through the connection, feeding the endpoint's breaker.

    Our own refusals (the breaker open, the budget spent) are waits, not
    failures: the page keeps no backoff for them and is synced as soon as
    there is room again (`room()` is 0 until then).
    """
    if breakers.is_open(endpoint):
        raise TryLater("Waiting for TikTok to answer again.", code="circuit_open", waiting=True)
    # An access token that ran out is refreshed first: that call counts too.
    refreshing = connection.access_expired()
    if refreshing and refusal_guard.paused():
        raise refusal_guard.RefreshesPaused()  # before spending any budget
    if (refreshing and not budget.spend("oauth.token")) or not budget.spend(endpoint):
        raise TryLater(
            "Waiting for its turn to update from TikTok.", code="budget_spent", waiting=True
        )
    try:
        result = connection.call(func, *args, **kwargs)
    except (RateLimited, ServerError) as exc:
        breakers.failure(endpoint, rate_limited=isinstance(exc, RateLimited))
        raise
    except ScopeMissing:
        # This creator's token, not the app: TikTok answered, the endpoint is well.
        if endpoint in PAGE_ENDPOINTS:  # a cover refresh alone never holds a page
            connection.permission_missed()
        breakers.success(endpoint)
        raise
    breakers.success(endpoint)
    if endpoint in PAGE_ENDPOINTS:
        connection.permission_found()  # TikTok answers the token in full again
    return result


class TikTokSource(Source):
    key = "tiktok"
    display_name = "TikTok"

    def profile(self, user, *, page_id=None):
        connection = self._syncable(user)
        try:
            info = _call(
                "user.info",
                connection,
                client.user_info,
                connection.user_info_fields(),
                page_id=page_id,
            )
        except TikTokError as exc:
            raise explain(exc) from exc
        return to_profile(info)

    def latest_videos(self, user, count, *, page_id=None):
        connection = self._syncable(user)
        if not connection.has_scope("video.list"):
            return VideoList(items=[], complete=True)
        if count <= 0:
            return VideoList(items=[], cut_short=True)
        try:
            return self._fetch_videos(connection, count, page_id)
        except ScopeNotAuthorized as exc:
            # The scopes may have changed since this sync began (a token
            # refresh or a new consent): what the creator grants now decides.
            connection.refresh_from_db(fields=["scopes"])
            if connection.has_scope("video.list"):
                raise explain(exc) from exc
            return VideoList(items=[], complete=True)
        except TikTokError as exc:
            raise explain(exc) from exc

    def _fetch_videos(self, connection, count, page_id):
        """Up to `count` newest videos, in pages of PAGE_SIZE."""
        items, cursor = [], None
        while len(items) < count:
            result = _call(
                "video.list",
                connection,
                client.video_list,
                client.VIDEO_FIELDS,
                cursor=cursor,
                max_count=PAGE_SIZE,
                page_id=page_id,
            )
            items += to_videos(result.videos)
            if not result.has_more:
                return VideoList(items=items, complete=True)
            if result.cursor is None or not result.videos:
                # TikTok said there is more but gave no way to get it.
                return VideoList(items=items, cut_short=True)
            cursor = result.cursor
        return VideoList(items=items)

    def known_videos(self, user, ids, *, page_id=None):
        connection = self._syncable(user)
        if not ids or not connection.has_scope("video.list"):
            return VideoList(items=[], cut_short=True)
        items = []
        try:
            for start in range(0, len(ids), client.MAX_VIDEO_IDS):
                chunk = list(ids[start : start + client.MAX_VIDEO_IDS])
                found = _call(
                    "video.query",
                    connection,
                    client.video_query,
                    client.VIDEO_FIELDS,
                    chunk,
                    page_id=page_id,
                )
                items += to_videos(found)
        except TikTokError as exc:
            raise explain(exc) from exc
        # video/query answers only with the creator's own videos it still
        # shows: an id asked and left out of a successful answer is gone.
        return VideoList(items=items, complete=True)

    def _syncable(self, user):
        connection = TikTokConnection.of(user)
        if connection is None or connection.needs_reconnect:
            raise NeedsReconnect(RECONNECT, code="reconnect_needed")
        return connection

    def connection(self, user):
        connection = TikTokConnection.of(user)
        if connection is None:
            return None
        states = {
            TikTokConnection.Status.ACTIVE: "connected",
            TikTokConnection.Status.NEEDS_RECONNECT: "needs_reconnect",
            TikTokConnection.Status.REVOKED: "disconnected",
        }
        return Connection(
            state=states[connection.status],
            paused=connection.sync_paused,
            missing_videos=connection.needs_video_access,
            missing_permission=connection.needs_permission,
            reconnect_by=connection.reconnect_by,
            access_ended=connection.permission_ended,
            banner="tiktok/connection_banner.html",
            note=removals.note(connection),
            held_up=self._held_up(connection),
            can_reconnect=not connection.account_closed,
        )

    def _held_up(self, connection):
        waiting = connection.status == TikTokConnection.Status.ACTIVE and (
            connection.access_expired() or connection.refresh_refusals
        )
        return refusal_guard.CREATOR_MESSAGE if waiting and refusal_guard.is_open() else ""

    def syncable_users(self, among=None):
        connections = TikTokConnection.objects.filter(
            status=TikTokConnection.Status.ACTIVE, sync_paused=False
        )
        if among is not None:
            connections = connections.filter(user_id=among)
        return connections.values("user_id")

    def room(self):
        # A sync calls both endpoints: while either breaker is open, none starts.
        # Paused refreshes (refusal_guard.py) stop only the syncs that need one.
        if any(breakers.is_open(endpoint) for endpoint in ("user.info", "video.list")):
            return 0
        return min(budget.available("user.info"), budget.available("oauth.token"))

    def player_url(self, video_id):
        return f"{settings.TIKTOK_PLAYER_BASE}/player/v1/{video_id}"

    def watch_url(self, video_id, share_url=""):
        if is_tiktok_page(share_url):
            return share_url
        return f"https://www.tiktok.com/@_/video/{video_id}"

    def download(self, url, *, max_bytes=5_000_000):
        try:
            return client.download(url, max_bytes=max_bytes)
        except TikTokError as exc:
            raise explain(exc) from exc
