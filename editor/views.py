"""The creator's dashboard: links, videos, appearance, sync, QR code, numbers.

Every view works on the signed-in creator's own page; another creator's ids
answer 404.
"""

import zoneinfo
from datetime import timedelta
from functools import cache, wraps

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Max, Q, Sum
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.middleware.csp import get_nonce
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.csp import CSP, build_policy
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_safe

from editor.forms import (
    AppearanceForm,
    LinkForm,
    SocialsForm,
    VideoLinkForm,
    VideosShownForm,
)
from pages import addresses, colours, publish, suspending
from pages.icons import icon_queue
from pages.media import files as media
from pages.models import MAX_LINKS, VIDEOS_PER_SCREEN, Link, Page, Video
from pages.safety.links import blocked_flags, link_host
from pages.sync import schedule as syncing
from public import views as public
from sources import registry
from stats import metrics


def _page_for(user):
    page = Page.objects.filter(user=user).first()
    if page is None:
        raise Http404("No page")
    return page


def _get_link(request, link_id):
    return get_object_or_404(Link, pk=link_id, page__user=request.user)


def _get_video(request, video_id):
    return get_object_or_404(Video, pk=video_id, page__user=request.user)


def sync_status(page, connection, now=None):
    """The state of the page's updates from its source, in plain words."""
    now = now or timezone.now()
    name = page.get_source().display_name
    if connection is not None and not connection.can_reconnect:
        return "error", connection.note  # what the source said happened to the account
    if connection is None or connection.disconnected:
        return "off", f"Not connected to {name}: your page shows what it had."
    if connection.needs_reconnect:
        return "error", f"{name} needs you to reconnect before we can update your page."
    if connection.paused:
        return "off", f"Updates from {name} are paused."
    if page.is_suspended:
        return "error", "Your page is suspended; it is not updated."
    if page.sync_lease_until and page.sync_lease_until > now:
        if syncing.is_running(page.pk) is False:  # queued, or its worker stopped
            return "busy", f"Waiting for its turn to update from {name}."
        return "busy", f"Updating from {name} now. Reload in a few seconds."
    if page.sync_waiting_since:
        return "busy", f"Waiting for its turn to update from {name}."
    if page.last_sync_error:
        return "error", page.last_sync_error
    if page.last_synced_at is None:
        return "busy", f"Your first update from {name} is on its way."
    return "ok", f"Up to date with {name}."


def _connection(user, page=None):
    """The creator's connection to their page's source (before they have a
    page, to whichever source knows them), or None."""
    sources = [page.get_source()] if page else registry.all_sources()
    return next(filter(None, (source.connection(user) for source in sources)), None)


@cache
def _zone_names():
    return frozenset(zoneinfo.available_timezones())


def _in_creator_zone(view):
    """The view may switch to the creator's time zone (`_use_creator_zone`);
    the zone is per thread, so it is switched back when the view ends."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        finally:
            timezone.deactivate()

    return wrapper


def _use_creator_zone(request, page):
    """Read and show times in the creator's zone: the one their browser
    sent with this form (kept on the page), else the one kept. Only in
    views wrapped by `_in_creator_zone`."""
    sent = request.POST.get("tz", "")
    if sent in _zone_names() and sent != page.time_zone:
        page.time_zone = sent
        Page.objects.filter(pk=page.pk).update(time_zone=sent)
    name = page.time_zone if page.time_zone in _zone_names() else "UTC"
    timezone.activate(zoneinfo.ZoneInfo(name))
    return name


def _screen_on_get(screen):
    """A form's address opened with GET (a reload after a refused form, Enter
    in the address bar, a bookmark) leads to the screen the form is on:
    `screen` is a URL name or a function of the view's arguments to its address."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method in ("GET", "HEAD"):
                return redirect(screen(*args, **kwargs) if callable(screen) else reverse(screen))
            if request.method != "POST":
                return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def _at_link(link_id):
    return f"{reverse('dashboard')}#link-{link_id}"


def _at_video(video_id, field=None):
    return f"{reverse('dashboard_videos')}#video-{video_id}"


def _after_link_saved(link):
    """Queue the fetch of the link's site icon once the save is committed."""
    icon_queue.queue_icon(link)


