"""Health for the load balancer and the operator, without a login: liveness (the process answers, nothing else is
asked) and readiness (the database, Redis where REDIS_URL is set, and the cloud's Keystone in OpenStack mode, each
within CHECK_SECONDS, asked at once). Each answers a small JSON body that names the checks and how each went,
never an address, a user or a setting. The checks run in django-health-check's view (concurrently, each bounded by
its timeout, failures logged); the body and the status are the console's: 503 when a check fails, which load
balancers and Kubernetes read as not ready."""

from __future__ import annotations

import dataclasses
import datetime

import requests
from asgiref.sync import async_to_sync
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from health_check import checks
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

CHECK_SECONDS = 2


class HealthMiddleware:
    """Answers the health URLs before the session, the user and the tenant are looked at: a probe that carries a
    browser's cookies, or comes while the database is down, gets the same answer as one that does not."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if request.path == "/health/live/":
            return live(request)
        if request.path == "/health/ready/":
            return async_to_sync(ready)(request)  # django-health-check's view is asynchronous
        return self.get_response(request)


@require_safe
@never_cache
def live(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


class Database(checks.Database):
    timeout = datetime.timedelta(seconds=CHECK_SECONDS)

    def __repr__(self) -> str:
        return "database"


@dataclasses.dataclass
class Cache(HealthCheck):
    """Redis answers a write and a read (without REDIS_URL the cache is the process's memory: not checked)."""

    timeout = datetime.timedelta(seconds=CHECK_SECONDS)

    def run(self) -> None:
        from uuid import uuid4

        key, value = f"health:{uuid4().hex}", uuid4().hex
        # django-redis turns a Redis that cannot be reached into a miss (the console keeps working without it):
        # here a miss after a write is the failure.
        cache.set(key, value, 10)
        if cache.get(key) != value:
            raise ServiceUnavailable("does not answer")
        cache.delete(key)

    def __repr__(self) -> str:
        return "cache"


@dataclasses.dataclass
class Keystone(HealthCheck):
    """The cloud's Keystone answers its v3 version document (OpenStack mode)."""

    timeout = datetime.timedelta(seconds=CHECK_SECONDS)

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


class Ready(HealthCheckView):
    http_method_names = ["get", "head"]

    def get_checks(self):
        yield Database()
        if settings.REDIS_URL:
            yield Cache()
        if settings.IMS_BACKEND == "openstack":
            yield Keystone()

    async def get(self, request, *args, **kwargs):
        import asyncio

        with self.get_executor() as executor:
            results = await asyncio.gather(*(check.get_result(executor) for check in self.get_checks()))
        report = {repr(r.check): "ok" if r.error is None else _said(r.error) for r in results}
        failed = any(r.error is not None for r in results)
        return JsonResponse({"status": "unavailable" if failed else "ok", "checks": report}, status=503 if failed else 200)


def _said(error: Exception) -> str:
    """The failure in a few words, without what it was connected to (a timeout is worded by django-health-check)."""
    message = getattr(error, "message", "")
    if not isinstance(message, str) or "@" in message or "//" in message:
        return "unavailable"
    return f"unavailable: {message}"


ready = Ready.as_view()
