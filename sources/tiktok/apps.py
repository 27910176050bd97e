from django.apps import AppConfig


class TikTokConfig(AppConfig):
    """Everything that knows TikTok: sign-in, client, connection, budget, jobs."""

    name = "sources.tiktok"
    label = "tiktok"
    verbose_name = "TikTok"

    def ready(self):
        from accounts import personal_data
        from sources.tiktok import personal_data as tiktok_data
        from sources.tiktok import signals  # noqa: F401

        personal_data.register(
            self.label,
            export=tiktok_data.export,
            erase=tiktok_data.erase,
            overview=tiktok_data.overview,
        )
