"""`/metrics` in Prometheus' text format, off unless METRICS_TOKEN is set.

Two kinds of figures:
- counted by each web process as it answers (requests by route and status,
  public pages answered warm or by the view): per process, or summed over a
  gunicorn's workers when PROMETHEUS_MULTIPROC_DIR names an empty folder
  (prometheus-client's multiprocess mode);
- read from the database and the cache at each scrape (sync lag, TikTok calls,
  budget, breakers, the task queue, the scheduler's jobs, the refresh guard,
  public-demo guests): the same whichever process answers.

docs/operations.md "Watching it run" says what each means and what to alert on.
"""

import hmac
import os
import time
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Max, Min
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django_tasks_db.models import DBTaskResult
from prometheus_client import REGISTRY, CollectorRegistry, Counter, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from linkinbio import demo
from linkinbio.models import JobRun, WorkerBeat
from pages.models import Page
from sources.tiktok import breakers, budget, refusal_guard
from sources.tiktok.models import ApiCall

REQUESTS = Counter(
    "linkinbio_requests",
    "Requests answered, by route (URL pattern) and status.",
    ["route", "status"],
)
PUBLIC_PAGES = Counter(
    "linkinbio_public_page_requests",
    "GETs of public pages: answered warm (from memory or the shared cache, before any "
    "other middleware) or by the view (a render, a 304, a 404 or 410).",
    ["answered"],
)
PREFIX_ROUTES = (("/@", "public_page"), ("/media/", "media"), ("/static/", "static"))
# Each counter's series by their labels, so that a warm page does not pay
# labels()' lock and checks on every request.
# Bounded: routes are the URL patterns, statuses those the site answers.
_series = {}


def _count(counter, *labels):
    series = _series.get((counter, labels))
    if series is None:
        series = _series[(counter, labels)] = counter.labels(*labels)
    series.inc()


def route_of(request):
    """The URL pattern that answered (never the raw path: it would have no bound)."""
    match = getattr(request, "resolver_match", None)
    if match is not None:
        if match.route and not match.route.startswith("^"):
            return match.route
        return match.view_name or "?"  # a regular expression reads badly as a label
    for prefix, route in PREFIX_ROUTES:
        if request.path_info.startswith(prefix):
            return route
    return "unresolved"


