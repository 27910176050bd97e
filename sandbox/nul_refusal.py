"""No NUL character reaches the sandbox's views.

PostgreSQL cannot hold a NUL in text, so a lookup of a username, video id,
client key, code or token holding one fails with an error instead of
finding nothing. TikTok never issues such a name, so every sandbox view
answers a request holding one (in its path, query, form, JSON body or
Authorization header) with a plain 400 before it looks anything up.
"""

import re
from functools import wraps

from django.http import HttpResponseBadRequest

_ESCAPED_NUL = re.compile(rb"\\u0000", re.IGNORECASE)  # as JSON writes it
MESSAGE = "The request holds a NUL character, which no TikTok name or value has."


def holds_nul(request):
    if "\x00" in request.path_info or "\x00" in request.META.get("HTTP_AUTHORIZATION", ""):
        return True
    # Read first, so that the view may still read the body after the form is parsed.
    body = request.body
    if b"\x00" in body or _ESCAPED_NUL.search(body):
        return True
    return any(
        "\x00" in key or "\x00" in value
        for values in (request.GET, request.POST)
        for key, value in values.items()
    )


def refusing_nul(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if holds_nul(request):
            return HttpResponseBadRequest(MESSAGE, content_type="text/plain; charset=utf-8")
        return view(request, *args, **kwargs)

    return wrapper
