"""An operator who can see: /metrics, errors in Sentry (scrubbed), JSON logs with request ids."""

import io
import json
import logging
from datetime import timedelta

import pytest
import sentry_sdk
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from sentry_sdk.transport import Transport

from linkinbio import error_reports, secret_text
from linkinbio.logs import JsonFormatter, OneLineFormatter
from linkinbio.request_ids import RequestIdFilter
from sources.tiktok import breakers
from sources.tiktok.models import ApiCall
from sources.tiktok.refusal_guard import RefreshAlert
from tests.helpers import closing_session, give_page

pytestmark = pytest.mark.django_db

TOKEN = "scrape-me-1"


def scrape(client, token=TOKEN):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get("/metrics", headers=headers)


def figure(text, name, **labels):
    """The value of one sample of the scrape."""
    wanted = ",".join(f'{key}="{value}"' for key, value in labels.items())
    prefix = f"{name}{{{wanted}}} " if labels else f"{name} "
    for line in text.splitlines():
        if line.startswith(prefix):
            return float(line.split()[-1])
    raise AssertionError(f"{prefix!r} is not in the scrape")


def test_metrics_are_off_without_a_token_and_need_it_when_on(client, settings):
    settings.METRICS_TOKEN = ""
    assert scrape(client).status_code == 404
    settings.METRICS_TOKEN = TOKEN
    assert scrape(client, token=None).status_code == 401
    assert scrape(client, token="guess").status_code == 401
    assert scrape(client).status_code == 200


def test_the_scrape_counts_requests_by_route_and_status(client, settings, alice):
    settings.METRICS_TOKEN = TOKEN
    page = give_page(alice)
    before = scrape(client).content.decode()
    client.get(f"/@{page.slug}")
    client.get(f"/@{page.slug}")
    client.get("/no-such-thing/")

    after = scrape(client).content.decode()

    def grew(name, **labels):
        try:
            old = figure(before, name, **labels)
        except AssertionError:
            old = 0
        return figure(after, name, **labels) - old

    assert grew("linkinbio_requests_total", route="public_page", status="200") >= 1
    assert grew("linkinbio_requests_total", route="unresolved", status="404") >= 0
    assert grew("linkinbio_public_page_requests_total", answered="warm") >= 1
    assert grew("linkinbio_public_page_requests_total", answered="view") >= 1
    assert "/no-such-thing/" not in after  # routes, never raw paths


def test_the_scrape_says_what_tiktok_and_the_background_are_doing(client, settings):
    settings.METRICS_TOKEN = TOKEN
    for code in ("ok", "ok", "rate_limit_exceeded"):
        ApiCall.objects.create(endpoint="video.list", error_code=code)
    for _ in range(3):
        breakers.failure("user.info")
    now = timezone.now()
    RefreshAlert.objects.create(code="invalid_client", first_at=now, last_at=now, creators=5)

    text = scrape(client).content.decode()

    assert (
        figure(text, "linkinbio_tiktok_calls_last_minute", endpoint="video.list", result="ok") == 2
    )
    assert (
        figure(
            text,
            "linkinbio_tiktok_calls_last_minute",
            endpoint="video.list",
            result="rate_limit_exceeded",
        )
        == 1
    )
    assert figure(text, "linkinbio_tiktok_breaker_open", endpoint="user.info") == 1
    assert figure(text, "linkinbio_tiktok_breaker_open", endpoint="video.list") == 0
    assert figure(text, "linkinbio_tiktok_refresh_alerts_open", code="invalid_client") == 1
    assert figure(text, "linkinbio_tasks_ready", queue="default") >= 0
    assert "linkinbio_tiktok_budget_available" in text


def test_the_sync_lag_is_the_oldest_due_page(client, settings, alice):
    settings.METRICS_TOKEN = TOKEN
    page = give_page(alice)
    type(page).objects.filter(pk=page.pk).update(sync_due_at=timezone.now() - timedelta(hours=2))

    lag = figure(scrape(client).content.decode(), "linkinbio_sync_overdue_seconds")

    assert 7190 < lag < 7300


class Captured(Transport):
    """Sentry's events, kept in memory: nothing leaves the machine."""

    def __init__(self, options=None):
        super().__init__(options)
        self.events = []

    def capture_envelope(self, envelope):
        self.events += [item.payload.json for item in envelope.items if item.type == "event"]


@pytest.fixture
def sentry():
    transport = Captured()
    error_reports.init("https://public@sentry.invalid/1", transport=transport)
    yield transport
    sentry_sdk.get_client().close()
    sentry_sdk.init()  # no DSN: off again


