from django.urls import path

from pages import views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
]