def _dashboard_context(request, page, link_form=None, socials_form=None):
    month_ago = timezone.now().date() - timedelta(days=30)
    month = page.daily_counts.filter(day__gt=month_ago).aggregate(
        views=Sum("count", filter=Q(metric="views")),
        clicks=Sum("count", filter=Q(metric__in=metrics.CLICKS)),
    )
    connection = _connection(request.user, page)
    state, status_text = sync_status(page, connection)
    # While an update is on its way, the next one's moment would only confuse.
    next_sync = page.next_sync_at() if state != "busy" else None
    visit_sync = page.visit_syncs_after(next_sync)
    zone = _use_creator_zone(request, page)
    links = list(page.links.all())
    for link, blocked in zip(links, blocked_flags(link.url for link in links), strict=True):
        link.is_blocked = blocked
    return {
        "page": page,
        "connection": connection,
        "address_offer": addresses.offered(page),
        "suspension": suspending.status_for_creator(page),
        "links": links,
        "link_form": link_form or LinkForm(time_zone=zone, initial={"kind": Link.LINK}),
        "socials_form": socials_form or SocialsForm(page=page),
        "time_zone": zone,
        "max_links": MAX_LINKS,
        "sync_state": state,
        "sync_text": status_text,
        "next_sync": next_sync,
        "visit_sync": visit_sync,
        "visit_sync_now": visit_sync is not None and visit_sync <= timezone.now(),
        "month": month,
        "page_url": settings.SITE_URL + page.get_absolute_url(),
    }


@login_required
@_in_creator_zone
def dashboard(request):
    """The creator's overview: status, links, numbers, QR code."""
    page = Page.objects.filter(user=request.user).first()
    if page is None:
        context = {"connection": _connection(request.user)}
        return render(request, "pages/no_page.html", context)
    return render(request, "pages/dashboard.html", _dashboard_context(request, page))


def _changed(request, page, text):
    publish.page_changed(page)
    messages.success(request, text)


@login_required
@_screen_on_get(lambda: f"{reverse('dashboard')}#links-h")
@_in_creator_zone
def link_add(request):
    page = _page_for(request.user)
    form = LinkForm(request.POST, time_zone=_use_creator_zone(request, page))
    if page.links.count() >= MAX_LINKS:
        form.add_error(None, f"A page can have at most {MAX_LINKS} links.")
    if form.is_valid():
        with transaction.atomic():
            link = form.save(commit=False)
            link.page = page
            link.position = (page.links.aggregate(m=Max("position"))["m"] or 0) + 1
            link.save()
            _changed(request, page, f"Added “{link.title}”.")
            _after_link_saved(link)
        return redirect(f"{reverse('dashboard')}#link-{link.pk}")
    context = _dashboard_context(request, page, link_form=form)
    return render(request, "pages/dashboard.html", context, status=400)


@login_required
@_in_creator_zone
def link_edit(request, link_id):
    link = _get_link(request, link_id)
    zone = _use_creator_zone(request, link.page)
    host_before, emoji_before = link_host(link.url), link.emoji
    form = LinkForm(request.POST or None, instance=link, time_zone=zone)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            link = form.save(commit=False)
            if link_host(link.url) != host_before or (emoji_before and not link.emoji):
                link.forget_icon()
            link.save()
            _changed(request, link.page, f"Saved “{link.title}”.")
            _after_link_saved(link)
        return redirect(f"{reverse('dashboard')}#link-{link.pk}")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "link": link, "page": link.page, "time_zone": zone}
    return render(request, "pages/link_edit.html", context, status=status)


@login_required
@_screen_on_get("dashboard")
def link_delete(request, link_id):
    link = _get_link(request, link_id)
    with transaction.atomic():
        link.delete()
        _changed(request, link.page, f"Deleted “{link.title}”.")
    return redirect("dashboard")


@login_required
@_screen_on_get(_at_link)
def link_toggle(request, link_id):
    link = _get_link(request, link_id)
    with transaction.atomic():
        link.enabled = not link.enabled
        link.save(update_fields=["enabled"])
        shown = "shown on" if link.enabled else "hidden from"
        _changed(request, link.page, f"“{link.title}” is {shown} your page.")
    return redirect(f"{reverse('dashboard')}#link-{link.pk}")


@login_required
@_screen_on_get(_at_link)
def link_move(request, link_id):
    """Move a link one place up or down (works without JavaScript)."""
    link = _get_link(request, link_id)
    step = -1 if request.POST.get("direction") == "up" else 1
    with transaction.atomic():
        links = list(link.page.links.select_for_update())
        i = next(n for n, other in enumerate(links) if other.pk == link.pk)
        j = i + step
        if 0 <= j < len(links):
            links[i], links[j] = links[j], links[i]
            for position, other in enumerate(links, start=1):
                if other.position != position:
                    other.position = position
                    other.save(update_fields=["position"])
            publish.page_changed(link.page)
    return redirect(f"{reverse('dashboard')}#link-{link.pk}")


