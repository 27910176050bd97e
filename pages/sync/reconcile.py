"""Bringing a page's snapshot up to date with what its source returns.

Called by the `sync_page` task (pages/sync/tasks.py) with the page's lease
held (its token `lease`). The source (pages/source.py) fetches; this module
reconciles what came back with what is stored. Whatever happens, the last good data stays on
the page: a failure only records what went wrong (in words a creator
understands) and when to try again.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.utils import timezone

from pages import cache as page_cache
from pages import publish, transfers
from pages.media import images
from pages.models import MAX_VIDEOS_SHOWN, PROFILE_FIELDS, Transfer, Video, idle_due_at
from pages.safety import text
from pages.source import NeedsConsent, NeedsReconnect, SourceError, TryLater
from pages.sync import leases, lost_images

logger = logging.getLogger(__name__)

MAX_FETCH = MAX_VIDEOS_SHOWN + 20
COVERS_PER_REFRESH = 20  # TikTok's video/query takes 20 ids a call
UNEXPECTED = "The update did not finish. Your page keeps its current content; we retry soon."


def update_page(page, lease, now=None):
    """Sync one page (its lease `lease` held by the caller); returns what happened."""
    now = now or timezone.now()
    connection = page.get_source().connection(page.user)
    if page.is_suspended or connection is None or not connection.can_sync:
        leases.release(page.pk, lease, last_sync_attempt_at=now, sync_due_at=idle_due_at(now))
        # Whatever queued this believed the page syncs: visits stop asking.
        page_cache.publish_after_commit(page.pk)
        return "skipped"
    changed = []
    received = transfers.Received()
    try:
        if lost_images.check_due(page, now):
            if lost_images.delete_retired(page, now):
                changed.append("replaced images deleted")
            if lost_images.check(page, now):
                changed.append("lost images")  # forgotten: the page shows none until re-made
        changed += _sync_profile(page, received)
        # Each change is listed as it is written: what a failing sync already
        # wrote is published below all the same (a later sync sees it as old).
        _sync_videos(page, received, now, changed)
    except TryLater as exc:
        if exc.waiting:
            outcome = wait_for_room(page.pk, lease, until=exc.until)
        else:
            outcome = _record_failure(page, lease, exc, now)
    except SourceError as exc:
        outcome = _record_failure(page, lease, exc, now)
    except Exception:
        # A bug or a database hiccup must not stop the page's future syncs.
        logger.exception("Sync of page %s failed unexpectedly", page.pk)
        outcome = _record_failure(page, lease, TryLater(UNEXPECTED, code="internal"), now)
    else:
        leases.release(page.pk, lease, **synced_state(now))
        Transfer.objects.create(page=page, created=now, summary=received.summary()[:300])
        outcome = "changed" if changed else "unchanged"
    if changed:
        publish.page_changed(page)
    elif outcome == "unchanged":
        # Nothing a visitor sees changed; only the freshness moves on.
        page_cache.publish_after_commit(page.pk)
        publish.queue_share_image(page)  # a page older than share pictures gets one
    return outcome


def synced_state(now):
    """The sync state of a page whose sync at `now` succeeded."""
    return {
        "last_synced_at": now,
        "last_sync_attempt_at": now,
        "last_sync_error": "",
        "sync_failures": 0,
        "sync_backoff_until": None,
        "sync_waiting_since": None,
        "sync_due_at": idle_due_at(now),
    }


def wait_for_room(page_id, lease, until=None):
    """Our own side refused the source's call (our share of its rate limit is
    spent, or its breaker is open): the page waits its turn, not a failure.
    `until`: the source takes this creator's sync only then; the page stands
    aside, so the pages that can sync now take the places."""
    if until is not None:
        leases.release(page_id, lease, sync_waiting_since=None, sync_due_at=until)
        return "waiting"
    leases.mark_waiting(page_id)
    leases.release(page_id, lease)
    return "waiting"


def _record_failure(page, lease, exc, now):
    if isinstance(exc, NeedsReconnect):
        later = idle_due_at(now)
        # Still connected (a permission to grant again): visits of the page
        # would ask for a sync every minute, each refused the same way.
        backoff = {"sync_backoff_until": later} if isinstance(exc, NeedsConsent) else {}
        leases.release(
            page.pk,
            lease,
            last_sync_attempt_at=now,
            last_sync_error=exc.message,
            sync_due_at=later,  # or at once when reconnected
            **backoff,
        )
        page_cache.publish_after_commit(page.pk)  # visits stop asking for syncs
        return "reconnect"
    failures = page.sync_failures + 1
    delay = leases.backoff_seconds(failures)
    retry_at = now + timedelta(seconds=delay)
    logger.warning(
        "Sync of page %s failed (%s, reference %s); retry in %ds",
        page.pk,
        exc.code,
        exc.reference,
        delay,
    )
    leases.release(
        page.pk,
        lease,
        last_sync_attempt_at=now,
        last_sync_error=exc.message[:300],
        sync_failures=failures,
        sync_backoff_until=retry_at,
        sync_due_at=retry_at,
    )
    return "failed"


def _sync_profile(page, received):
    profile = page.get_source().profile(page.user, page_id=page.pk)
    changed = page.apply_profile(profile)
    received.profile_fields = [
        name for name in PROFILE_FIELDS if getattr(profile, name) is not None
    ] + (["avatar"] if profile.avatar_url else [])
    url = profile.avatar_url
    if url and (not images.same_source(url, page.avatar_source) or not page.avatar):
        data = _download_image(page, url, images.AVATAR_SIZE)
        if data:
            old = page.avatar.name
            name, content = images.webp_file(data, f"{page.pk}/a")
            page.avatar_source = images.source_of(url)
            if old == page.avatar.field.generate_filename(page, name):
                # The same picture at a new address: its file stays as it is
                # (rewriting it could hand a visitor half a file), nothing shows.
                page.save(update_fields=["avatar_source"])
            else:
                page.avatar.save(name, content, save=False)
                changed += ["avatar", "avatar_source"]
                if old:
                    lost_images.retire(page, old)
    if changed:
        page.save(update_fields=changed)
    received.profile_changed = list(changed)
    if "username" in changed:
        # /@username now leads to the page: no process may still call it free.
        page_cache.forget_slug(page.username)
        transaction.on_commit(lambda: page_cache.forget_slug(page.username))
    return changed


def _download_image(page, url, size):
    """The image as WebP bytes, or None (a missing picture never fails a sync)."""
    try:
        data = page.get_source().download(url, max_bytes=images.MAX_DOWNLOAD_BYTES)
        return images.to_webp(data, size)
    except (SourceError, images.BadImage) as exc:
        logger.info("Image not mirrored: %s", exc)
        return None


def _video_values(item):
    """What is stored of a video, made safe to store and cut to the columns' sizes."""
    share_url = text.clean_line(item.share_url, 500)
    return {
        "title": text.clean_line(" ".join(item.title.split()), 300),
        "share_url": share_url if share_url.startswith(("https://", "http://")) else "",
        "duration": item.duration,
        "view_count": item.view_count,
        "like_count": item.like_count,
        "create_time": item.create_time,
    }


