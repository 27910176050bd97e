"""The creator's own pages: sign-in, "your data", disconnect, delete.

(accounts/urls.py holds the allauth provider's login and callback URLs.)
"""

from django.urls import path

from accounts import site_views

urlpatterns = [
    path("signin/", site_views.signin, name="signin"),
]