class RequestMetricsMiddleware:
    """Counts every answer; first in the stack, so warm pages and images count too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        _count(REQUESTS, route_of(request), str(response.status_code))
        if request.method == "GET" and request.path_info.startswith("/@"):
            warm = getattr(request, "resolver_match", None) is None
            _count(PUBLIC_PAGES, "warm" if warm else "view")
        return response


def _age(moment, now):
    return max((now - moment).total_seconds(), 0.0) if moment else 0.0


class FleetCollector:
    """What the database and the cache say at the moment of the scrape."""

    def collect(self):
        now = timezone.now()
        yield from self.syncs(now)
        yield from self.tiktok(now)
        yield from self.background(now)
        if settings.PUBLIC_DEMO:
            guests = GaugeMetricFamily(
                "linkinbio_demo_guests", "Public-demo guest accounts alive now."
            )
            guests.add_metric([], demo.live_guests())
            yield guests

    def syncs(self, now):
        due = Page.objects.syncable().filter(sync_due_at__lte=now)
        overdue = GaugeMetricFamily(
            "linkinbio_sync_overdue_seconds",
            "How long the page that fell due for a sync longest ago has waited "
            "(a visit of a stale page makes it due at once).",
        )
        overdue.add_metric([], _age(due.aggregate(first=Min("sync_due_at"))["first"], now))
        yield overdue
        waiting = GaugeMetricFamily(
            "linkinbio_sync_waiting_seconds",
            "How long the page waiting longest for TikTok's budget or breaker has waited.",
        )
        oldest = Page.objects.aggregate(first=Min("sync_waiting_since"))["first"]
        waiting.add_metric([], _age(oldest, now))
        yield waiting

    def tiktok(self, now):
        calls = GaugeMetricFamily(
            "linkinbio_tiktok_calls_last_minute",
            "Calls to TikTok in the last minute, by endpoint and result (ok or TikTok's code).",
            labels=["endpoint", "result"],
        )
        recent = (
            ApiCall.objects.filter(created__gte=now - timedelta(minutes=1))
            .values("endpoint", "error_code")
            .annotate(n=Count("id"))
        )
        for row in recent:
            calls.add_metric([row["endpoint"], row["error_code"] or "?"], row["n"])
        yield calls
        room = GaugeMetricFamily(
            "linkinbio_tiktok_budget_available",
            "Sync calls TikTok's shared budget allows right now, per endpoint.",
            labels=["endpoint"],
        )
        capacity = GaugeMetricFamily(
            "linkinbio_tiktok_budget_capacity", "The budget's burst size per endpoint."
        )
        capacity.add_metric([], budget.capacity())
        breaker = GaugeMetricFamily(
            "linkinbio_tiktok_breaker_open",
            "1 while the endpoint's circuit breaker is open.",
            labels=["endpoint"],
        )
        for endpoint in budget.ENDPOINTS:
            room.add_metric([endpoint], budget.available(endpoint))
            breaker.add_metric([endpoint], 1.0 if breakers.is_open(endpoint) else 0.0)
        yield room
        yield capacity
        yield breaker
        alerts = GaugeMetricFamily(
            "linkinbio_tiktok_refresh_alerts_open",
            "Open refresh alerts: refreshes refused for many creators with one code, paused.",
            labels=["code"],
        )
        for alert in refusal_guard.open_alerts():
            alerts.add_metric([alert.code], 1.0)
        yield alerts

    def background(self, now):
        if settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend":
            depth = GaugeMetricFamily(
                "linkinbio_tasks_ready", "Tasks waiting for a worker, by queue.", labels=["queue"]
            )
            oldest = GaugeMetricFamily(
                "linkinbio_tasks_oldest_ready_seconds",
                "How long the oldest task waiting for a worker has waited, by queue.",
                labels=["queue"],
            )
            waiting = (
                DBTaskResult.objects.ready()
                .values("queue_name")
                .annotate(n=Count("id"), first=Min("enqueued_at"))
            )
            seen = {row["queue_name"]: row for row in waiting}
            for queue in settings.TASKS["default"].get("QUEUES", ["default"]):
                row = seen.get(queue, {"n": 0, "first": None})
                depth.add_metric([queue], row["n"])
                oldest.add_metric([queue], _age(row["first"], now))
            yield depth
            yield oldest
        jobs = GaugeMetricFamily(
            "linkinbio_job_last_start_seconds",
            "Seconds since each scheduled job last started (stats.counting.store_views "
            "stores the counted views: its age is the count flush lag).",
            labels=["job"],
        )
        for job, started in JobRun.objects.values_list("job", "started_at"):
            jobs.add_metric([job], _age(started, now))
        yield jobs
        heartbeat = GaugeMetricFamily(
            "linkinbio_worker_last_beat_seconds", "Seconds since the newest worker heartbeat."
        )
        last = WorkerBeat.objects.aggregate(last=Max("beat_at"))["last"]
        heartbeat.add_metric([], _age(last, now) if last else float("inf"))
        yield heartbeat


def registry():
    """The figures of this process (or of every process, in multiprocess mode) and the fleet's."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        scraped = CollectorRegistry()
        multiprocess.MultiProcessCollector(scraped)
    else:
        scraped = REGISTRY
    fleet = CollectorRegistry()
    fleet.register(FleetCollector())
    return scraped, fleet


def authorised(request):
    """Whether the request carries METRICS_TOKEN as its bearer token (set it first)."""
    token = settings.METRICS_TOKEN
    offered = request.headers.get("Authorization", "")
    return hmac.compare_digest(offered.encode(), f"Bearer {token}".encode())


@never_cache
def metrics(request):
    """Prometheus' scrape: 404 unless METRICS_TOKEN is set, then only with
    `Authorization: Bearer <token>`."""
    if not settings.METRICS_TOKEN:
        raise Http404("No such page.")
    if not authorised(request):
        response = HttpResponse("A bearer token is required.\n", status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    started = time.monotonic()
    processes, fleet = registry()
    body = generate_latest(processes) + generate_latest(fleet)
    took = f"# scrape took {time.monotonic() - started:.3f} s\n".encode()
    return HttpResponse(body + took, content_type=CONTENT_TYPE_LATEST)