@pytest.mark.django_db(transaction=True)
def test_an_error_reaches_sentry_without_tokens_codes_cookies_or_addresses(
    settings, sentry, live_server
):
    settings.ROOT_URLCONF = "tests.linkinbio.exploding_urls"
    browser = closing_session()

    answer = browser.get(
        live_server.url + "/explode/?code=tiktok-auth-code&state=oauth-state&page=2",
        headers={
            "Authorization": "Bearer act.header-token",
            "Cookie": "sessionid=alice-session-key; csrftoken=alice-csrf",
            "X-Forwarded-For": "198.51.100.7",
            "User-Agent": "Mozilla/5.0",
        },
        timeout=10,
    )
    sentry_sdk.flush()

    assert answer.status_code == 500
    (event,) = sentry.events
    sent = json.dumps(event)
    assert "/explode/" in event["request"]["url"]
    for secret in (
        "act.",
        "tiktok-auth-code",
        "oauth-state",
        "alice-session-key",
        "alice-csrf",
        "the-client-secret",
        "203.0.113.9",
        "198.51.100.7",
        "127.0.0.1",  # the visitor's address, here the test's own
    ):
        assert secret not in sent, secret
    assert event["exception"]["values"][0]["type"] == "RuntimeError"
    assert "page=2" in event["request"]["query_string"]  # what is harmless stays
    assert event["request"]["headers"]["User-Agent"] == "Mozilla/5.0"


@pytest.fixture
def json_log():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    # The root logger and Django's (which does not propagate), as settings.LOGGING has them.
    loggers = [logging.getLogger(), logging.getLogger("django")]
    for logger in loggers:
        logger.addHandler(handler)
    yield stream
    for logger in loggers:
        logger.removeHandler(handler)


def test_json_logs_carry_the_request_id_on_every_line(client, settings, json_log):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
        }
    }
    answer = client.get("/readyz", headers={"X-Request-ID": "lb-4f1c2a9e77"})
    client.get("/nothing-here/")

    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    assert answer["X-Request-ID"] == "lb-4f1c2a9e77"  # the proxy's id, kept
    readyz = [line for line in lines if line["message"].startswith("readyz: cache is down")]
    assert readyz and readyz[0]["request_id"] == "lb-4f1c2a9e77"
    assert readyz[0]["level"] == "WARNING" and readyz[0]["logger"] == "linkinbio.views"
    (missing,) = [line for line in lines if line["message"].startswith("Not Found")]
    assert missing["request_id"] not in (None, "lb-4f1c2a9e77")
    logging.getLogger("linkinbio").info("between requests")
    assert json.loads(json_log.getvalue().splitlines()[-1])["request_id"] is None


@pytest.mark.parametrize(
    "offered", ["", "x", "a b c d e f g h", "<script>", "9" * 200, "abcdefgh\n", "abcdefgh\r"]
)
def test_a_request_id_that_is_not_one_is_replaced(client, offered):
    answer = client.get("/healthz", headers={"X-Request-ID": offered})
    assert answer["X-Request-ID"] != offered and len(answer["X-Request-ID"]) == 32


@given(address=st.ip_addresses())
def test_no_address_of_either_kind_survives_in_free_text(address):
    assert str(address) not in secret_text.scrub(f"refused for {address}, at the door")


def test_a_printed_query_loses_its_code_and_state_and_keeps_the_rest():
    printed = "<QueryDict: {'code': ['tiktok-auth-code'], 'state': ['oauth-state'], 'page': ['2']}>"
    kept = secret_text.scrub(f"failed on {printed} at 19:54:29")
    assert "tiktok-auth-code" not in kept and "oauth-state" not in kept
    assert "'page': ['2']" in kept and "19:54:29" in kept  # what is harmless stays


def test_a_failing_request_logs_no_token_code_or_address(client, settings, json_log):
    settings.ROOT_URLCONF = "tests.linkinbio.exploding_urls"
    client.raise_request_exception = False
    assert client.get("/explode/?code=tiktok-auth-code&state=oauth-state").status_code == 500

    written = json_log.getvalue()
    assert "Internal Server Error" in written and "RuntimeError" in written
    for secret in ("act.alice-secret-access-token", "203.0.113.9", "tiktok-auth-code"):
        assert secret not in written, secret


def test_the_plain_log_of_a_failing_request_carries_no_token_or_address(client, settings):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(OneLineFormatter("%(levelname)s %(name)s %(message)s"))
    django_logger = logging.getLogger("django")
    django_logger.addHandler(handler)
    try:
        settings.ROOT_URLCONF = "tests.linkinbio.exploding_urls"
        client.raise_request_exception = False
        assert client.get("/explode/?code=tiktok-auth-code").status_code == 500
    finally:
        django_logger.removeHandler(handler)

    written = stream.getvalue()
    assert "Internal Server Error" in written and "RuntimeError" in written
    for secret in ("act.alice-secret-access-token", "203.0.113.9", "tiktok-auth-code"):
        assert secret not in written, secret
