"""What an operator of a fleet reads: every request has an ID (the load balancer's X-Request-ID when it sends a
sensible one, else a new `req-<uuid>`), answered in the response's X-Request-ID, kept on every log record made
while the request runs and on the Activity job it starts (Job.request_id); one access line per request
(method, path, view, status, duration) on the `ims.access` logger. With IMS_LOG_FORMAT=json every log line is one JSON
object (python-json-logger's formatter on the standard library's logging, which Django, django-axes, gunicorn and the
task worker already log through)."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse
from django.utils.log import log_response

_request_id: ContextVar[str] = ContextVar("request_id", default="")
ACCEPTED = re.compile(r"[A-Za-z0-9._:-]{8,64}")
access = logging.getLogger("ims.access")


def current_request_id() -> str:
    """The ID of the request being answered ("" outside one): Job.request_id's default."""
    return _request_id.get()


class RequestIdFilter(logging.Filter):
    """Puts the request's ID on every record (a record made outside a request gets "")."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = _request_id.get()
        return True


class RequestIdMiddleware:
    """First of all middleware, so that every answer carries the ID, the refusals of the middleware after it too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if ACCEPTED.fullmatch(incoming) else f"req-{uuid.uuid4()}"
        token = _request_id.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            if response.status_code >= 400:
                # What Django's handler logs of a refusal once the middleware is done (then without the ID): here,
                # with it; log_response marks the response, so it is logged once.
                log_response("%s: %s", response.reason_phrase, request.path, response=response, request=request)
            match = getattr(request, "resolver_match", None)
            access.info(
                "%s %s %s", request.method, request.path, response.status_code,
                extra={"method": request.method, "path": request.path, "status": response.status_code,
                       "view": match.view_name if match else "", "duration_ms": round((time.perf_counter() - started) * 1000, 1)},
            )
            return response
        finally:
            _request_id.reset(token)


def adopt(request_id: str) -> None:
    """The task worker runs a background job: its log lines carry the ID of the request that started the job."""
    _request_id.set(request_id)
