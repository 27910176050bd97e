"""The Display API: user/info, video/list and video/query, with TikTok's envelope."""

import json
import time
from urllib.parse import urlencode

from django.urls import reverse

from sandbox import media
from sandbox.answers import Answered, account_fault, endpoint, envelope
from sandbox.models import RateWindow, Token

USER_FIELDS = {
    "open_id": "user.info.basic",
    "union_id": "user.info.basic",
    "avatar_url": "user.info.basic",
    "avatar_url_100": "user.info.basic",
    "avatar_large_url": "user.info.basic",
    "display_name": "user.info.basic",
    "bio_description": "user.info.profile",
    "profile_deep_link": "user.info.profile",
    "is_verified": "user.info.profile",
    "username": "user.info.profile",
    "follower_count": "user.info.stats",
    "following_count": "user.info.stats",
    "likes_count": "user.info.stats",
    "video_count": "user.info.stats",
}
VIDEO_FIELDS = [
    "id",
    "create_time",
    "cover_image_url",
    "share_url",
    "video_description",
    "duration",
    "height",
    "width",
    "title",
    "embed_html",
    "embed_link",
    "like_count",
    "comment_count",
    "share_count",
    "view_count",
]
MAX_COUNT = 20
UTM_SOURCE = "aWQ9MTIzNDU2Nzg5MDEyMzQ1Njc4OQ"  # opaque, as TikTok's is


class Refusal(Exception):
    def __init__(self, code, message=None):
        super().__init__(code)
        self.code = code
        self.message = message


def _authorize(request, method, scope_needed=None):
    """The token behind the request, after method, rate limit and scope checks."""
    if request.method != method:
        raise Refusal("invalid_params", f"Use {method} for this endpoint.")
    header = request.headers.get("Authorization", "")
    value = header[7:].strip() if header[:7].lower() == "bearer " else ""
    token = Token.objects.filter(value=value, kind=Token.ACCESS).select_related("client", "account")
    token = token.first() if value else None
    if token is None:
        raise Refusal("access_token_invalid")
    if not RateWindow.admit(token.client.client_key, request.sandbox_endpoint):
        raise Refusal("rate_limit_exceeded")
    if not token.is_valid:
        raise Refusal("access_token_invalid")
    account_fault(request, token.account.username)
    if scope_needed:
        _require_scopes(token, [scope_needed])
    return token


def _require_scopes(token, scopes):
    for scope in scopes:
        if scope not in token.client.scope_list:
            raise Refusal("scope_permission_missed")
    for scope in scopes:
        if scope not in token.scope_list:
            raise Refusal("scope_not_authorized")


def _fields(request, known):
    fields = [f.strip() for f in request.GET.get("fields", "").split(",") if f.strip()]
    if not fields:
        raise Refusal("invalid_params", "The fields parameter is required.")
    unknown = [f for f in fields if f not in known]
    if unknown:
        raise Refusal("invalid_params", f"Invalid fields: {','.join(unknown)}")
    return list(dict.fromkeys(fields))


def _json_body(request):
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError) as exc:
        raise Refusal("invalid_params", "The request body is not valid JSON.") from exc
    if not isinstance(body, dict):
        raise Refusal("invalid_params", "The request body must be a JSON object.")
    return body


def _answer(request, handler):
    try:
        return handler()
    except Refusal as refusal:
        return envelope(request, code=refusal.code, message=refusal.message)
    except Answered as answered:
        return answered.response


def user_dict(request, token, fields):
    account = token.account
    values = {
        "open_id": lambda: account.open_id_for(token.client.client_key),
        "union_id": lambda: account.union_id,
        "avatar_url": lambda: media.avatar_url(request, account, "avatar_url"),
        "avatar_url_100": lambda: media.avatar_url(request, account, "avatar_url_100"),
        "avatar_large_url": lambda: media.avatar_url(request, account, "avatar_large_url"),
        "display_name": lambda: account.display_name,
        "bio_description": lambda: account.bio_description,
        "profile_deep_link": lambda: request.build_absolute_uri(
            reverse("sandbox:profile", args=[account.username])
        ),
        "is_verified": lambda: account.is_verified,
        "username": lambda: account.username,
        "follower_count": lambda: account.follower_count,
        "following_count": lambda: account.following_count,
        "likes_count": lambda: account.likes_count,
        "video_count": lambda: account.public_videos().count(),
    }
    return {field: values[field]() for field in fields}


