"""The creator's dashboard: links, videos, appearance, sync, QR code, numbers.

Every view works on the signed-in creator's own page; another creator's ids
answer 404.
"""

import re
from datetime import timedelta
from pathlib import Path

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Max, Q, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe
from django.views.static import serve

from pages import syncing
from pages.forms import AppearanceForm, LinkForm, VideoForm, VideosShownForm
from pages.models import MAX_LINKS, Link, Page, Video
from pages.source import source

_MEDIA_NAME = re.compile(r"([1-9][0-9]{0,18})/[A-Za-z0-9_-][A-Za-z0-9._-]{0,200}", re.ASCII)


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
    """The state of the page's updates from TikTok, in plain words."""
    now = now or timezone.now()
    if connection is None or connection.disconnected:
        return "off", "Not connected to TikTok: your page shows what it had."
    if connection.needs_reconnect:
        return "error", "TikTok needs you to reconnect before we can update your page."
    if connection.paused:
        return "off", "Updates from TikTok are paused."
    if page.is_suspended:
        return "error", "Your page is suspended; it is not updated."
    if page.sync_lease_until and page.sync_lease_until > now:
        if syncing.is_running(page.pk) is False:  # queued, or its worker stopped
            return "busy", "Waiting for its turn to update from TikTok."
        return "busy", "Updating from TikTok now. Reload in a few seconds."
    if page.sync_waiting_since:
        return "busy", "Waiting for its turn to update from TikTok."
    if page.last_sync_error:
        return "error", page.last_sync_error
    if page.last_synced_at is None:
        return "busy", "Your first update from TikTok is on its way."
    return "ok", "Up to date with TikTok."


def _dashboard_context(request, page, link_form=None):
    month_ago = timezone.now().date() - timedelta(days=30)
    month = page.daily_counts.filter(day__gt=month_ago).aggregate(
        views=Sum("count", filter=Q(metric="views")),
        clicks=Sum("count", filter=Q(metric__in=["link_clicks", "video_link_clicks"])),
    )
    connection = source.connection(request.user)
    state, status_text = sync_status(page, connection)
    return {
        "page": page,
        "connection": connection,
        "links": page.links.all(),
        "link_form": link_form or LinkForm(),
        "max_links": MAX_LINKS,
        "sync_state": state,
        "sync_text": status_text,
        "next_sync": _not_before_now(page.next_sync_at()),
        "month": month,
        "page_url": settings.SITE_URL + page.get_absolute_url(),
    }


def _not_before_now(moment):
    """An overdue sync is due now, not at a time that has passed."""
    return max(moment, timezone.now()) if moment else None


@login_required
def dashboard(request):
    """The creator's overview: status, links, numbers, QR code."""
    page = Page.objects.filter(user=request.user).first()
    if page is None:
        context = {"connection": source.connection(request.user)}
        return render(request, "pages/no_page.html", context)
    return render(request, "pages/dashboard.html", _dashboard_context(request, page))


def _changed(request, page, text):
    page.bump_version()
    messages.success(request, text)


@login_required
@require_POST
def link_add(request):
    page = _page_for(request.user)
    form = LinkForm(request.POST)
    if page.links.count() >= MAX_LINKS:
        form.add_error(None, f"A page can have at most {MAX_LINKS} links.")
    if form.is_valid():
        with transaction.atomic():
            link = form.save(commit=False)
            link.page = page
            link.position = (page.links.aggregate(m=Max("position"))["m"] or 0) + 1
            link.save()
            _changed(request, page, f"Added “{link.title}”.")
        return redirect("dashboard")
    context = _dashboard_context(request, page, link_form=form)
    return render(request, "pages/dashboard.html", context, status=400)


@login_required
def link_edit(request, link_id):
    link = _get_link(request, link_id)
    form = LinkForm(request.POST or None, instance=link)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            _changed(request, link.page, f"Saved “{link.title}”.")
        return redirect("dashboard")
    status = 400 if request.method == "POST" else 200
    return render(request, "pages/link_edit.html", {"form": form, "link": link}, status=status)


@login_required
@require_POST
def link_delete(request, link_id):
    link = _get_link(request, link_id)
    with transaction.atomic():
        link.delete()
        _changed(request, link.page, f"Deleted “{link.title}”.")
    return redirect("dashboard")


@login_required
@require_POST
def link_toggle(request, link_id):
    link = _get_link(request, link_id)
    with transaction.atomic():
        link.enabled = not link.enabled
        link.save(update_fields=["enabled"])
        shown = "shown on" if link.enabled else "hidden from"
        _changed(request, link.page, f"“{link.title}” is {shown} your page.")
    return redirect("dashboard")


@login_required
@require_POST
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
            link.page.bump_version()
    return redirect(f"{reverse('dashboard')}#link-{link.pk}")


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
        "videos": [(video, VideoForm(instance=video, prefix=f"v{video.pk}")) for video in items],
        "connection": source.connection(request.user),
    }
    return render(request, "pages/videos.html", context)


@login_required
@require_POST
def video_edit(request, video_id):
    video = _get_video(request, video_id)
    form = VideoForm(request.POST, instance=video, prefix=f"v{video.pk}")
    if form.is_valid():
        with transaction.atomic():
            form.save()
            _changed(request, video.page, "Video settings saved.")
        return redirect(f"{reverse('dashboard_videos')}#video-{video.pk}")
    context = {"page": video.page, "video": video, "video_form": form}
    return render(request, "pages/video_edit.html", context, status=400)


@login_required
def appearance(request):
    """Title, bio, theme and buttons, with a preview."""
    page = _page_for(request.user)
    form = AppearanceForm(request.POST or None, instance=page)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            _changed(request, page, "Your page's look is saved.")
        return redirect("appearance")
    context = {"page": page, "form": form, "links": list(page.visible_links()[:3])}
    return render(request, "pages/appearance.html", context)


@login_required
@require_POST
def sync_now(request):
    """Ask for an update from TikTok now (at most once a minute)."""
    page = _page_for(request.user)
    connection = source.connection(request.user)
    if not page.can_sync():
        if connection is not None and connection.needs_reconnect:
            messages.error(request, "Reconnect TikTok first, then refresh.")
        else:
            messages.error(request, "Updates from TikTok are off for your page.")
        return redirect("dashboard")
    outcome = syncing.request_manual(page)
    text = {
        "queued": ("Updating from TikTok now. Reload in a few seconds to see the result."),
        "too_soon": "You can refresh once a minute. Try again shortly.",
        "busy": "An update is already running.",
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
        code.save(response, kind="png", scale=10, border=2)
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="linkinbio-{page.slug}.{kind}"'
    return response


@require_safe
def media_file(request, name):
    """Mirrored avatars and covers. Names carry a content hash: cache them forever.

    Names start with the page's id ("<id>/a-….webp"): a suspended page's
    pictures are gone with the page.
    """
    match = _MEDIA_NAME.fullmatch(name)
    # Only the one spelling the site writes: "//4/", "./4/", "x/../4/" or
    # "%2F4/" would reach the same file past the suspension check.
    if match is None or Page.objects.filter(pk=int(match[1]), is_suspended=True).exists():
        raise Http404("No such file")
    response = serve(request, name, document_root=Path(settings.MEDIA_ROOT) / "pages")
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
