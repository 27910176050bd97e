"""Compressed answers for everything the site renders per request (the
dashboard above all: its videos screen is 95 KB of HTML, 7 KB gzipped).

Django's GZipMiddleware, which pads each answer with random bytes so that a
secret in a page (a CSRF token) cannot be guessed from compressed sizes
(BREACH). It sits after the middleware that answer early (static files,
images, warm public pages, which are compressed already or not worth it),
and it leaves alone answers that are compressed or not text, and browsers
that refuse gzip ("gzip;q=0", which Django's own test takes for a yes).
"""

from django.middleware.gzip import GZipMiddleware
from django.utils.cache import patch_vary_headers

from public.content_coding import accepts_gzip

TEXT_TYPES = (
    "text/",
    "application/json",
    "application/javascript",
    "application/xml",
    "application/ld+json",
    "image/svg+xml",
)


class GZipTextMiddleware(GZipMiddleware):
    def process_response(self, request, response):
        if not response.get("Content-Type", "").startswith(TEXT_TYPES):
            return response  # a WebP or PNG is compressed already
        if not accepts_gzip(request.META.get("HTTP_ACCEPT_ENCODING", "")):
            patch_vary_headers(response, ("Accept-Encoding",))
            return response
        return super().process_response(request, response)