def video_dict(request, video, fields, username):
    def link(name, *args):
        return request.build_absolute_uri(reverse(name, args=args))

    def tracked(url):
        # TikTok's share and embed links carry its campaign parameters.
        return f"{url}?{urlencode({'utm_campaign': 'tt4d_open_api', 'utm_source': UTM_SOURCE})}"

    def embed_html():
        share = link("sandbox:share", username, video.video_id)
        return (
            f'<blockquote class="tiktok-embed" cite="{share}" data-video-id="{video.video_id}">'
            f'<section><a target="_blank" href="{share}">@{username}</a></section></blockquote>'
        )

    values = {
        "id": lambda: video.video_id,
        "create_time": lambda: video.create_time,
        "cover_image_url": lambda: media.cover_url(request, video),
        "share_url": lambda: tracked(link("sandbox:share", username, video.video_id)),
        "video_description": lambda: video.video_description,
        "duration": lambda: video.duration,
        "height": lambda: video.height,
        "width": lambda: video.width,
        "title": lambda: video.title,
        "embed_html": embed_html,
        "embed_link": lambda: tracked(link("sandbox:player", video.video_id)),
        "like_count": lambda: video.like_count,
        "comment_count": lambda: video.comment_count,
        "share_count": lambda: video.share_count,
        "view_count": lambda: video.view_count,
    }
    return {field: values[field]() for field in fields}


@endpoint("user.info")
def user_info(request):
    def handle():
        token = _authorize(request, "GET")
        fields = _fields(request, USER_FIELDS)
        _require_scopes(token, list(dict.fromkeys(USER_FIELDS[f] for f in fields)))
        return envelope(request, {"user": user_dict(request, token, fields)})

    return _answer(request, handle)


def _cursor(body):
    cursor = body.get("cursor")
    if cursor is None:
        return None
    if isinstance(cursor, bool) or not isinstance(cursor, int) or cursor < 0:
        raise Refusal("invalid_params", "cursor must be a Unix time in milliseconds.")
    # Tolerant reading: 0 asks for the newest page, like no cursor.
    return cursor or None


def _max_count(body):
    max_count = body.get("max_count", 10)
    if isinstance(max_count, bool) or not isinstance(max_count, int):
        raise Refusal("invalid_params", "max_count must be an integer.")
    if not 1 <= max_count <= MAX_COUNT:
        raise Refusal("invalid_params", f"max_count must be between 1 and {MAX_COUNT}.")
    return max_count


@endpoint("video.list")
def video_list(request):
    def handle():
        token = _authorize(request, "POST", "video.list")
        fields = _fields(request, VIDEO_FIELDS)
        body = _json_body(request)
        cursor, max_count = _cursor(body), _max_count(body)
        videos = token.account.public_videos()
        if cursor is not None:
            videos = videos.filter(created_ms__lt=cursor)
        page = list(videos[: max_count + 1])
        has_more, page = len(page) > max_count, page[:max_count]
        # An empty page hands back the cursor it was given (or now).
        next_cursor = page[-1].created_ms if page else cursor or int(time.time() * 1000)
        username = token.account.username
        data = {
            "videos": [video_dict(request, v, fields, username) for v in page],
            "cursor": next_cursor,
            "has_more": has_more,
        }
        return envelope(request, data)

    return _answer(request, handle)


@endpoint("video.query")
def video_query(request):
    def handle():
        token = _authorize(request, "POST", "video.list")
        fields = _fields(request, VIDEO_FIELDS)
        body = _json_body(request)
        filters = body.get("filters")
        ids = filters.get("video_ids") if isinstance(filters, dict) else None
        if not isinstance(ids, list) or not ids or len(ids) > MAX_COUNT:
            raise Refusal("invalid_params", f"filters.video_ids must list 1 to {MAX_COUNT} ids.")
        if not all(isinstance(i, str | int) and not isinstance(i, bool) for i in ids):
            raise Refusal("invalid_params", "video ids must be strings.")
        ids = list(dict.fromkeys(str(i) for i in ids))
        found = {v.video_id: v for v in token.account.public_videos().filter(video_id__in=ids)}
        username = token.account.username
        videos = [video_dict(request, found[i], fields, username) for i in ids if i in found]
        return envelope(request, {"videos": videos})

    return _answer(request, handle)
