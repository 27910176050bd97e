from django.apps import AppConfig


class EditorConfig(AppConfig):
    """The creator's dashboard: links, videos, appearance, sharing."""

    name = "editor"
    verbose_name = "Page editor"
