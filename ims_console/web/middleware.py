"""Request hygiene that holds for every page: no NUL bytes in parameters, no caching of tenant pages, and one log
line (not a traceback) for each refusal."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext

from ims_console.api.errors import is_api, refusal_for


class RefuseNulBytesMiddleware:
    """A NUL byte in a query or form parameter is never meant: PostgreSQL cannot even store one in a text column,
    so such a request would fail deep inside a view. Refuse it up front with 400."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_nul(request.GET) or (request.method == "POST" and _has_nul(request.POST)):
            message = gettext("The request contains a NUL character (%00), which no field of the console accepts.")
            if is_api(request.path):  # an API client reads JSON, in the words of the API it called
                return refusal_for(request.path, 400, message)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


def _has_nul(params) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in params.lists())


class NoStoreForSignedInMiddleware:
    """Pages shown to a signed-in user hold tenant data: a shared browser must not keep them after logout."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            add_never_cache_headers(response)
        return response


class OneLineRefusals(logging.Filter):
    """Django logs every 4xx answer with the exception's traceback. A refusal (403, 404, 400) is the console
    working as intended, so it gets one line; 5xx keep their traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and status < 500 and record.exc_info:
            record.exc_info = None
            record.exc_text = None
        return True


class CloudFailuresMiddleware:
    """OpenStack mode: a refusal only the cloud's state explains becomes a page, never a 500. An expired or
    revoked token sends the user to log in again, keeping the page they wanted; a cloud that does not answer (or
    answers garbage) is a 503/502 page that says which service and why, and the rest of the console stays usable."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django.contrib import messages
        from django.contrib.auth import logout
        from django.contrib.auth.views import redirect_to_login
        from django.shortcuts import render

        from ims_console.core.errors import CloudUnavailable, IMSError, LoginAgain
        from ims_console.identity.keystone import KeystoneUnavailable

        if isinstance(exception, IMSError) and exception.status == 401:
            exception = LoginAgain(exception.message)
        if isinstance(exception, IMSError) and exception.status in (502, 503):
            exception = CloudUnavailable(exception.message, exception.status, exception.problems)
        if isinstance(exception, KeystoneUnavailable):
            exception = CloudUnavailable(str(exception), 503)
        if isinstance(exception, LoginAgain):
            logout(request)
            messages.warning(request, gettext("%(reason)s Your session with the cloud has ended: log in again.") % {"reason": exception})
            return redirect_to_login(request.get_full_path())
        if isinstance(exception, CloudUnavailable):
            context = {"reason": str(exception), "remains": exception.remains}
            if getattr(request, "htmx", False):
                # Whatever part of the page asked (a dialog's OK, a list's refresh), the answer is shown in the
                # dialog: htmx swaps 502 and 503 answers (the htmx-config in base.html), others it leaves.
                response = render(request, "_cloud_unavailable_dialog.html", context, status=exception.status)
                response["HX-Retarget"], response["HX-Reswap"] = "#modal", "innerHTML"
                return response
            return render(request, "cloud_unavailable.html", context, status=exception.status)
        return None