def _sync_videos(page, received, now, changed):
    """Bring the page's videos up to date, listing in `changed` each change as it is written."""
    hidden = page.videos.filter(hidden=True).count() if page.videos_shown else 0
    want = min(page.videos_shown + hidden, MAX_FETCH) if page.videos_shown else 0
    videos = page.get_source().latest_videos(page.user, want, page_id=page.pk)
    received.videos = len(videos.items)
    existing = {video.external_id: video for video in page.videos.all()}
    seen = set()
    for item in videos.items:
        if not text.is_clean_id(item.id, 32) or item.id in seen:
            continue
        seen.add(item.id)
        values = _video_values(item)
        video = existing.get(item.id)
        if video is None:
            video = Video(page=page, external_id=item.id, cover_checked_at=now, **values)
            _mirror_cover(video, item)
            video.save()
            changed.append(f"video {item.id}")
            received.new += 1
            continue
        fields = [name for name, value in values.items() if getattr(video, name) != value]
        for name in fields:
            setattr(video, name, values[name])
        fields += _follow_cover(video, item)
        if fields:
            video.save(update_fields=fields)
        if set(fields) - {"cover_source"}:  # not only the same picture at a new address
            changed.append(f"video {item.id}")
            if "title" in fields:
                received.titles_changed += 1
            else:
                received.other_changes += 1
    page.videos.filter(external_id__in=seen).update(cover_checked_at=now)
    received.removed = _drop_missing(existing, seen, videos, changed)
    _refresh_covers(page, now, changed)


