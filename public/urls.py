from django.urls import path, re_path

from public import views

urlpatterns = [
    path("style/<str:name>.css", views.page_style, name="page_style"),
    path("l/<int:link_id>", views.link_redirect, name="link_redirect"),
    path("l/v<int:video_id>", views.video_link_redirect, name="video_link_redirect"),
    path("l/v<int:video_id>/play", views.video_play, name="video_play"),
    re_path(r"^@(?P<slug>[A-Za-z0-9_.-]{1,40})/report$", views.report, name="report"),
    re_path(r"^@(?P<slug>[A-Za-z0-9_.-]{1,40})$", views.public_page, name="public_page"),
    re_path(r"^@(?P<slug>[A-Za-z0-9_.-]{1,40})/$", views.without_slash),
]
