"""The views that are the console's own rather than a part's: the home page, and the 400 page."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, RequestDataTooBig, TooManyFieldsSent
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from ims_console.api import versions
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
