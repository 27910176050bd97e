"""The creator's own pages: sign-in, "your data", export, delete.

(The TikTok provider's URLs are in sources/tiktok/.)
"""

from django.urls import path

from accounts import site_views

urlpatterns = [
    path("signin/", site_views.signin, name="signin"),
    path("dashboard/data/", site_views.your_data, name="your_data"),
    path("dashboard/data/export/", site_views.export, name="data_export"),
    path("dashboard/data/delete/", site_views.delete_account, name="delete_account"),
]
