"""Answers that belong to whoever asked stay with that browser, and only
while it shows them: `Cache-Control: private, no-store`, whatever the view
said.

They are every answer under the creator's and staff's addresses (the
dashboard, sign-in, accounts, admin: a redirect there too), and any other
that read the session or the CSRF cookie (Django then adds `Vary: Cookie`).
Most CDNs ignore `Vary` for images, so without this a creator's QR code
could be served to another; and no shared computer keeps a creator's data on
disk. The public pages never read the session, so they keep their own caching.
"""

from django.utils.cache import has_vary_header, patch_cache_control

PRIVATE_PATHS = ("/dashboard/", "/accounts/", "/signin/", "/admin/")


class PrivateResponseMiddleware:
    """Runs outside the session and CSRF middleware, after they said whether
    the response varies by cookie."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path_info.startswith(PRIVATE_PATHS) or has_vary_header(response, "Cookie"):
            patch_cache_control(response, private=True, no_store=True)
        return response
