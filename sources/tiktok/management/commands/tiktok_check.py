"""Check the TikTok settings before opening sign-ups: a table, non-zero exit on any failure."""

import logging

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from sources.tiktok import go_live


class Command(BaseCommand):
    help = (
        "Check the TikTok app's settings against TikTok (one call that issues nothing): "
        "prints a table, exits 1 when a check fails."
    )

    def handle(self, *args, **options):
        # The table says what TikTok answered; the client's log line would say it again.
        quiet = logging.getLogger("sources.tiktok.client")
        level, quiet.level = quiet.level, logging.CRITICAL
        try:
            rows = go_live.run()
        finally:
            quiet.level = level
        width = max(len(row.check) for row in rows)
        self.stdout.write(f"TikTok at {settings.TIKTOK_API_BASE}")
        for row in rows:
            self.stdout.write(f"{row.check:<{width}}  {row.status:<4}  {row.detail}")
        failed = [row for row in rows if row.status == go_live.FAIL]
        if failed:
            raise CommandError(f"{len(failed)} check(s) failed", returncode=1)
        self.stdout.write("Every check passed.")
