"""Saving a connection (connect, reconnect, disconnect, admin edit) may change
whether its creator's pages sync: announce it. Signing in keeps the session
a sign-in start made for its OAuth state, which lives as every session does
from then on."""

from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_save
from django.dispatch import receiver

from sources.tiktok.models import TikTokConnection, announce_sync_change
from sources.tiktok.views import SIGN_IN_ONLY


@receiver(post_save, sender=TikTokConnection)
def announce_saved_connection(sender, instance, **kwargs):
    announce_sync_change([instance.user_id])


@receiver(user_logged_in)
def keep_the_signed_in_session(sender, request, **kwargs):
    if request is not None and request.session.pop(SIGN_IN_ONLY, False):
        request.session.set_expiry(None)
