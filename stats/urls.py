from django.urls import path

from stats import views

urlpatterns = [
    path("dashboard/stats/", views.stats, name="stats"),
    path("dashboard/stats.csv", views.stats_csv, name="stats_csv"),
]
