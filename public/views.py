"""What visitors see: the public page, link redirects and abuse reports.

The public page is the hot path. A warm view reads two cache entries and
answers; it runs no query on the app's tables, touches no session and sets no
cookie. See pages/cache.py for the entries and pages/sync/schedule.py for how a
stale snapshot is synced without the visitor waiting.
"""

import json
import math

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse, HttpResponseNotModified, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from pages import addresses, cdn, colours, socials
from pages import cache as page_cache
from pages.models import (
    AT_ADDRESS,
    FORMER_ADDRESS,
    MAX_SCREEN,
    VIDEOS_PER_SCREEN,
    Link,
    Page,
    Video,
)
from pages.safety.links import ALLOWED_SCHEMES, blocked_flags, is_blocked, link_host
from pages.sync import schedule as syncing
from public import content_coding, fold, reports
from public.forms import ReportForm
from stats import counting as stats

# A report is a reason and at most 1000 characters: even percent-encoded,
# far below this.
REPORT_MAX_BYTES = 32 * 1024
TOO_MANY_REPORTS = (
    "You have sent several reports in the last hour, so this one was not sent yet. "
    "Please send it again in an hour; what you wrote is still here."
)
_JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}
# How long a browser or CDN keeps where a former address or a username leads.
FORMER_ADDRESS_CACHE_SECONDS = 3600


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
            return _unavailable(request, 404, slug)
        return _cold(request, slug, screen, state)
    if state["slug"] != slug:
        return _to_canonical(state["slug"], screen)
    if state["gone"]:
        return _unavailable(request, 410, gone_for=state.get("gone_for", ""))
    return from_cache(request, state, screen) or _cold(request, slug, screen, state)


@require_safe
def without_slash(request, slug):
    """/@name/ (as some apps write a link) is /@name, its query kept."""
    query = request.META.get("QUERY_STRING", "")
    return redirect(f"/@{slug}" + (f"?{query}" if query else ""), permanent=True)


def from_cache(request, state, screen):
    """The warm answer for a page whose state is cached, or None."""
    entry = page_cache.get_html(state["id"], state["version"], screen)
    if entry is None or page_cache.is_expired(entry):
        return None
    return _respond(request, state, entry)


def _cold(request, slug, screen, cached=None):
    try:
        return _render(request, slug, screen, cached)
    except DATABASE_AWAY:
        return _back_soon(request)


def _render(request, slug, screen, cached):
    generation = page_cache.slug_generation()
    # An address a page left leads to it for a year; a creator's TikTok
    # username leads to their page, wherever it is (/@daily.sketch ->
    # /@dailysketch): neither is ever offered to someone else.
    page, how = addresses.page_at(slug)
    if page is None:
        page_cache.remember_missing(slug, generation)
        return _unavailable(request, 404, slug)
    if how != AT_ADDRESS:
        response = redirect(f"/@{page.slug}", permanent=how == FORMER_ADDRESS)
        # Browsers keep a 301 for ever unless told: the page may move back
        # (a loop for whoever saw both moves) and after a year the address
        # may be another creator's.
        response["Cache-Control"] = f"public, max-age={FORMER_ADDRESS_CACHE_SECONDS}"
        return response
    page_cache.remember_state(page, cached)
    if page.slug != slug:
        return _to_canonical(page.slug, screen)
    if page.is_suspended:
        return _unavailable(request, 410, gone_for=page.suspended_for)
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
    if _counts(request, state.get("owner")):
        stats.count_view(state["id"], request)
    syncing.request_from_visit(state)
    # META, not request.headers: building the latter costs the warm path more
    # than everything else it does.
    # Each body its own strong ETag: a cache never answers a 304 for the
    # gzipped bytes to a browser holding the plain ones.
    gzipped = content_coding.accepts_gzip(request.META.get("HTTP_ACCEPT_ENCODING", ""))
    if gzipped:
        etag = f'{etag[:-1]}-gzip"'
    if etag in request.META.get("HTTP_IF_NONE_MATCH", ""):
        response = HttpResponseNotModified()
    elif gzipped:
        response = HttpResponse(compressed, content_type="text/html; charset=utf-8")
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(body, content_type="text/html; charset=utf-8")
    response["ETag"] = etag
    response["Vary"] = "Accept-Encoding"
    response["Cache-Control"] = cdn.public_cache_control(request.META.get("QUERY_STRING", ""))
    cdn.tag(response, state["id"])
    return response


