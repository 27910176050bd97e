"""The site's own pages: home, sign-in, privacy, terms and the health check."""

import contextlib
import logging
import os
import threading
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import FileSystemStorage, storages
from django.db import DatabaseError, connection
from django.http import HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from accounts.wording import every, once_per, sync_description
from linkinbio import heartbeats
from linkinbio.metrics import authorised as metrics_authorised
from pages.models import Page
from pages.sync.schedule import MANUAL_SYNC_SECONDS
from sources.tiktok import scopes
from stats import counting as stats
from stats import report as stats_report
from stats import visitors

logger = logging.getLogger(__name__)


def home(request):
    context = {
        "demo_pages": _demo_pages(),
        "public_demo": settings.PUBLIC_DEMO,
        "guest_hours": settings.SANDBOX_GUEST_HOURS,
    }
    return render(request, "linkinbio/home.html", context)


def _demo_pages():
    return Page.objects.showcase()


def signin(request):
    """Signing in is connecting TikTok: the page says what is asked, why and how often."""
    going = _going_to(request)
    if request.user.is_authenticated:
        return redirect(going)
    context = {"scopes": scopes.describe(), "refresh": sync_description(), "next": going}
    return render(request, "accounts/signin.html", context)


def _going_to(request):
    """Where the creator was going (?next=, as @login_required sends it) when
    it is a path of this site, else the dashboard: never another site."""
    going = request.GET.get("next", "")
    if going.startswith("/") and url_has_allowed_host_and_scheme(going, allowed_hosts=set()):
        return going
    return reverse("dashboard")


def privacy(request):
    """The privacy policy, its numbers taken from the settings that enforce them."""
    context = {
        "retention_days": settings.API_CALL_RETENTION_DAYS,
        "deleted_account_days": settings.TIKTOK_DELETED_ACCOUNT_GRACE_DAYS,
        "stats_retention": stats_report.retention(),
        "stats_hours": stats.HOURS_KEPT,
        "salt_days": visitors.SALT_SECONDS // 86400,
        "click_window": stats.CLICK_WINDOW_SECONDS,
        "refresh_busy": every(settings.PAGE_REFRESH_SECONDS),
        "refresh_idle": once_per(settings.PAGE_IDLE_REFRESH_SECONDS),
        "refresh_manual": once_per(MANUAL_SYNC_SECONDS),
    }
    return render(request, "linkinbio/privacy.html", context)


def terms(request):
    return render(request, "linkinbio/terms.html")


# What crawlers may read: the home page, the creators' pages and the site's
# own pages; not the dashboard, sign-in, link redirects or report forms.
ROBOTS = """User-agent: *
Disallow: /dashboard/
Disallow: /accounts/
Disallow: /admin/
Disallow: /signin/
Disallow: /l/
Disallow: /sandbox/
Disallow: /*/report
"""


@require_safe
def robots_txt(request):
    body = ROBOTS + f"Sitemap: {settings.SITE_URL}/sitemap.xml\n"
    response = HttpResponse(body, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_safe
def favicon(request):
    """Browsers and crawlers ask for /favicon.ico whatever the page says."""
    response = HttpResponsePermanentRedirect(static("img/favicon.ico"))
    response["Cache-Control"] = "public, max-age=86400"
    return response


def _check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_cache():
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "1", 10)
    if cache.get(key) != "1":
        raise RuntimeError("the cache did not return what was just stored")
    cache.delete(key)


def _check_media():
    """The media storage answers: local disk is a writable folder, a bucket a HEAD."""
    storage = storages["default"]
    if isinstance(storage, FileSystemStorage):
        os.makedirs(storage.location, exist_ok=True)  # as the first image saved would
        if not os.access(storage.location, os.W_OK):
            raise RuntimeError("MEDIA_ROOT is not a writable folder")
        return
    storage.exists("readyz-check")  # one bounded request (linkinbio/bucket.py); raises if down


@never_cache
def healthz(request):
    """Liveness: this process answers. Nothing behind it is asked, so a backing
    service down (whose outage pages outlive) takes no web machine out of the
    load balancer."""
    return JsonResponse({"status": "ok"})


# Anyone can ask /readyz (a load balancer has no credentials): each process
# checks at most once in this many seconds, whatever the rate of asking.
READYZ_SECONDS = 5.0
_readiness = {"checked": None, "checks": {}}
_readiness_lock = threading.Lock()


def _checks():
    """The state of each backing service, checked at most once in READYZ_SECONDS."""
    with _readiness_lock:
        checked = _readiness["checked"]
        if checked is not None and time.monotonic() - checked < READYZ_SECONDS:
            return dict(_readiness["checks"])
        checks = {}
        for name, check in (
            ("database", _check_database),
            ("cache", _check_cache),
            ("media", _check_media),
        ):
            try:
                check()
                checks[name] = "ok"
            except Exception as exc:
                logger.warning("readyz: %s is down: %s", name, exc.__class__.__name__)
                checks[name] = "down"
        _readiness.update(checked=time.monotonic(), checks=checks)
        return dict(checks)


def forget_readiness():
    """The next /readyz checks again (tests, and a settings change)."""
    with _readiness_lock:
        _readiness.update(checked=None, checks={})


@never_cache
def readyz(request):
    """Readiness: the database, the cache and the media storage answer; 503
    names the one that did not. `background` (whether the workers and the
    scheduler beat) is for an alert, never decides, and is shown only with
    /metrics' bearer token: it is nobody else's business."""
    checks = _checks()
    ready = all(state == "ok" for state in checks.values())
    body = {"status": "ok" if ready else "down", "checks": checks}
    if settings.METRICS_TOKEN and metrics_authorised(request) and checks["database"] == "ok":
        with contextlib.suppress(DatabaseError):  # gone since its check: said next time
            body["background"] = heartbeats.report()
    return JsonResponse(body, status=200 if ready else 503)
