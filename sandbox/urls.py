"""The sandbox mirrors TikTok's paths below /sandbox/tiktok/ (both hosts in one)."""

from django.urls import path as django_path

from sandbox import api, app_permissions, control, media, oauth
from sandbox.nul_refusal import refusing_nul

app_name = "sandbox"


def path(route, view, **kwargs):
    return django_path(route, refusing_nul(view), **kwargs)


urlpatterns = [
    path("v2/auth/authorize/", oauth.authorize, name="authorize"),
    path("v2/oauth/token/", oauth.token, name="token"),
    path("v2/oauth/revoke/", oauth.revoke, name="revoke"),
    path("v2/user/info/", api.user_info, name="user_info"),
    path("v2/video/list/", api.video_list, name="video_list"),
    path("v2/video/query/", api.video_query, name="video_query"),
    path("player/v1/<str:video_id>", media.player, name="player"),
    path("@<str:username>/video/<str:video_id>", media.share, name="share"),
    path("@<str:username>/remove-access", app_permissions.remove, name="remove_access"),
    path("@<str:username>", media.profile, name="profile"),
    path("img/cover/<str:video_id>/<int:version>.jpeg", media.cover, name="cover"),
    path("img/avatar/<uuid:uid>/<str:field>.jpeg", media.avatar, name="avatar"),
    path("_sandbox/stats", control.stats, name="stats"),
    path("_sandbox/reset", control.reset, name="reset"),
    path("_sandbox/faults", control.faults, name="faults"),
    path("_sandbox/accounts", control.account_list, name="accounts"),
    path(
        "_sandbox/accounts/<str:username>/videos/<str:video_id>/cover", control.account_video_cover
    ),
    path("_sandbox/accounts/<str:username>/videos/<str:video_id>", control.account_video),
    path("_sandbox/accounts/<str:username>/videos", control.account_videos),
    path("_sandbox/accounts/<str:username>/revoke", control.account_revoke),
    path("_sandbox/accounts/<str:username>/expire", control.account_expire),
    path("_sandbox/accounts/<str:username>/remove_access", control.account_remove_access),
    path("_sandbox/webhooks", control.webhook_deliveries, name="webhooks"),
    path("_sandbox/accounts/<str:username>", control.account_detail),
    path("_sandbox/clients", control.clients, name="clients"),
]
