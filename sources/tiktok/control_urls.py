"""The creator's controls over their TikTok connection (the provider's own
login and callback URLs are in urls.py, included by allauth)."""

from django.urls import path

from sources.tiktok import controls, webhooks

urlpatterns = [
    path("dashboard/data/pause/", controls.pause, name="sync_pause"),
    path("dashboard/data/resume/", controls.resume, name="sync_resume"),
    path("dashboard/data/disconnect/", controls.disconnect, name="tiktok_disconnect"),
    path("dashboard/data/grant/", controls.grant, name="tiktok_grant"),
    # The callback URL to register for the app's webhooks at TikTok.
    path("webhooks/tiktok/", webhooks.callback, name="tiktok_webhook"),
]