@login_required
@_screen_on_get("dashboard")
def link_reorder(request):
    """Put the links in the order sent (drag and drop, or the keyboard):
    `order` lists every link id of the page once."""
    page = _page_for(request.user)
    try:
        order = [int(part) for part in request.POST.get("order", "").split(",") if part]
    except ValueError:
        order = []
    with transaction.atomic():
        links = {link.pk: link for link in page.links.select_for_update()}
        if len(order) != len(links) or set(order) != set(links):
            message = "The list changed meanwhile: reload the page and move the link again."
            if _wants_json(request):
                return JsonResponse({"error": message}, status=400)
            messages.error(request, message)
            return redirect("dashboard")
        for position, pk in enumerate(order, start=1):
            if links[pk].position != position:
                links[pk].position = position
                links[pk].save(update_fields=["position"])
        publish.page_changed(page)
    if _wants_json(request):
        return JsonResponse({"saved": True})
    messages.success(request, "New order saved.")
    return redirect("dashboard")


def _wants_json(request):
    return "application/json" in request.headers.get("Accept", "")


@login_required
@_screen_on_get(lambda: f"{reverse('dashboard')}#socials-h")
@_in_creator_zone
def socials_edit(request):
    """The social icons under the bio."""
    page = _page_for(request.user)
    form = SocialsForm(request.POST, page=page)
    if form.is_valid():
        with transaction.atomic():
            form.save()
            _changed(request, page, "Your social icons are saved.")
        return redirect(f"{reverse('dashboard')}#socials-h")
    context = _dashboard_context(request, page, socials_form=form)
    return render(request, "pages/dashboard.html", context, status=400)


@login_required
@require_safe
def share(request):
    """The page's address to copy, its QR code, and its card as apps show it."""
    page = _page_for(request.user)
    context = {
        "page": page,
        "page_url": settings.SITE_URL + page.get_absolute_url(),
        "card": share_card(page),
        "connection": _connection(request.user, page),
    }
    return render(request, "pages/share.html", context)


def share_card(page):
    """What TikTok and Instagram show for a shared link: the og: tags of the
    public page (title, description, image, site)."""
    return {
        "title": f"{page.title} (@{page.handle})",
        "description": page.summary,
        # The 1200x630 share picture once it is made, as og:image names it.
        "image": (page.share_image or page.avatar).url if page.share_image or page.avatar else "",
        "wide": bool(page.share_image),
        "site": link_host(settings.SITE_URL) or "linkinbio",
    }


@login_required
def videos(request):
    """Which videos show, and each one's settings."""
    page = _page_for(request.user)
    form = VideosShownForm(request.POST or None, instance=page)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            _changed(request, page, "Saved. New videos arrive with the next update.")
        return redirect("dashboard_videos")
    items = page.videos.order_by("-pinned", "-create_time")
    context = {
        "page": page,
        "form": form,
        "videos": [
            (video, VideoLinkForm(instance=video, prefix=f"v{video.pk}")) for video in items
        ],
        "connection": _connection(request.user, page),
        "per_screen": VIDEOS_PER_SCREEN,
        "showing": page.visible_videos().count(),
    }
    return render(request, "pages/videos.html", context, status=400 if form.errors else 200)


@login_required
def video_edit(request, video_id):
    """The link under one video ("Shop this look"): its own screen on GET."""
    video = _get_video(request, video_id)
    form = VideoLinkForm(request.POST or None, instance=video, prefix=f"v{video.pk}")
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            _changed(request, video.page, "The video's link is saved.")
        return redirect(_at_video(video.pk))
    context = {"page": video.page, "video": video, "video_form": form}
    status = 400 if request.method == "POST" else 200
    return render(request, "pages/video_edit.html", context, status=status)


@login_required
@_screen_on_get(_at_video)
def video_toggle(request, video_id, field):
    """Hide or show, pin or unpin one video: one button, one post."""
    if field not in ("hidden", "pinned"):
        raise Http404("No such setting")
    video = _get_video(request, video_id)
    with transaction.atomic():
        setattr(video, field, not getattr(video, field))
        video.save(update_fields=[field])
        words = {
            ("hidden", True): "is hidden from your page",
            ("hidden", False): "shows on your page",
            ("pinned", True): "is pinned to the top",
            ("pinned", False): "is no longer pinned",
        }[field, getattr(video, field)]
        title = video.title[:40] or "The video"
        _changed(request, video.page, f"“{title}” {words}.")
    return redirect(f"{reverse('dashboard_videos')}#video-{video.pk}")