def _unavailable(request, status, slug=None, gone_for=""):
    """404 or 410. The same for every address but the free name a 404 invites
    its owner to claim (and a 410's reason), so rendered once per process: a
    flood of made-up addresses costs no rendering."""
    claimable = status == 404 and slug is not None and Page.is_claimable(slug)
    key = (status, claimable, gone_for)
    if key not in _unavailable_bodies:
        context = {
            "status": status,
            "free_name": _FREE_NAME if claimable else "",
            "gone_for": gone_for,
        }
        body = render_to_string("pages/unavailable.html", context)
        _unavailable_bodies[key] = body.encode()
    body = _unavailable_bodies[key]
    if claimable:
        body = body.replace(_FREE_NAME.encode(), escape(slug.lower()).encode())
    response = HttpResponse(body, content_type="text/html; charset=utf-8", status=status)
    response["Cache-Control"] = "public, max-age=60"
    return response


# Stands for the free name in the rendered 404 (a name is letters, digits, "_", "." and "-").
_FREE_NAME = "[free name]"
_unavailable_bodies = {}


def preview_html(page, warnings=(), shown_with="", mode=""):
    """The first screen of a page as visitors would see it (not cached, not
    counted), without its script: the preview frame runs none. `warnings`
    say which unsaved choices it cannot show, `shown_with` what it shows instead."""
    context = {
        **_context(page, 1),
        "preview": True,
        "preview_warnings": warnings,
        "preview_shown_with": shown_with,
        "preview_mode": mode if mode in ("light", "dark") else "",
    }
    return render_to_string("pages/public.html", context)


# A stylesheet no page shows (an Appearance preview's, a made-up name): any of
# billions of names, so caches keep it only briefly.
UNUSED_STYLE_SECONDS = 300


@require_safe
def page_style(request, name):
    """The CSS variables of a page's own colours. The name says everything
    the stylesheet holds, so it needs no database and never changes: kept a
    year when a page shows it, else a few minutes."""
    css = colours.stylesheet(name)
    if css is None:
        raise Http404("No such stylesheet")
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    if page_cache.style_in_use(name):
        response["Cache-Control"] = "public, max-age=31536000, immutable"
    else:
        response["Cache-Control"] = f"public, max-age={UNUSED_STYLE_SECONDS}"
    return response


def _context(page, screen):
    videos = list(page.visible_videos())
    for video, blocked in zip(videos, blocked_flags(v.link_url for v in videos), strict=True):
        if blocked:
            video.link_url = ""  # not shown; never saved
    screens = max(1, math.ceil(len(videos) / VIDEOS_PER_SCREEN))
    if screen > screens:
        return None
    canonical = settings.SITE_URL + page.get_absolute_url()
    avatar = settings.SITE_URL + page.avatar.url if page.avatar else ""
    description = page.summary
    followers = page.follower_count if page.show_follower_count else None
    shown_socials = socials.shown(page.socials)
    links = list(page.visible_links()) if screen == 1 else []
    shown = videos[(screen - 1) * VIDEOS_PER_SCREEN : screen * VIDEOS_PER_SCREEN]
    return {
        "page": page,
        "links": links,
        "videos": shown,
        # The first cover is the largest picture a phone paints (else the profile picture).
        "covers_first": any(video.cover for video in shown[:1])
        and fold.covers_seen_first(
            bool(page.avatar), page.title, page.shown_bio, shown_socials, links
        ),
        "screen": screen,
        "previous_screen": screen - 1 if screen > 1 else None,
        "next_screen": screen + 1 if screen < screens else None,
        "canonical": canonical if screen == 1 else f"{canonical}?page={screen}",
        "avatar_url": page.avatar.url if page.avatar else "",
        "style_name": page.style_name,
        "og_image": settings.SITE_URL + page.share_image.url if page.share_image else avatar,
        "og_image_is_card": bool(page.share_image),
        "description": " ".join(description.split()),
        "followers": followers,
        "socials": shown_socials,
        "json_ld": _json_ld(page, canonical, avatar, description, shown_socials),
    }


