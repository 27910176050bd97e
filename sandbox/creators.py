"""Creating and changing sandbox creators: profiles, videos, tokens, reset.

Shared by the control API, the demo seed and the test helpers.
"""

import random
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from sandbox.models import (
    Account,
    AuthCode,
    CallCounter,
    Client,
    Fault,
    RateWindow,
    Token,
    Video,
    WebhookDelivery,
)

PROFILE_FIELDS = {
    "display_name": str,
    "bio_description": str,
    "is_verified": bool,
    "follower_count": int,
    "following_count": int,
    "likes_count": int,
}
VIDEO_FIELDS = {
    "title": str,
    "video_description": str,
    "duration": int,
    "width": int,
    "height": int,
    "like_count": int,
    "comment_count": int,
    "share_count": int,
    "view_count": int,
    "is_public": bool,
}
TOPICS = [
    "Morning routine",
    "Trying the viral recipe",
    "Day in my life",
    "Behind the scenes",
    "Answering your questions",
    "Quick tip",
    "Before and after",
    "Storytime",
    "Get ready with me",
    "Weekend reset",
    "Small wins",
    "What I learned this week",
]


# What the control API accepts: enough for any test or demo, not enough to
# exhaust the machine or overflow a 64-bit column.
MAX_VIDEOS = 1000
MAX_COUNT = 2**62


def _typed(data, fields, where):
    values = {}
    for name, kind in fields.items():
        if name not in data or data[name] is None:
            continue
        value = data[name]
        ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
        if not ok:
            raise ValueError(f"{where}{name} must be {kind.__name__}.")
        if kind is int and not 0 <= value <= MAX_COUNT:
            raise ValueError(f"{where}{name} must be from 0 to {MAX_COUNT}.")
        values[name] = value
    return values


def _video_fields(data, rng, followers):
    if not isinstance(data, dict):
        raise ValueError("Each video must be an object.")
    fields = _typed(data, VIDEO_FIELDS, "video.")
    views = fields.setdefault("view_count", int(max(followers, 200) * rng.uniform(0.05, 1.8)))
    fields.setdefault("like_count", int(views * rng.uniform(0.03, 0.12)))
    fields.setdefault("comment_count", int(fields["like_count"] * rng.uniform(0.01, 0.05)))
    fields.setdefault("share_count", int(fields["like_count"] * rng.uniform(0.005, 0.04)))
    fields.setdefault("duration", rng.choice([9, 15, 21, 34, 47, 58, 73, 120]))
    return fields


AGAIN = ["", ", part 2", " (I tried again)", ": your questions", ", round 4", " 2.0"]


def generated_videos(
    count, *, seed="", topics=TOPICS, every_hours=(20, 80), start_ms=None, title_format=None
):
    """`count` believable video dicts, newest first, going back in time from now."""
    rng = random.Random(f"videos:{seed}:{count}")
    created_ms = start_ms or int(time.time() * 1000) - rng.randint(1, 12) * 3_600_000
    videos = []
    for n in range(count):
        topic = topics[n % len(topics)]
        if title_format:
            title = title_format.format(n=count - n, topic=topic)
        else:
            title = topic + AGAIN[(n // len(topics)) % len(AGAIN)]
        videos.append(
            {
                "title": title,
                "video_description": f"{topic} 💬 #fyp #{seed or 'sandbox'}",
                "create_time": created_ms // 1000,
                "_ms": created_ms,
            }
        )
        created_ms -= int(rng.uniform(*every_hours) * 3_600_000)
    return videos


def add_videos(account, videos=None, video_count=0):
    """Store the given video dicts (or `video_count` generated ones); newest posts by default."""
    if videos is None:
        videos = []
    if not isinstance(videos, list):
        raise ValueError("videos must be a list.")
    if isinstance(video_count, bool) or not isinstance(video_count, int) or video_count < 0:
        raise ValueError("video_count must be a non-negative integer.")
    if video_count + len(videos) > MAX_VIDEOS:
        raise ValueError(f"An account can have at most {MAX_VIDEOS} videos here.")
    if video_count:
        videos = videos + generated_videos(video_count, seed=account.username)
    rng = random.Random(f"stats:{account.username}:{account.videos.count()}")
    now_ms = int(time.time() * 1000)
    made = []
    with transaction.atomic():
        for n, data in enumerate(videos):
            fields = _video_fields(data, rng, account.follower_count)
            created_ms = data.get("_ms")
            if created_ms is None:
                create_time = data.get("create_time")
                if create_time is None:
                    created_ms = now_ms - n * 1000
                elif isinstance(create_time, int) and not isinstance(create_time, bool):
                    created_ms = create_time * 1000 + rng.randint(0, 999)
                else:
                    raise ValueError("video.create_time must be Unix seconds.")
            made.append(Video.post(account, created_ms, **fields))
    return made


def upsert(data):
    """Create an account from the control API's JSON, or update it: (account, created)."""
    username = data.get("username")
    if not isinstance(username, str) or not username.strip() or len(username) > 100:
        raise ValueError("username is required (text, at most 100 characters).")
    if "/" in username:
        raise ValueError("username cannot contain a slash.")
    profile = _typed(data, PROFILE_FIELDS, "")
    profile.setdefault("display_name", username)
    with transaction.atomic():
        account, created = Account.objects.get_or_create(username=username, defaults=profile)
        if not created:
            for name, value in profile.items():
                setattr(account, name, value)
            account.save()
        if "videos" in data or "video_count" in data:
            if not created:
                account.videos.all().delete()
            add_videos(account, data.get("videos"), data.get("video_count", 0))
            if "likes_count" not in data:
                account.likes_count = sum(account.videos.values_list("like_count", flat=True))
                account.save(update_fields=["likes_count"])
    return account, created


def change_cover(account, video_id):
    """The creator chose another cover for a video; its new version, or None."""
    changed = account.videos.filter(video_id=video_id).update(cover_version=F("cover_version") + 1)
    if not changed:
        return None
    return account.videos.get(video_id=video_id).cover_version


def describe(account, with_videos=False):
    info = {
        "username": account.username,
        "display_name": account.display_name,
        "open_id": account.open_id_for(settings.TIKTOK_CLIENT_KEY),
        "union_id": account.union_id,
        "video_count": account.public_videos().count(),
    }
    if with_videos:
        info["videos"] = [
            {"id": v.video_id, "title": v.title, "create_time": v.create_time}
            for v in account.videos.all()
        ]
    return info


def remove_app(account, client_key=None):
    """The user removed the app in TikTok's settings: all its tokens stop working."""
    tokens = Token.objects.filter(account=account, revoked=False)
    if client_key:
        tokens = tokens.filter(client__client_key=client_key)
    return tokens.update(revoked=True)


def expire_tokens(account, refresh=False):
    """The user's access tokens (and refresh tokens with refresh=True) expire now."""
    kinds = [Token.ACCESS, Token.REFRESH] if refresh else [Token.ACCESS]
    past = timezone.now() - timedelta(seconds=1)
    return Token.objects.filter(account=account, kind__in=kinds, revoked=False).update(
        expires_at=past
    )


def reset():
    """Zero the counters, clear faults, codes, tokens, rate windows and webhook
    deliveries; keep accounts and apps."""
    with transaction.atomic():
        WebhookDelivery.objects.all().delete()
        CallCounter.objects.all().delete()
        Fault.objects.all().delete()
        Token.objects.all().delete()
        AuthCode.objects.all().delete()
        RateWindow.objects.all().delete()
    Client.ensure_default()
