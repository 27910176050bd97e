"""The sandbox's CDN and player: signed, expiring image URLs and the embed page.

TikTok's cover and avatar URLs carry `x-expires` and a signature and stop
working after some hours; these do the same (expired or tampered: 403).
"""

import hashlib
import hmac
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_GET

from sandbox import app_permissions, images
from sandbox.models import Account, Video


def _signature(path, expires):
    key = hashlib.sha256(f"sandbox-cdn:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, f"{path}?{expires}".encode(), hashlib.sha256).hexdigest()[:32]


def signed_url(request, path, lifetime=None):
    """An absolute URL for `path` that stops working after `lifetime` seconds."""
    lifetime = settings.TIKTOK_SANDBOX_IMAGE_URL_SECONDS if lifetime is None else lifetime
    expires = int(time.time()) + lifetime
    query = f"x-expires={expires}&x-signature={_signature(path, expires)}"
    return request.build_absolute_uri(f"{path}?{query}")


def cover_url(request, video):
    """The current cover's address: a new cover has a new path, as on TikTok's CDN."""
    return signed_url(request, reverse("sandbox:cover", args=[video.video_id, video.cover_version]))


def avatar_url(request, account, field):
    return signed_url(request, reverse("sandbox:avatar", args=[account.uid, field]))


def _signature_ok(request):
    try:
        expires = int(request.GET.get("x-expires", ""))
    except ValueError:
        return False
    if expires < time.time():
        return False
    wanted = _signature(request.path, expires)
    return hmac.compare_digest(wanted, request.GET.get("x-signature", ""))


def _image(request, cache_key, make):
    if not _signature_ok(request):
        return HttpResponseForbidden("Access denied: the URL expired or its signature is wrong.")
    body = cache.get(cache_key)
    if body is None:
        body = make()
        cache.set(cache_key, body, 7 * 86400)
    response = HttpResponse(body, content_type="image/jpeg")
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_GET
def cover(request, video_id, version):
    video = get_object_or_404(Video.objects.select_related("account"), video_id=video_id)
    if not 1 <= version <= video.cover_version:
        return HttpResponseForbidden("Access denied.")
    digest = hashlib.sha256(video.title.encode()).hexdigest()[:12]
    return _image(
        request,
        f"sandbox:cover:{video_id}:{version}:{digest}",
        lambda: images.cover(video.video_id, video.title, video.account.username, version),
    )


@require_GET
def avatar(request, uid, field):
    size = images.AVATAR_SIZES.get(field)
    account = get_object_or_404(Account, uid=uid)
    if size is None:
        return HttpResponseForbidden("Unknown image.")
    name = account.display_name or account.username
    digest = hashlib.sha256(name.encode()).hexdigest()[:12]
    return _image(
        request,
        f"sandbox:avatar:{uid}:{size}:{digest}",
        lambda: images.avatar(str(account.uid), name, size),
    )


PLAYER_CSP = {
    "default-src": ["'self'"],
    "img-src": ["'self'"],
    "style-src": ["'self'"],
    "frame-ancestors": ["*"],
}


@require_GET
@xframe_options_exempt
@csp_override(PLAYER_CSP)
def player(request, video_id):
    """Stands for https://www.tiktok.com/player/v1/<id>: framable, shows the video's cover."""
    video = get_object_or_404(Video.objects.select_related("account"), video_id=video_id)
    ctx = {
        "video": video,
        "cover": cover_url(request, video),
        "autoplay": request.GET.get("autoplay") == "1",
    }
    return render(request, "sandbox/player.html", ctx)


@require_GET
def share(request, username, video_id):
    """Stands for a video's share_url on tiktok.com."""
    video = get_object_or_404(Video, video_id=video_id, account__username=username)
    ctx = {"video": video, "cover": cover_url(request, video), "autoplay": False}
    return render(request, "sandbox/player.html", ctx)


@require_GET
def profile(request, username):
    """Stands for a creator's profile on tiktok.com (profile_deep_link)."""
    account = get_object_or_404(Account, username=username)
    videos = [(v, cover_url(request, v)) for v in account.public_videos()[:30]]
    avatar = avatar_url(request, account, "avatar_url")
    ctx = {
        "account": account,
        "avatar": avatar,
        "videos": videos,
        "permissions": app_permissions.choices(),
    }
    return render(request, "sandbox/profile.html", ctx)