@login_required
def appearance(request):
    """Title, bio, theme, buttons and colours, beside a preview of the real page."""
    page = _page_for(request.user)
    form = AppearanceForm(request.POST or None, instance=page)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            _changed(request, page, "Your page's look is saved.")
        return redirect("appearance")
    if request.method == "POST":
        page.refresh_from_db()  # the form changed the instance; the page keeps its saved look
    status = 400 if request.method == "POST" else 200
    context = {"page": page, "form": form, "themes": colours.THEME_COLOURS}
    response = render(request, "pages/appearance.html", context, status=status)
    # The preview is a frame of this site.
    frame_src = [*settings.SECURE_CSP.get("frame-src", []), CSP.SELF]
    return _with_policy(request, response, **{"frame-src": frame_src})


def _with_policy(request, response, **directives):
    """The site's Content-Security-Policy with these directives changed, for one response."""
    policy = {**settings.SECURE_CSP, **directives}
    response.headers[str(CSP.HEADER_ENFORCE)] = build_policy(policy, get_nonce(request))
    return response


@login_required
@require_safe
@never_cache
@xframe_options_sameorigin
def appearance_preview(request):
    """The creator's public page as it would look with the choices in the
    query string, unsaved (the Appearance form's live preview). Without a
    query string: as saved."""
    page = _page_for(request.user)
    warnings, shown_with = [], ""
    # Light or dark, as a visitor's device may show a page that follows it.
    mode = request.GET.get("preview_mode", "")
    choices = request.GET.copy()
    choices.pop("preview_mode", None)
    if choices:
        saved = page.background_color, page.accent_color
        form = AppearanceForm(choices, instance=page)
        form.is_valid()  # the valid choices are on form.instance; the others keep their saved value
        page = form.instance
        # Colours that would be refused are not shown: the preview says so at
        # once, and shows the saved pair instead (never half of each).
        for name in ("background_color", "accent_color"):
            warnings += form.errors.get(name, [])
        if warnings:
            page.background_color, page.accent_color = saved
            shown_with = (
                "your saved colours"
                if any(saved)
                else f"the colours of the {page.get_theme_display()} theme"
            )
    response = HttpResponse(public.preview_html(page, warnings, shown_with, mode))
    return _with_policy(request, response, **{"frame-ancestors": [CSP.SELF]})


@login_required
@_screen_on_get("dashboard")
def sync_now(request):
    """Ask for an update from the page's source now (at most once a minute)."""
    page = _page_for(request.user)
    connection = _connection(request.user, page)
    name = page.get_source().display_name
    if not page.can_sync():
        if connection is not None and not connection.can_reconnect:
            messages.error(request, connection.note)
        elif connection is not None and connection.needs_reconnect:
            messages.error(request, f"Reconnect {name} first, then refresh.")
        else:
            messages.error(request, f"Updates from {name} are off for your page.")
        return redirect("dashboard")
    outcome = syncing.request_manual(page)
    text = {
        "queued": f"Updating from {name} now. Reload in a few seconds to see the result.",
        "too_soon": "You can refresh once a minute. Try again shortly.",
        "busy": f"An update from {name} is already on its way. Reload in a few seconds.",
    }[outcome]
    (messages.success if outcome == "queued" else messages.info)(request, text)
    return redirect("dashboard")


@login_required
@require_safe
def qr_code(request, kind):
    """The page's address as a QR code, SVG or PNG."""
    if kind not in ("svg", "png"):
        raise Http404("No such format")
    page = _page_for(request.user)
    code = segno.make(settings.SITE_URL + page.get_absolute_url(), error="m")
    response = HttpResponse(content_type="image/svg+xml" if kind == "svg" else "image/png")
    if kind == "svg":
        code.save(response, kind="svg", scale=6, border=2, title=f"@{page.slug}")
    else:
        code.save(response, kind="png", scale=30, border=2)  # about 1000 px: sharp in print
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="linkinbio-{page.slug}.{kind}"'
    return response


@require_safe
def media_file(request, name):
    """Mirrored avatars and covers. Names carry a content hash: cache them forever.

    Names start with the page's id ("<id>/a-….webp"): a suspended page's
    pictures are gone with the page, and a deleted page's, whatever storage
    still holds.
    """
    match = media.NAME.fullmatch(name)
    page_id = int(match[1]) if match else None
    version = media.shown_version(page_id) if match else None
    # A suspended page's creator still sees its pictures on the dashboard, privately.
    own = version is None and match and _owns_page(request, page_id)
    if not (version is not None or own):
        raise Http404("No such file")
    answer = media.response(request, page_id, match[2], version)
    if own:
        answer["Cache-Control"] = "private, no-store"
    return answer


def _owns_page(request, page_id):
    user = request.user
    return user.is_authenticated and Page.objects.filter(pk=page_id, user=user).exists()
