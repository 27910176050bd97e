from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from linkinbio import views

urlpatterns = [
    path("", views.home, name="home"),
    path("privacy/", views.privacy, name="privacy"),
    path("terms/", views.terms, name="terms"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.site_urls")),
]

if settings.TIKTOK_SANDBOX:
    urlpatterns.append(path("sandbox/tiktok/", include("sandbox.urls")))

# The public pages' catch-all patterns (/@slug) come last.
urlpatterns.append(path("", include("pages.urls")))