def _refresh_covers(page, now, changed):
    """Ask the source again for the covers shown that its syncs no longer list
    (a pinned older video), the longest unchecked first, at most one request's
    worth a sync and only when its rate limit has room: a cover refresh never
    fails a sync, and what it could not ask is asked at a later one."""
    since = now - timedelta(seconds=settings.COVER_REFRESH_SECONDS)
    stale = [
        video
        for video in page.visible_videos()
        if video.cover_checked_at is None or video.cover_checked_at <= since
    ]
    stale.sort(key=lambda video: (video.cover_checked_at is not None, video.cover_checked_at))
    stale = stale[:COVERS_PER_REFRESH]
    if not stale:
        return
    try:
        ids = [video.external_id for video in stale]
        found = page.get_source().known_videos(page.user, ids, page_id=page.pk)
    except SourceError as exc:
        if not (isinstance(exc, TryLater) and exc.waiting):
            logger.info("Covers of page %s not refreshed (%s)", page.pk, exc.code)
        return
    by_id = {item.id: item for item in found.items}
    for video in stale:
        item = by_id.get(video.external_id)
        if item is None and found.complete:
            # The source answered for every id asked and left this one out:
            # the creator deleted it (or made it private), so it leaves the page.
            changed.append(f"deleted {video.pk}")
            video.delete()  # its cover file goes after the commit
            continue
        fields = ["cover_checked_at"] + (_follow_cover(video, item) if item else [])
        video.cover_checked_at = now
        video.save(update_fields=fields)
        if "cover" in fields:
            changed.append(f"cover {video.external_id}")


def _drop_missing(existing, seen, videos, changed):
    """Delete videos gone from the source, and old plain ones beyond what is
    shown (not when the list was cut short: those may be the ones still to
    show), listing each in `changed`; returns how many."""
    oldest = min((item.create_time for item in videos.items), default=None)
    gone = []
    for video_id, video in existing.items():
        if video_id in seen:
            continue
        inside_window = videos.complete or (oldest is not None and video.create_time >= oldest)
        has_settings = video.hidden or video.pinned or video.link_url
        if inside_window or (not has_settings and not videos.cut_short):
            gone.append(video.pk)
    for video in Video.objects.filter(pk__in=gone):
        changed.append(f"deleted {video.pk}")
        video.delete()  # its cover file goes after the commit
    return len(gone)


def _follow_cover(video, item):
    """The fields changed by mirroring the video's cover again when the source
    gives another one (a new address, not the same one signed anew), or when
    none is stored; a visitor sees the change only when the picture differs."""
    if not item.cover_url:
        return []
    if video.cover and images.same_source(item.cover_url, video.cover_source):
        return []
    old = video.cover.name
    if not _mirror_cover(video, item):
        return []
    if old and old == video.cover.name:
        return ["cover_source"]  # the same picture at a new address: its file stays
    if old:
        lost_images.retire(video.page, old)
    return ["cover", "cover_source"]


def _mirror_cover(video, item):
    if not item.cover_url:
        return False
    data = _download_image(video.page, item.cover_url, images.COVER_SIZE)
    if not data:
        return False
    name, content = images.webp_file(data, f"{video.page_id}/c-{video.external_id}")
    if video.cover and video.cover.name == video.cover.field.generate_filename(video, name):
        # Rewriting it could hand a visitor half a file; its name says it is the same.
        video.cover_source = images.source_of(item.cover_url)
        return True
    old = video.cover.name
    try:
        video.cover.save(name, content, save=False)
    except (OSError, SuspiciousOperation) as exc:
        # The storage refused this one file (full, or a name it will not
        # hold): this video keeps the cover it had, the sync goes on.
        logger.warning("Cover of video %s not stored: %r", video.external_id, exc)
        video.cover.name = old
        return False
    video.cover_source = images.source_of(item.cover_url)
    return True
