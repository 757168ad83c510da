"""Health for the load balancer and the operator, without a login: liveness (the process answers, nothing else is
asked) and readiness (the database, Redis where REDIS_URL is set, and the cloud's Keystone in OpenStack mode, each
within CHECK_SECONDS, asked at once). Each answers a small JSON body that names the checks and how each went,
never an address, a user or a setting. The checks are django-health-check's (its database check, and ours on its base class), run concurrently, each
bounded by its timeout, failures logged; the body and the status are the console's: 503 when a check fails, which load
balancers and Kubernetes read as not ready."""

from __future__ import annotations

import dataclasses
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

import requests
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from health_check import checks
from health_check.base import HealthCheck
from health_check.exceptions import HealthCheckException, ServiceUnavailable
from redis.exceptions import RedisError

CHECK_SECONDS = 2
logger = logging.getLogger("health_check")


class HealthMiddleware:
    """Answers the health URLs before the session, the user and the tenant are looked at: a probe that carries a
    browser's cookies, or comes while the database is down, gets the same answer as one that does not."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if request.path == "/health/live/":
            return live(request)
        if request.path == "/health/ready/":
            return ready(request)
        return self.get_response(request)


@require_safe
@never_cache
def live(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


class Database(checks.Database):
    def __repr__(self) -> str:
        return "database"


@dataclasses.dataclass
class Cache(HealthCheck):
    """Redis answers a write and a read (without REDIS_URL the cache is the process's memory: not checked)."""

    def run(self) -> None:
        from uuid import uuid4

        key, value = f"health:{uuid4().hex}", uuid4().hex
        # django-redis turns a Redis that cannot be reached into a miss (the console keeps working without it):
        # here a miss after a write is the failure; what it lets through (a refusal, say) is one too.
        try:
            cache.set(key, value, 10)
            if cache.get(key) != value:
                raise ServiceUnavailable("does not answer")
            cache.delete(key)
        except RedisError:
            raise ServiceUnavailable("refuses") from None

    def __repr__(self) -> str:
        return "cache"


@dataclasses.dataclass
class Keystone(HealthCheck):
    """The cloud's Keystone answers its v3 version document (OpenStack mode)."""

    def run(self) -> None:
        try:
            response = requests.get(settings.OS_AUTH_URL, timeout=CHECK_SECONDS,
                                    verify=settings.OS_CACERT or True, headers={"Accept": "application/json"})
        except requests.Timeout:
            raise ServiceUnavailable("timed out") from None
        except requests.RequestException:
            raise ServiceUnavailable("cannot be reached") from None
        if response.status_code >= 500:
            raise ServiceUnavailable(f"answers HTTP {response.status_code}")

    def __repr__(self) -> str:
        return "keystone"


def _checks() -> list[HealthCheck]:
    found: list[HealthCheck] = [Database()]
    if settings.REDIS_URL:
        found.append(Cache())
    if settings.IMS_BACKEND == "openstack":
        found.append(Keystone())
    return found


@require_safe
@never_cache
def ready(request: HttpRequest) -> JsonResponse:
    """The checks at once, in threads, each given CHECK_SECONDS (and a second for its own client to report). A plain
    view rather than django-health-check's asynchronous one, so it answers the same under any server and thread."""
    checks_now = _checks()
    pool = ThreadPoolExecutor(len(checks_now), thread_name_prefix="health")
    futures = [(repr(check), pool.submit(check.run)) for check in checks_now]
    deadline = time.monotonic() + CHECK_SECONDS + 1
    report = {}
    try:
        for name, future in futures:
            try:
                future.result(timeout=max(0.0, deadline - time.monotonic()))
                report[name] = "ok"
            except FutureTimeout:
                report[name] = f"unavailable: timed out after {CHECK_SECONDS} s"
            except HealthCheckException as error:
                logger.warning("Health check %s failed: %s", name, error)
                report[name] = _said(error)
    finally:
        pool.shutdown(wait=False)  # a check still hanging is not waited for; one that broke is a 500, logged
    failed = any(value != "ok" for value in report.values())
    return JsonResponse({"status": "unavailable" if failed else "ok", "checks": report}, status=503 if failed else 200)


def _said(error: Exception) -> str:
    """The failure in a few words, without what it was connected to."""
    message = getattr(error, "message", "")
    if not isinstance(message, str) or "@" in message or "//" in message:
        return "unavailable"
    return f"unavailable: {message}"

