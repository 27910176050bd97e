"""Saving a connection (connect, reconnect, disconnect, admin edit) may change
whether its creator's pages sync: announce it."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from accounts.tiktok.models import TikTokConnection, announce_sync_change


@receiver(post_save, sender=TikTokConnection)
def announce_saved_connection(sender, instance, **kwargs):
    announce_sync_change([instance.user_id])
