"""A visitor reads what linkinbio is, its privacy policy and its terms."""

import pytest
from allauth.socialaccount.models import SocialAccount

pytestmark = pytest.mark.django_db


def test_home_says_what_the_product_is_and_offers_sign_in(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "One link for your TikTok bio" in html
    assert "Sign in with TikTok" in html
    assert 'href="/signin/"' in html
    assert "/static/css/site.css" in html


@pytest.mark.parametrize(
    ("url", "promises"),
    [
        (
            "/privacy/",
            ["user.info.basic", "video.list", "15 minutes", "90 days", "Delete your account"],
        ),
        ("/terms/", ["privacy policy", "suspend", "not affiliated"]),
    ],
)
def test_privacy_and_terms_make_their_promises(client, url, promises):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<main id="main"' in html
    for promise in promises:
        assert promise in html


def test_pages_carry_a_content_security_policy(client):
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy


def test_admin_login_page_renders(client):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert b"Username" in response.content


def test_admin_requires_staff(client, django_user_model):
    creator = django_user_model.objects.create_user("alice")
    client.force_login(creator)
    response = client.get("/admin/")
    assert response.status_code == 302


def test_readyz_reports_ok(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"] == {"database": "ok", "cache": "ok", "media": "ok"}
    assert "no-cache" in response.headers["Cache-Control"]


@pytest.mark.parametrize("token", ["", "the-metrics-token"])
@pytest.mark.parametrize("offered", [None, "Bearer ", "Bearer a-guess", "the-metrics-token"])
def test_only_the_operator_learns_whether_workers_and_scheduler_run(
    client, settings, token, offered
):
    settings.METRICS_TOKEN = token
    headers = {"Authorization": offered} if offered is not None else {}
    assert "background" not in client.get("/readyz", headers=headers).json()


def test_the_operator_with_the_metrics_token_sees_the_background(client, settings):
    settings.METRICS_TOKEN = "the-metrics-token"
    answer = client.get("/readyz", headers={"Authorization": "Bearer the-metrics-token"})
    assert answer.json()["background"]["scheduler"] == "no heartbeat yet"


def test_a_flood_of_readiness_checks_asks_the_backing_services_once(
    client, monkeypatch, django_assert_max_num_queries
):
    from linkinbio import views

    asked = []
    monkeypatch.setattr(views, "_check_media", lambda: asked.append("media"))
    with django_assert_max_num_queries(1):
        answers = [client.get("/readyz") for _ in range(50)]
    assert {answer.status_code for answer in answers} == {200}
    assert asked == ["media"]

    monkeypatch.setattr(views.time, "monotonic", lambda: 10.0**9)  # a few seconds later
    client.get("/readyz")
    assert asked == ["media", "media"]


def redis_down(settings):
    # A Redis cache on a port where nothing listens: the cache server is down.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
        }
    }


def test_readyz_names_a_broken_cache_and_healthz_keeps_the_machine_in(client, settings):
    redis_down(settings)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "cache": "down", "media": "ok"}
    # Pages outlive a Redis outage: the load balancer's liveness check stays green.
    assert client.get("/healthz").status_code == 200


def test_readyz_names_a_broken_database(client, monkeypatch):
    from django.db import connection

    def broken(*args, **kwargs):
        raise ConnectionError("database gone")

    monkeypatch.setattr(connection, "cursor", broken)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "down"
    assert client.get("/healthz").json() == {"status": "ok"}


def test_readyz_names_media_storage_that_cannot_be_written(client, settings, tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    settings.MEDIA_ROOT = tmp_path / "a-file" / "media"
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "cache": "ok", "media": "down"}


def test_readyz_names_a_bucket_out_of_reach(client, settings):
    from linkinbio.media_storage import storage_from_url

    # An S3 server where nothing listens.
    url = "s3://k:s@bucket/media?endpoint_url=http://127.0.0.1:9&region_name=us-east-1"
    settings.STORAGES = {**settings.STORAGES, "default": storage_from_url(url)}
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["media"] == "down"


@pytest.mark.parametrize("form", ["login", "signup", "password/reset"])
def test_allauth_local_forms_lead_to_the_tiktok_sign_in(client, form):
    response = client.get(f"/accounts/{form}/?next=/dashboard/")
    assert response.status_code == 302
    assert response["Location"] == "/signin/?next=/dashboard/"


@pytest.mark.parametrize("form", ["password/set", "3rdparty", "reauthenticate"])
def test_a_creator_cannot_set_a_password_or_remove_their_tiktok_account(client, alice, form):
    # Either would lock the creator out: TikTok is the only way in.
    client.force_login(alice)
    social = SocialAccount.objects.create(user=alice, provider="tiktok", uid="oid-alice")

    data = {"password1": "Zx9-very-long-pass!", "password2": "Zx9-very-long-pass!"}
    response = client.post(f"/accounts/{form}/", {**data, "account": social.pk})

    assert response.status_code == 302 and response["Location"].startswith("/signin/")
    alice.refresh_from_db()
    assert not alice.has_usable_password() and SocialAccount.objects.filter(user=alice).exists()


def test_signed_in_creator_finds_dashboard_and_data_in_the_navigation(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("alice"))
    html = client.get("/privacy/").text
    assert 'href="/dashboard/"' in html
    assert 'href="/dashboard/data/"' in html
    assert "Sign out" in html


@pytest.mark.parametrize(("method", "url"), [("post", "/@alice"), ("put", "/style/abc.css")])
def test_an_address_opened_the_wrong_way_answers_the_sites_own_page(client, method, url):
    """Never the browser's empty "HTTP ERROR 405"."""
    response = getattr(client, method)(url)

    assert response.status_code == 405 and response["Allow"]
    html = response.content.decode()
    assert "This address cannot be opened that way" in html and 'href="/"' in html
