"""The creator's own pages: "your data", export, delete.

(The sign-in page is the site's, linkinbio/views.py: it speaks of the
sources; the TikTok provider's URLs are in sources/tiktok/.)
"""

from django.urls import path

from accounts import site_views

urlpatterns = [
    path("dashboard/data/", site_views.your_data, name="your_data"),
    path("dashboard/data/export/", site_views.export, name="data_export"),
    path("dashboard/data/delete/", site_views.delete_account, name="delete_account"),
]
