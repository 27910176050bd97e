"""The site's URLs plus one view that fails with secrets in its locals and message."""

from django.urls import include, path


def explode(request):
    access_token = "act.alice-secret-access-token"
    client_secret = "the-client-secret"
    raise RuntimeError(f"TikTok refused {access_token} for 203.0.113.9 ({len(client_secret)})")


urlpatterns = [path("explode/", explode), path("", include("linkinbio.urls"))]
