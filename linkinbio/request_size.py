"""How much a request may send.

The site takes no uploads: every form is a few fields of text. A body larger
than DATA_UPLOAD_MAX_MEMORY_SIZE (files included, which Django would
otherwise spool to disk) is refused with 413 before a byte of it is read.
Public forms have smaller caps of their own (the abuse report's in
public/views.py), answered with the same page, templates/413.html.
"""

from django.conf import settings
from django.shortcuts import render


def too_large(request, limit):
    """413, in words: nothing was stored, send less."""
    context = {"limit_kb": max(1, limit // 1024)}
    response = render(request, "413.html", context, status=413)
    return response


def _declared_length(request):
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class RequestSizeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and _declared_length(request) > limit:
            return too_large(request, limit)
        return self.get_response(request)
