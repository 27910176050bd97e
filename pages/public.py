"""What visitors see: the public page, link redirects and abuse reports.

The public page is the hot path. A warm view reads two cache entries and
answers; it runs no query on the app's tables, touches no session and sets no
cookie. See pages/cache.py for the entries and pages/syncing.py for how a
stale snapshot is synced without the visitor waiting.
"""

import json
import math
import re

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseNotModified, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from pages import cache as page_cache
from pages import reports, stats, syncing, visitors
from pages.forms import ReportForm
from pages.links import ALLOWED_SCHEMES, blocked_hosts, is_blocked, link_host
from pages.models import MAX_VIDEOS_SHOWN, VIDEOS_PER_SCREEN, Link, Page, Video

# A report is a reason and at most 1000 characters: even percent-encoded,
# far below this.
REPORT_MAX_BYTES = 32 * 1024
TOO_MANY_REPORTS = (
    "You have sent several reports in the last hour, so this one was not sent yet. "
    "Please send it again in an hour; what you wrote is still here."
)
MAX_SCREEN = math.ceil(MAX_VIDEOS_SHOWN / VIDEOS_PER_SCREEN)
_JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}
_GZIP = re.compile(r"\bgzip\b")


class LinkRedirect(HttpResponseRedirect):
    allowed_schemes = list(ALLOWED_SCHEMES)


def screen_of(request):
    """The screen of videos asked for (?page=N), 1 by default, None when invalid."""
    if not request.META.get("QUERY_STRING"):
        return 1
    value = request.GET.get("page", "1")
    # ASCII digits only: "²".isdigit() is true, and int("²") raises.
    if not (value.isascii() and value.isdigit() and len(value) <= 3):
        return None
    return int(value) if 1 <= int(value) <= MAX_SCREEN else None


@require_safe
def public_page(request, slug):
    """GET /@<slug>: the creator's page, from the cache when it can."""
    screen = screen_of(request)
    if screen is None:
        raise Http404("No such screen")
    state = page_cache.get_state(slug)
    if not isinstance(state, dict):
        if page_cache.is_missing(slug):
            return _unavailable(request, 404)
        return _cold(request, slug, screen, state)
    if state["slug"] != slug:
        return _to_canonical(state["slug"], screen)
    if state["gone"]:
        return _unavailable(request, 410)
    return from_cache(request, state, screen) or _cold(request, slug, screen, state)


def from_cache(request, state, screen):
    """The warm answer for a page whose state is cached, or None."""
    entry = page_cache.get_html(state["id"], state["version"], screen)
    if entry is None or page_cache.is_expired(entry):
        return None
    return _respond(request, state, entry)


def _cold(request, slug, screen, cached=None):
    generation = page_cache.slug_generation()
    page = Page.objects.select_related("user").filter(slug__iexact=slug).first()
    if page is None:
        # A TikTok handle with dots, which a page address cannot hold, leads
        # to its creator's page (/@daily.sketch -> /@dailysketch).
        owner = (
            "." in slug
            and Page.objects.filter(username__iexact=slug, is_suspended=False)
            .order_by("-last_synced_at")
            .first()
        )
        if owner:
            return redirect(f"/@{owner.slug}")
        page_cache.remember_missing(slug, generation)
        return _unavailable(request, 404)
    page_cache.remember_state(page, cached)
    if page.slug != slug:
        return _to_canonical(page.slug, screen)
    if page.is_suspended:
        return _unavailable(request, 410)
    context = _context(page, screen)
    if context is None:
        raise Http404("No such screen")
    body = render_to_string("pages/public.html", context).encode()
    entry = page_cache.store_html(
        page.pk, page.version, screen, body, valid_until=page.next_schedule_change()
    )
    return _respond(request, page_cache.state_of(page), entry)


def _to_canonical(slug, screen):
    suffix = f"?page={screen}" if screen > 1 else ""
    return redirect(f"/@{slug}{suffix}", permanent=True)


def _respond(request, state, entry):
    etag, body, _, compressed = entry
    if request.method == "GET" and stats.is_human(request):
        stats.count_view(state["id"], visitors.visitor_hash(request))
    syncing.request_from_visit(state)
    # META, not request.headers: building the latter costs the warm path more
    # than everything else it does.
    if etag in request.META.get("HTTP_IF_NONE_MATCH", ""):
        response = HttpResponseNotModified()
    elif _GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
        response = HttpResponse(compressed, content_type="text/html; charset=utf-8")
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(body, content_type="text/html; charset=utf-8")
    response["ETag"] = etag
    response["Vary"] = "Accept-Encoding"
    response["Cache-Control"] = f"public, max-age={settings.PAGE_BROWSER_CACHE_SECONDS}"
    return response