def _json_ld(page, canonical, avatar, description, shown_socials):
    person = {
        "@type": "Person",
        "name": page.title,
        "alternateName": f"@{page.handle}",
        "description": description,
        "url": canonical,
    }
    if avatar:
        person["image"] = avatar
    same_as = [page.profile_deep_link] if page.profile_deep_link else []
    same_as += [url for network, _, url in shown_socials if network.key != "email"]
    if same_as:
        person["sameAs"] = same_as
    data = {"@context": "https://schema.org", "@type": "ProfilePage", "mainEntity": person}
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_JSON_ESCAPES))  # noqa: S308


@require_safe
def link_redirect(request, link_id):
    """GET /l/<id>: count a person's click, then go to the creator's link."""
    try:
        link = Link.objects.select_related("page").filter(pk=link_id).first()
        if link is None or link.page.is_suspended or not link.is_live():
            raise Http404("No such link")
        _check(link.url)
    except DATABASE_AWAY:
        return _go_as_before(request, f"l{link_id}")
    page_cache.remember_link(f"l{link_id}", (link.url, link, link.ends_at))
    return _go(request, link.url, link)


@require_safe
def video_link_redirect(request, video_id):
    """GET /l/v<id>: the "shop this look" link under a video."""
    try:
        video = Video.objects.select_related("page").filter(pk=video_id, hidden=False).first()
        if video is None or video.page.is_suspended or not video.link_url:
            raise Http404("No such link")
        _check(video.link_url)
    except DATABASE_AWAY:
        return _go_as_before(request, f"v{video_id}")
    page_cache.remember_link(f"v{video_id}", (video.link_url, video, None))
    return _go(request, video.link_url, video)


def _check(url):
    if url.split(":", 1)[0].lower() not in ALLOWED_SCHEMES or is_blocked(link_host(url)):
        raise Http404("No such link")


# While the database cannot be read, a click on a link this process followed
# lately goes where it went then (and counts), and a page it holds in memory
# is served from there; anything else answers 503, to be tried again soon.
DATABASE_AWAY = (OperationalError, InterfaceError)


def _go_as_before(request, key):
    remembered = page_cache.remembered_link(key)
    if remembered is None or (remembered[2] is not None and remembered[2] <= timezone.now()):
        return _back_soon(request)
    return _go(request, remembered[0], remembered[1])


def _back_soon(request):
    """503: the database cannot be read (a page not in memory, a link not followed lately)."""
    response = _unavailable(request, 503)
    response["Retry-After"] = "30"
    response["Cache-Control"] = "no-store"
    return response


def _go(request, url, obj):
    if _counts(request, obj.page.user_id):
        if isinstance(obj, Link):
            stats.count_click(obj, request)
        else:
            stats.count_video_link_click(obj, request)
    response = LinkRedirect(url)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _counts(request, owner_id):
    """Whether a view, click or play counts: a person (no bot, no prefetch),
    a GET (or the player's POST), and not the creator on their own page."""
    return (
        request.method in ("GET", "POST")
        and stats.is_human(request)
        and not stats.is_owner(request, owner_id)
    )


@csrf_exempt  # the player's beacon: anonymous, stateless, no cookie to set
@require_POST
def video_play(request, video_id):
    """POST /l/v<id>/play: a visitor pressed play on a video (sent by the
    click-to-play script with navigator.sendBeacon; no script, no count)."""
    video = Video.objects.select_related("page").filter(pk=video_id, hidden=False).first()
    if video is None or video.page.is_suspended:
        raise Http404("No such video")
    if _counts(request, video.page.user_id):
        stats.count_play(video, request)
    response = HttpResponse(status=204)
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt  # anonymous and stateless: no session to forge, no cookie to set
def report(request, slug):
    """A visitor reports a page to the admins."""
    if _declared_length(request) > REPORT_MAX_BYTES:
        context = {"limit_kb": REPORT_MAX_BYTES // 1024}
        return render(request, "413.html", context, status=413)
    page = get_object_or_404(Page.at_address(slug), is_suspended=False)
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
