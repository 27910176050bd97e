from django.apps import AppConfig


class PublicConfig(AppConfig):
    """What visitors see: the public page, its redirects, reports and sitemap."""

    name = "public"
    verbose_name = "Public pages"

    def ready(self):
        from accounts import personal_data
        from public import personal_data as public_data

        personal_data.register(self.label, erase=public_data.erase)
