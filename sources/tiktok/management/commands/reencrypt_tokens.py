"""Re-encrypt every stored TikTok token with the first key of TOKEN_ENCRYPTION_KEYS."""

from django.core.management.base import BaseCommand, CommandError

from sources.tiktok import crypto
from sources.tiktok.models import TikTokConnection


class Command(BaseCommand):
    help = (
        "Re-encrypt every connection's TikTok tokens with the first key of "
        "TOKEN_ENCRYPTION_KEYS. Run it after putting a new key first; then the old "
        "key can be removed."
    )

    def handle(self, *args, **options):
        reencrypted, unreadable = 0, []
        connections = TikTokConnection.objects.exclude(
            access_token_encrypted="", refresh_token_encrypted=""
        ).only("pk", "token_version", "access_token_encrypted", "refresh_token_encrypted")
        for connection in connections.order_by("pk").iterator():
            try:
                done = connection.reencrypt()
                if not done:
                    # A refresh stored new tokens meanwhile; read them and go again.
                    connection.refresh_from_db()
                    done = connection.reencrypt()
            except crypto.InvalidToken:
                unreadable.append(connection.pk)
                continue
            reencrypted += done
        self.stdout.write(f"Re-encrypted the tokens of {reencrypted} connections.")
        if unreadable:
            ids = ", ".join(str(pk) for pk in unreadable)
            raise CommandError(
                f"{len(unreadable)} connections have tokens no configured key can decrypt "
                f"(ids {ids}); keep the key that encrypted them in TOKEN_ENCRYPTION_KEYS."
            )