def _unavailable(request, status):
    """404 or 410. The same for every address, so rendered once per process:
    a flood of made-up addresses costs no rendering."""
    if status not in _unavailable_bodies:
        body = render_to_string("pages/unavailable.html", {"status": status})
        _unavailable_bodies[status] = body.encode()
    response = HttpResponse(
        _unavailable_bodies[status], content_type="text/html; charset=utf-8", status=status
    )
    response["Cache-Control"] = "public, max-age=60"
    return response


_unavailable_bodies = {}


def _context(page, screen):
    videos = list(page.visible_videos())
    blocked = blocked_hosts(link_host(video.link_url) for video in videos if video.link_url)
    for video in videos:
        if video.link_url and link_host(video.link_url) in blocked:
            video.link_url = ""  # not shown; never saved
    screens = max(1, math.ceil(len(videos) / VIDEOS_PER_SCREEN))
    if screen > screens:
        return None
    canonical = settings.SITE_URL + page.get_absolute_url()
    avatar = settings.SITE_URL + page.avatar.url if page.avatar else ""
    description = (page.shown_bio or f"Links and latest TikTok videos of @{page.handle}")[:200]
    followers = page.follower_count if page.show_follower_count else None
    return {
        "page": page,
        "links": list(page.visible_links()) if screen == 1 else [],
        "videos": videos[(screen - 1) * VIDEOS_PER_SCREEN : screen * VIDEOS_PER_SCREEN],
        "screen": screen,
        "previous_screen": screen - 1 if screen > 1 else None,
        "next_screen": screen + 1 if screen < screens else None,
        "canonical": canonical if screen == 1 else f"{canonical}?page={screen}",
        "avatar_url": page.avatar.url if page.avatar else "",
        "og_image": avatar,
        "description": " ".join(description.split()),
        "followers": followers,
        "json_ld": _json_ld(page, canonical, avatar, description),
    }


def _json_ld(page, canonical, avatar, description):
    person = {
        "@type": "Person",
        "name": page.title,
        "alternateName": f"@{page.handle}",
        "description": description,
        "url": canonical,
    }
    if avatar:
        person["image"] = avatar
    if page.profile_deep_link:
        person["sameAs"] = [page.profile_deep_link]
    data = {"@context": "https://schema.org", "@type": "ProfilePage", "mainEntity": person}
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_JSON_ESCAPES))  # noqa: S308


@require_safe
def link_redirect(request, link_id):
    """GET /l/<id>: count a person's click, then go to the creator's link."""
    link = Link.objects.select_related("page").filter(pk=link_id).first()
    if link is None or link.page.is_suspended or not link.is_live():
        raise Http404("No such link")
    return _go(request, link.url, link)


@require_safe
def video_link_redirect(request, video_id):
    """GET /l/v<id>: the "shop this look" link under a video."""
    video = Video.objects.select_related("page").filter(pk=video_id, hidden=False).first()
    if video is None or video.page.is_suspended or not video.link_url:
        raise Http404("No such link")
    return _go(request, video.link_url, video)


def _go(request, url, obj):
    if url.split(":", 1)[0].lower() not in ALLOWED_SCHEMES or is_blocked(link_host(url)):
        raise Http404("No such link")
    if request.method == "GET" and stats.is_human(request):
        visitor = visitors.visitor_hash(request)
        if isinstance(obj, Link):
            stats.count_click(obj, visitor)
        else:
            stats.count_video_link_click(obj, visitor)
    response = LinkRedirect(url)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


@csrf_exempt  # anonymous and stateless: no session to forge, no cookie to set
def report(request, slug):
    """A visitor reports a page to the admins."""
    if _declared_length(request) > REPORT_MAX_BYTES:
        context = {"limit_kb": REPORT_MAX_BYTES // 1024}
        return render(request, "413.html", context, status=413)
    page = get_object_or_404(Page, slug__iexact=slug, is_suspended=False)
    status = 200
    if request.method == "POST":
        form = ReportForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            # A filled-in trap field is a bot: it is thanked and nothing is kept.
            if data["website"] or reports.receive(request, page, data["reason"], data["message"]):
                return render(request, "pages/report.html", {"page": page, "sent": True})
            form.add_error(None, TOO_MANY_REPORTS)
            status = 429
    else:
        form = ReportForm()
    return render(request, "pages/report.html", {"page": page, "form": form}, status=status)


def _declared_length(request):
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0
