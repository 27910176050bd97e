from django.apps import AppConfig


class LinkinbioConfig(AppConfig):
    name = "linkinbio"
    verbose_name = "linkinbio"

    def ready(self):
        from linkinbio import checks  # noqa: F401  (registers the system checks)
