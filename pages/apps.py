from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "pages"
    verbose_name = "Creator pages"

    def ready(self):
        from pages import signals  # noqa: F401
