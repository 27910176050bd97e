from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Fill the TikTok sandbox (and the product) with demo creators."

    def handle(self, *args, **options):
        self.stdout.write("Nothing to seed yet.")
