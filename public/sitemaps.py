"""The sitemap of the creators' pages: public ones only (a suspended page is
gone for search engines too), at the site's own address. It is kept in the
cache under the pages' versions, like the pages themselves: a suspension, an
unsuspension, a new or moved page is in the next answer."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import sitemap
from django.core.cache import cache
from django.db.models import Count, Max, Sum
from django.http import HttpResponse

from pages.models import Page

SITEMAP_SECONDS = 3600


class PageSitemap(Sitemap):
    changefreq = "daily"
    limit = 10_000  # per sitemap page; more pages are listed as ?p=2, …

    def items(self):
        return Page.objects.filter(is_suspended=False).order_by("pk").only("slug", "last_synced_at")

    def lastmod(self, page):
        return page.last_synced_at

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc


def sitemap_xml(request, sitemaps):
    """The sitemap (?p=N for its later pages), rendered once per state of the pages."""
    screen = request.GET.get("p", "1")
    # Versions only grow; with the count and the newest id, any change (an
    # edit, a suspension, a new, moved or deleted page) makes a new key.
    state = Page.objects.aggregate(n=Count("pk"), versions=Sum("version"), newest=Max("pk"))
    key = "sitemap:{}:{n}:{versions}:{newest}".format(screen, **state)
    body = cache.get(key) if screen.isascii() and screen.isdigit() else None
    if body is not None:
        return HttpResponse(body, content_type="application/xml")
    response = sitemap(request, sitemaps=sitemaps)
    response.render()
    if response.status_code == 200 and screen.isascii() and screen.isdigit():
        cache.set(key, response.content, SITEMAP_SECONDS)
    return response
