"""`manage.py media_bucket`: say where mirrored images are stored, and create
the bucket when it is missing (a fresh S3 server, `make prod-local`)."""

from django.core.files.storage import storages
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Check the media storage; create its bucket if missing."

    def handle(self, *args, **options):
        storage = storages["default"]
        if not hasattr(storage, "ensure_bucket"):
            self.stdout.write(f"Images are stored on local disk in {storage.location}")
            return
        try:
            created = storage.ensure_bucket()
        except Exception as exc:
            raise CommandError(
                f"The bucket {storage.bucket_name} cannot be reached: {type(exc).__name__}"
            ) from None
        state = "created" if created else "exists"
        self.stdout.write(f"Images are stored in the bucket {storage.bucket_name} ({state})")
