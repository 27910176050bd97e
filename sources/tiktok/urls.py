"""The TikTok provider's URLs, included by allauth under /accounts/ (tiktok/login/...)."""

from allauth.socialaccount.providers.oauth2.urls import default_urlpatterns

from sources.tiktok.provider import TikTokProvider

urlpatterns = default_urlpatterns(TikTokProvider)
