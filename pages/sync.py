"""Refreshing a page's snapshot from TikTok's Display API.

Called by the `refresh_page` task with the page's lease held. Whatever
happens, the last good data stays on the page: a failure only records what
went wrong (in words a creator understands) and when to try again.
"""

import logging
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts import client
from accounts.client import (
    BadResponse,
    RateLimited,
    ScopeNotAuthorized,
    ServerError,
    TikTokError,
)
from accounts.models import ReconnectNeeded
from pages import budget, images, refresh
from pages import cache as page_cache
from pages.models import MAX_VIDEOS_SHOWN, Video

logger = logging.getLogger(__name__)

PAGE_SIZE = 20
MAX_FETCH = MAX_VIDEOS_SHOWN + 20


class BudgetSpent(Exception):
    """The shared API budget has no call left for now: wait your turn."""


class BreakerOpen(TikTokError):
    """TikTok failed repeatedly on this endpoint; calls pause for a while."""

    def __init__(self, endpoint):
        super().__init__("circuit_open", f"{endpoint} is paused after repeated failures")


def explain(exc):
    """A failure in words a creator understands."""
    if isinstance(exc, ReconnectNeeded):
        return "TikTok no longer accepts our access. Reconnect TikTok to resume updates."
    if isinstance(exc, ScopeNotAuthorized):
        return "TikTok refused part of the data because a permission was not granted."
    if isinstance(exc, RateLimited):
        return "TikTok asked us to slow down. Your page keeps its current content; we retry soon."
    if isinstance(exc, BreakerOpen | ServerError):
        return "TikTok did not answer properly. Your page keeps its current content; we retry soon."
    if isinstance(exc, BadResponse):
        return "TikTok sent an answer we could not read. Your page keeps its current content."
    return "The update did not finish. Your page keeps its current content; we retry soon."


def refresh_page(page, now=None):
    """Refresh one page (its lease held by the caller); returns what happened."""
    now = now or timezone.now()
    connection = getattr(page.user, "tiktok", None)
    if page.is_suspended or connection is None or not connection.can_sync:
        refresh.release(page.pk, last_sync_attempt_at=now)
        # Whatever queued this believed the page syncs: visits stop asking.
        page_cache.publish_after_commit(page.pk)
        return "skipped"
    changed = []
    try:
        changed += _sync_profile(page, connection)
        changed += _sync_videos(page, connection)
    except BudgetSpent:
        refresh.mark_waiting(page.pk)
        refresh.release(page.pk)
        outcome = "waiting"
    except TikTokError as exc:
        outcome = _record_failure(page, exc, now)
    except Exception:
        # A bug or a database hiccup must not stop the page's future refreshes.
        logger.exception("Refresh of page %s failed unexpectedly", page.pk)
        outcome = _record_failure(page, TikTokError("internal", "unexpected error"), now)
    else:
        refresh.release(
            page.pk,
            last_synced_at=now,
            last_sync_attempt_at=now,
            last_sync_error="",
            sync_failures=0,
            sync_backoff_until=None,
            refresh_waiting_since=None,
        )
        outcome = "changed" if changed else "unchanged"
    if changed:
        page.bump_version()
    elif outcome == "unchanged":
        # Nothing a visitor sees changed; only the freshness moves on.
        page_cache.publish_after_commit(page.pk)
    return outcome


def _record_failure(page, exc, now):
    message = explain(exc)
    if isinstance(exc, ReconnectNeeded):
        refresh.release(page.pk, last_sync_attempt_at=now, last_sync_error=message)
        page_cache.publish_after_commit(page.pk)  # visits stop asking for refreshes
        return "reconnect"
    failures = page.sync_failures + 1
    delay = refresh.backoff_seconds(failures)
    logger.warning(
        "Refresh of page %s failed (%s, log_id %s); retry in %ds",
        page.pk,
        exc.code,
        exc.log_id,
        delay,
    )
    refresh.release(
        page.pk,
        last_sync_attempt_at=now,
        last_sync_error=message,
        sync_failures=failures,
        sync_backoff_until=now + timedelta(seconds=delay),
    )
    return "failed"


def _call(endpoint, connection, func, *args, **kwargs):
    """One budgeted call through the connection, feeding the endpoint's breaker."""
    if refresh.breaker_is_open(endpoint):
        raise BreakerOpen(endpoint)
    if not budget.spend(endpoint):
        raise BudgetSpent(endpoint)
    try:
        result = connection.call(func, *args, **kwargs)
    except (RateLimited, ServerError) as exc:
        refresh.breaker_failure(endpoint, rate_limited=isinstance(exc, RateLimited))
        raise
    refresh.breaker_success(endpoint)
    return result


def _sync_profile(page, connection):
    info = _call(
        "user/info", connection, client.user_info, connection.user_info_fields(), page_id=page.pk
    )
    changed = page.apply_profile(info)
    url = info.get("avatar_url_100") or info.get("avatar_url") or info.get("avatar_large_url")
    if url and (images.source_of(url) != page.avatar_source or not page.avatar):
        data = _download_image(url, images.AVATAR_SIZE)
        if data:
            old = page.avatar.name
            name, content = images.webp_file(data, f"{page.pk}/a")
            page.avatar.save(name, content, save=False)
            page.avatar_source = images.source_of(url)
            changed += ["avatar", "avatar_source"]
            if old and old != page.avatar.name:
                transaction.on_commit(lambda: page.avatar.storage.delete(old))
    if changed:
        page.save(update_fields=changed)
    return changed


