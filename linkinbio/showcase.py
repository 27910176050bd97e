"""A public demo's showcased pages are read-only to everyone but staff.

Nobody can sign in as a showcased creator there (the sandbox offers strangers
only their own guest account), and this holds even if someone did: every
change a signed-in showcased creator posts is refused with a page that says
why. Reading, and signing out, stay open. The hourly re-seed
(linkinbio.demo.reseed_showcase) puts back anything changed another way.
"""

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse

from pages.models import Page

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class ShowcaseReadOnlyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            settings.PUBLIC_DEMO
            and request.method not in SAFE_METHODS
            and request.user.is_authenticated
            and not request.user.is_staff
            and request.path.rstrip("/") != reverse("account_logout").rstrip("/")
            and Page.objects.filter(user=request.user, is_showcased=True).exists()
        ):
            context = {"guest_hours": settings.SANDBOX_GUEST_HOURS}
            return render(request, "linkinbio/showcase_read_only.html", context, status=403)
        return self.get_response(request)
