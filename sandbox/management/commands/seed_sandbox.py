from django.core.management.base import BaseCommand

from sandbox import demo


class Command(BaseCommand):
    help = "Fill the TikTok sandbox with demo creators and register the product's app (idempotent)."

    def handle(self, *args, **options):
        made = demo.seed_creators(write=self.stdout.write)
        if not made:
            self.stdout.write("Sandbox creators already there.")
