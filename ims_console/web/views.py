"""The views that are the console's own rather than a part's: the home page, and the 400 and 500/503 pages."""

from __future__ import annotations

import sys

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, RequestDataTooBig, TooManyFieldsSent
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from ims_console.api import versions
from ims_console.api.errors import is_api, refusal_for
from ims_console.web.http import ConsoleRequest


@require_GET
def home(request: ConsoleRequest) -> HttpResponse:
    """Browsers go to Private Images (by way of the login page); API clients discovering versions get Keystone's
    version list, which names the image API too (embedded mode)."""
    if settings.IMS_BACKEND == "embedded" and versions.wants_json(request):
        return versions.root(request)
    return _home(request)


@login_required
def _home(request: ConsoleRequest) -> HttpResponse:
    return redirect("images:private")


def bad_request(request: ConsoleRequest, exception: Exception) -> HttpResponse:
    """400 with the reason: the console's own refusals (BadRequest) say what was wrong; a request too large to read
    says so; other suspicious requests get a plain sentence, since their details are for the log."""
    if isinstance(exception, RequestDataTooBig):
        reason = gettext("The request is too large: the console accepts at most %(value)s KB.") % {"value": settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024}
    elif isinstance(exception, TooManyFieldsSent):
        reason = gettext("The request has too many fields: the console accepts at most %(limit)s.") % {"limit": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS}
    elif type(exception) is BadRequest:
        reason = str(exception)
    else:
        reason = gettext("The request could not be understood.")
    return render(request, "400.html", {"reason": reason}, status=400)


def server_error(request: ConsoleRequest) -> HttpResponse:
    """An exception no view answered. When the database cannot be reached (restarted, failed over, the network
    between) it is 503 with a page that says so and when to try again, not a 500: nothing was changed (the
    transaction did not commit), and the instance reconnects by itself once the database answers (CONN_HEALTH_CHECKS).
    Neither page asks the database anything; Django has logged the exception."""
    if not _database_unreachable(sys.exc_info()[1]):
        return HttpResponse(loader.get_template("500.html").render(), status=500)
    reason = gettext("The console cannot reach its database just now, so nothing was changed. Try again in a minute.")
    if is_api(request.path):  # in the words of the API asked: Keystone's, IMS's or Glance's
        response: HttpResponse = refusal_for(request.path, 503, reason, "console.database_unavailable")
    else:
        htmx = request.headers.get("HX-Request") == "true"
        response = HttpResponse(loader.get_template("503.html").render({"reason": reason, "dialog": htmx}), status=503)
        if htmx:  # shown in the dialog, whatever part of the page asked (as the cloud's 503, base.html's htmx-config)
            response["HX-Retarget"], response["HX-Reswap"] = "#modal", "innerHTML"
    response["Retry-After"] = "30"
    return response


def _database_unreachable(exception: BaseException | None) -> bool:
    while exception is not None:
        if isinstance(exception, (OperationalError, InterfaceError)):
            return True
        exception = exception.__cause__ or exception.__context__
    return False
