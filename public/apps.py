from django.apps import AppConfig


class PublicConfig(AppConfig):
    """What visitors see: the public page, its redirects, reports and sitemap."""

    name = "public"
    verbose_name = "Public pages"
