"""Sign-in (and its lockout page), the project switcher and My Credentials."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import BadRequest, RequestDataTooBig, TooManyFieldsSent
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from ims_console.http import ConsoleRequest
from ims_console.tenancy import SESSION_PROJECT_KEY, caller_for


@require_GET
@login_required
def home(request: ConsoleRequest) -> HttpResponse:
    return redirect("images:private")


@require_POST
@login_required
def project_switch(request: ConsoleRequest) -> HttpResponse:
    caller_for(request)
    assert request.tenant is not None  # caller_for refused a user in no account
    project = next((p for p in request.tenant.projects if p.id == request.POST.get("project")), None)
    if project is None:
        raise Http404("No such project in your account.")
    previous = request.tenant.project
    request.session[SESSION_PROJECT_KEY] = project.id
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        target = reverse("images:private")
    message = f"Switched to project {project.name} ({project.region_name})."
    if project.id != previous.id and target != request.POST.get("from", target):
        # The page the user was on shows something of the previous project, which the new one cannot see.
        message += f" The page you were on belongs to project {previous.name}, so you are on Private Images of {project.name}."
    if project.id != previous.id:
        messages.info(request, message)
    return redirect(target)


@require_GET
@login_required
def my_credentials(request: ConsoleRequest) -> HttpResponse:
    caller_for(request)
    return render(request, "ims_console/my_credentials.html", {"tenant": request.tenant})


def login_locked_out(request: ConsoleRequest, response: HttpResponse | None = None, credentials: dict | None = None) -> HttpResponse:
    """django-axes calls this instead of checking the password once a user name or an address has failed too often.
    The same words whether or not the user exists, so the page tells an attacker nothing."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = (
        f"Too many failed log-ins for this user name or from this address. Log-ins are paused for {minutes} "
        f"minutes after the last failed one: try again later."
    )
    form = AuthenticationForm(request, initial={"username": (credentials or {}).get("username", "")})
    return render(request, "registration/login.html", {"form": form, "locked_out": message}, status=429)


def bad_request(request: ConsoleRequest, exception: Exception) -> HttpResponse:
    """400 with the reason: the console's own refusals (BadRequest) say what was wrong; a request too large to read
    says so; other suspicious requests get a plain sentence, since their details are for the log."""
    if isinstance(exception, RequestDataTooBig):
        reason = f"The request is too large: the console accepts at most {settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024} KB."
    elif isinstance(exception, TooManyFieldsSent):
        reason = f"The request has too many fields: the console accepts at most {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS}."
    elif type(exception) is BadRequest:
        reason = str(exception)
    else:
        reason = "The request could not be understood."
    return render(request, "400.html", {"reason": reason}, status=400)