def _download_image(url, size):
    """The image as WebP bytes, or None (a missing picture never fails a sync)."""
    try:
        return images.to_webp(client.download(url), size)
    except (TikTokError, images.BadImage) as exc:
        logger.info("Image not mirrored: %s", exc)
        return None


def _fetch_videos(page, connection, want):
    """Up to `want` newest videos, pages of 20; returns (videos, complete, cut_short).

    `complete`: the list reached TikTok's end, so a video not in it is gone.
    `cut_short`: TikTok said there is more but gave no way to get it; what was
    not seen may still exist, even beyond what is shown.
    """
    videos, cursor = [], None
    while len(videos) < want:
        result = _call(
            "video/list",
            connection,
            client.video_list,
            client.VIDEO_FIELDS,
            cursor=cursor,
            max_count=PAGE_SIZE,
            page_id=page.pk,
        )
        videos += result.videos
        if not result.has_more:
            return videos, True, False
        if result.cursor is None or not result.videos:
            return videos, False, True
        cursor = result.cursor
    return videos, False, False


def _video_values(item):
    title = (item.get("title") or item.get("video_description") or "").strip()
    share_url = str(item.get("share_url") or "")
    try:
        created = datetime.fromtimestamp(int(item.get("create_time") or 0), UTC)
    except (TypeError, ValueError, OverflowError):
        created = datetime.fromtimestamp(0, UTC)
    return {
        "title": " ".join(title.split())[:300],
        "share_url": share_url[:500] if share_url.startswith("https://") else "",
        "duration": _count(item.get("duration")),
        "view_count": _count(item.get("view_count")),
        "like_count": _count(item.get("like_count")),
        "create_time": created,
    }


def _count(value):
    try:
        return max(int(value), 0) if value is not None else None
    except (TypeError, ValueError):
        return None


def _sync_videos(page, connection):
    if not connection.has_scope("video.list"):
        return _drop_all_videos(page)
    if page.videos_shown == 0:
        return []
    hidden = page.videos.filter(hidden=True).count()
    want = min(page.videos_shown + hidden, MAX_FETCH)
    try:
        items, complete, cut_short = _fetch_videos(page, connection, want)
    except ScopeNotAuthorized:
        # The scopes may have changed since this refresh began (a token
        # refresh or a new consent): what the creator grants now decides.
        connection.refresh_from_db(fields=["scopes"])
        if connection.has_scope("video.list"):
            raise
        return _drop_all_videos(page)
    existing = {video.tiktok_id: video for video in page.videos.all()}
    seen, changed = set(), []
    for item in items:
        tiktok_id = str(item.get("id") or "")
        if not tiktok_id or tiktok_id in seen or len(tiktok_id) > 32:
            continue
        seen.add(tiktok_id)
        values = _video_values(item)
        video = existing.get(tiktok_id)
        if video is None:
            video = Video(page=page, tiktok_id=tiktok_id, **values)
            _mirror_cover(video, item)
            video.save()
            changed.append(f"video {tiktok_id}")
            continue
        fields = [name for name, value in values.items() if getattr(video, name) != value]
        for name in fields:
            setattr(video, name, values[name])
        if not video.cover and _mirror_cover(video, item):
            fields += ["cover", "cover_source"]
        if fields:
            video.save(update_fields=fields)
            changed.append(f"video {tiktok_id}")
    changed += _drop_missing(page, existing, seen, items, complete, cut_short)
    return changed


def _drop_all_videos(page):
    """Video access was withdrawn: the mirrored videos and covers go."""
    gone = []
    for video in page.videos.all():
        video.delete()  # its cover file goes after the commit
        gone.append(f"deleted {video.tiktok_id}")
    return gone


def _drop_missing(page, existing, seen, items, complete, cut_short=False):
    """Delete videos gone from TikTok, and old plain ones beyond what is shown
    (not when the list was cut short: those may be the ones still to show)."""
    oldest = min((_video_values(item)["create_time"] for item in items), default=None)
    gone = []
    for tiktok_id, video in existing.items():
        if tiktok_id in seen:
            continue
        inside_window = complete or (oldest is not None and video.create_time >= oldest)
        has_settings = video.hidden or video.pinned or video.link_url
        if inside_window or (not has_settings and not cut_short):
            gone.append(video.pk)
    if gone:
        for video in Video.objects.filter(pk__in=gone):
            video.delete()
    return [f"deleted {n}" for n in gone]


def _mirror_cover(video, item):
    url = item.get("cover_image_url")
    if not url:
        return False
    data = _download_image(url, images.COVER_SIZE)
    if not data:
        return False
    name, content = images.webp_file(data, f"{video.page_id}/c-{video.tiktok_id}")
    video.cover.save(name, content, save=False)
    video.cover_source = images.source_of(url)
    return True
