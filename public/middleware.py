"""Warm public pages answered before the rest of the middleware stack.

Like whitenoise for static files: a GET of /@slug whose rendered page is in the
cache is answered here, skipping sessions, CSRF, authentication, messages and
URL resolving, none of which a visitor's page uses. A host ALLOWED_HOSTS
refuses goes on too, to be refused (400) as on every other path. Anything
else (cold page, redirect, 404, 410, reports) goes on to public.views as usual.
"""

import re

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.csp import CSP, build_policy

from pages import cache as page_cache
from pages.media import files as media
from public.views import from_cache, screen_of

_PUBLIC_PAGE = re.compile(r"^/@([A-Za-z0-9_.-]{1,40})$")
_IMAGE_PREFIX = "/media/pages/"


_policies = {}

# Host headers ALLOWED_HOSTS accepted: they are few, and the verdict depends
# only on the settings, so each is checked once, not on every warm visit.
_allowed_hosts = set()
MAX_ALLOWED_HOSTS = 1000


def _host_allowed(request):
    """ALLOWED_HOSTS' verdict on the request, the one the rest of the stack gives."""
    host = request.META.get("HTTP_HOST")
    remembered = host is not None and not settings.USE_X_FORWARDED_HOST
    if remembered and host in _allowed_hosts:
        return True
    try:
        request.get_host()
    except DisallowedHost:
        return False
    if remembered:
        if len(_allowed_hosts) >= MAX_ALLOWED_HOSTS:
            _allowed_hosts.clear()
        _allowed_hosts.add(host)
    return True


@receiver(setting_changed)
def _forget_hosts(setting, **kwargs):
    if setting in ("ALLOWED_HOSTS", "DEBUG", "USE_X_FORWARDED_HOST"):
        _allowed_hosts.clear()


def _policy(config):
    """The header value of a CSP config, built once per settings object."""
    key = id(config)
    if key not in _policies:
        _policies[key] = build_policy(config)
    return _policies[key]


class WarmPageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        match = _PUBLIC_PAGE.match(request.path_info)
        if match and request.method == "GET":
            response = self.warm(request, match[1])
            if response is not None:
                return response
        return self.get_response(request)

    def warm(self, request, slug):
        if not _host_allowed(request):
            return None  # refused by the rest of the stack, with its 400 and log line
        screen = screen_of(request)
        state = page_cache.get_state(slug)
        if screen is None or not isinstance(state, dict):
            return None
        if state["slug"] != slug or state["gone"]:
            return None
        response = from_cache(request, state, screen)
        if response is not None:
            # What the skipped middleware (CSP, clickjacking) would have added.
            for header, config in (
                (CSP.HEADER_ENFORCE, settings.SECURE_CSP),
                (CSP.HEADER_REPORT_ONLY, getattr(settings, "SECURE_CSP_REPORT_ONLY", None)),
            ):
                if config:
                    # str(): the WSGI server wants plain str header names, not the enum.
                    response[str(header)] = _policy(config)
            response["X-Frame-Options"] = getattr(settings, "X_FRAME_OPTIONS", "DENY")
        return response


class ImageMiddleware:
    """Mirrored images of shown pages, answered like whitenoise answers static
    files: before sessions, CSRF, authentication and the CSP, none of which an
    image needs. A suspended page's creator, and any other spelling of an
    address, go on to editor.views.media_file; a host ALLOWED_HOSTS refuses
    goes on to be refused."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if path.startswith(_IMAGE_PREFIX) and request.method in ("GET", "HEAD"):
            match = media.NAME.fullmatch(path, len(_IMAGE_PREFIX))
            if match and _host_allowed(request):
                response = media.shown_image(request, int(match[1]), match[2])
                if response is not None:
                    return response
        return self.get_response(request)
