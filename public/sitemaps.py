"""The sitemap of the creators' pages: public ones only (a suspended page is
gone for search engines too), at the site's own address."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap

from pages.models import Page


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
