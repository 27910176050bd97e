from django.urls import path

from editor import address_views, appeal_views, views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/links/add/", views.link_add, name="link_add"),
    path("dashboard/links/order/", views.link_reorder, name="link_reorder"),
    path("dashboard/socials/", views.socials_edit, name="socials_edit"),
    path("dashboard/share/", views.share, name="share"),
    path("dashboard/address/", address_views.page_address, name="page_address"),
    path("dashboard/appeal/", appeal_views.appeal, name="appeal"),
    path("dashboard/links/<int:link_id>/", views.link_edit, name="link_edit"),
    path("dashboard/links/<int:link_id>/delete/", views.link_delete, name="link_delete"),
    path("dashboard/links/<int:link_id>/move/", views.link_move, name="link_move"),
    path("dashboard/links/<int:link_id>/toggle/", views.link_toggle, name="link_toggle"),
    path("dashboard/videos/", views.videos, name="dashboard_videos"),
    path("dashboard/videos/<int:video_id>/", views.video_edit, name="video_edit"),
    path("dashboard/videos/<int:video_id>/<str:field>/", views.video_toggle, name="video_toggle"),
    path("dashboard/appearance/", views.appearance, name="appearance"),
    path("dashboard/appearance/preview", views.appearance_preview, name="appearance_preview"),
    path("dashboard/refresh/", views.sync_now, name="sync_now"),
    path("dashboard/qr.<str:kind>", views.qr_code, name="qr_code"),
    path("media/pages/<path:name>", views.media_file, name="page_media"),
]
