from django.core.management import call_command
from django.core.management.base import BaseCommand

from linkinbio import demo


class Command(BaseCommand):
    help = (
        "Fill the TikTok sandbox with demo creators and register the product's app "
        "(idempotent); with a running server, also connect demo product pages."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--pages",
            action="store_true",
            help="Only connect the demo product pages (the server must be running).",
        )
        parser.add_argument(
            "--no-pages", action="store_true", help="Do not try to connect demo product pages."
        )
        parser.add_argument(
            "--wait",
            type=float,
            default=0,
            metavar="SECONDS",
            help="Wait up to this long for the server to answer before connecting pages.",
        )

    def handle(self, *args, **options):
        if not options["pages"]:
            call_command("seed_sandbox", stdout=self.stdout)
        if not options["no_pages"]:
            demo.wait_for_server(options["wait"])
            demo.connect_demo_pages(write=self.stdout.write)
