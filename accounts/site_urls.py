"""The creator's own pages: sign-in, "your data", disconnect, delete.

(accounts/urls.py holds the allauth provider's login and callback URLs.)
"""

from django.urls import path

from accounts import site_views

urlpatterns = [
    path("signin/", site_views.signin, name="signin"),
    path("dashboard/data/", site_views.your_data, name="your_data"),
    path("dashboard/data/export/", site_views.export, name="data_export"),
    path("dashboard/data/pause/", site_views.pause, name="sync_pause"),
    path("dashboard/data/resume/", site_views.resume, name="sync_resume"),
    path("dashboard/data/disconnect/", site_views.disconnect, name="tiktok_disconnect"),
    path("dashboard/data/grant/", site_views.grant, name="tiktok_grant"),
    path("dashboard/data/delete/", site_views.delete_account, name="delete_account"),
]
