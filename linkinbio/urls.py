from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from linkinbio import metrics, views
from public.sitemaps import PageSitemap, sitemap_xml

urlpatterns = [
    path("", views.home, name="home"),
    path("signin/", views.signin, name="signin"),
    path("privacy/", views.privacy, name="privacy"),
    path("terms/", views.terms, name="terms"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("favicon.ico", views.favicon, name="favicon"),
    path(
        "sitemap.xml",
        sitemap_xml,
        {"sitemaps": {"pages": PageSitemap}},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    # The counts moved to the stats app; staff's bookmarks of them still work.
    path(
        "admin/pages/dailycount/",
        RedirectView.as_view(url="/admin/stats/dailycount/", query_string=True, permanent=True),
    ),
    path("admin/", admin.site.urls),
    # Creators have no password or e-mail: allauth's local forms lead to the TikTok sign-in.
    *[
        path(f"accounts/{form}/", RedirectView.as_view(pattern_name="signin", query_string=True))
        for form in (
            "login",
            "signup",
            "password/reset",
            "password/change",
            "password/set",
            "email",
            "reauthenticate",
            # Removing the TikTok account from a creator would leave a user nobody can reach.
            "3rdparty",
            "social/connections",
        )
    ],
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.site_urls")),
    path("", include("sources.tiktok.control_urls")),
]

if settings.TIKTOK_SANDBOX:
    urlpatterns.append(path("sandbox/tiktok/", include("sandbox.urls")))

# The public pages' catch-all patterns (/@slug) come last.
urlpatterns += [
    path("", include("editor.urls")),
    path("", include("stats.urls")),
    path("", include("public.urls")),
]
