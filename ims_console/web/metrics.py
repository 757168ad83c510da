"""Prometheus metrics (prometheus_client, the Prometheus project's own client), off unless IMS_METRICS is on, and
then answered at /metrics only to addresses in IMS_METRICS_ALLOW (others get a 404, as if there were none).

- ims_http_requests_total{view,method,status} and ims_http_request_duration_seconds{view}: every request.
- ims_http_request_db_queries{view}: the database queries each request made.
- ims_glance_calls_total{method,outcome} and ims_glance_call_duration_seconds{method}: OpenStack mode's calls to
  Glance, outcome ok, refused (4xx), failed (5xx) or unreachable (no answer).
- ims_background_jobs{state} and ims_background_job_duration_seconds: background jobs, read from the database when
  scraped, so every instance of a fleet reports the same figures, the task workers' jobs included.

A process counts what it served. gunicorn with several workers (or instances and task workers on one host) share
their counts through PROMETHEUS_MULTIPROC_DIR, a folder of their own that is emptied before they start (the
prometheus_client convention); without it each scrape sees the one process that answered it."""

from __future__ import annotations

import ipaddress
import os
import time
from collections.abc import Callable, Iterator
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.registry import REGISTRY, Collector
from prometheus_client.utils import floatToGoString

REQUESTS = Counter("ims_http_requests", "Requests answered, by view, method and status.", ["view", "method", "status"])
DURATION = Histogram("ims_http_request_duration_seconds", "Time to answer a request, by view.", ["view"],
                     buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
QUERIES = Histogram("ims_http_request_db_queries", "Database queries a request made, by view.", ["view"],
                    buckets=(0, 1, 2, 5, 10, 20, 50, 100, 500))
GLANCE_CALLS = Counter("ims_glance_calls", "Calls to Glance (OpenStack mode), by method and outcome.", ["method", "outcome"])
GLANCE_DURATION = Histogram("ims_glance_call_duration_seconds", "Time a call to Glance took, by method.", ["method"],
                            buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
JOB_BUCKETS = (1, 5, 15, 60, 300, 900, 3600)


def enabled() -> bool:
    return settings.IMS_METRICS


class MetricsMiddleware:
    """Counts, times and counts the queries of every request (a no-op unless IMS_METRICS is on)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not enabled():
            return self.get_response(request)
        queries = [0]

        def count(execute, sql, params, many, context):
            queries[0] += 1
            return execute(sql, params, many, context)

        started = time.perf_counter()
        with connection.execute_wrapper(count):
            response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = match.view_name if match and match.view_name else "unmatched"
        REQUESTS.labels(view, request.method or "", str(response.status_code)).inc()
        DURATION.labels(view).observe(time.perf_counter() - started)
        QUERIES.labels(view).observe(queries[0])
        return response


def glance_call(method: str, outcome: str, seconds: float) -> None:
    if enabled():
        GLANCE_CALLS.labels(method, outcome).inc()
        GLANCE_DURATION.labels(method).observe(seconds)


class BackgroundJobs(Collector):
    """Background jobs by state and the durations of those that ended, from the database at each scrape."""

    def collect(self) -> Iterator:
        from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum

        from ims_console.activity.models import Job

        jobs = Job.objects.filter(background=True)
        states = GaugeMetricFamily("ims_background_jobs", "Background jobs, by state.", labels=["state"])
        counted = dict(jobs.values_list("status").annotate(n=Count("pk")).order_by())
        for state in Job.Status.values:
            states.add_metric([state.lower()], counted.get(state, 0))
        yield states
        duration = ExpressionWrapper(F("end_time") - F("begin_time"), output_field=DurationField())
        ended = jobs.filter(end_time__isnull=False).annotate(duration=duration)
        counts = ended.aggregate(
            total=Count("pk"), seconds=Sum("duration"),
            **{f"le_{bound}": Count("pk", filter=Q(duration__lte=timedelta(seconds=bound))) for bound in JOB_BUCKETS},
        )
        buckets = [(floatToGoString(bound), counts[f"le_{bound}"]) for bound in JOB_BUCKETS] + [("+Inf", counts["total"])]
        seconds = counts["seconds"].total_seconds() if counts["seconds"] else 0.0
        yield HistogramMetricFamily("ims_background_job_duration_seconds", "How long ended background jobs ran.",
                                    buckets=buckets, sum_value=seconds)


def _allowed(request: HttpRequest) -> bool:
    from ims_console.identity.tenancy import client_ip

    try:
        address = ipaddress.ip_address(client_ip(request))  # type: ignore[arg-type]
    except ValueError:
        return False
    return any(address in network for network in settings.IMS_METRICS_ALLOW)


def metrics(request: HttpRequest) -> HttpResponse:
    if not enabled() or not _allowed(request):
        raise Http404  # as if there were no such URL
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    output = generate_latest(registry) + generate_latest(_JOBS_REGISTRY)
    return HttpResponse(output, content_type=CONTENT_TYPE_LATEST)


_JOBS_REGISTRY = CollectorRegistry()
_JOBS_REGISTRY.register(BackgroundJobs())
