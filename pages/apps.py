from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "pages"
    verbose_name = "Creator pages"

    def ready(self):
        from accounts import personal_data
        from pages import personal_data as page_data
        from pages import signals  # noqa: F401

        personal_data.register(
            self.label,
            export=page_data.export,
            erase=page_data.erase,
            overview=page_data.overview,
        )
