"""Sign-in, the project switcher and My Credentials."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from ims_console.tenancy import SESSION_PROJECT_KEY, caller_for


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect("images:private")


@require_POST
@login_required
def project_switch(request: HttpRequest) -> HttpResponse:
    caller_for(request)
    project = next((p for p in request.tenant.projects if p.id == request.POST.get("project")), None)
    if project is None:
        raise Http404("No such project in your account.")
    request.session[SESSION_PROJECT_KEY] = project.id
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        target = "images:private"
    return redirect(target)


@require_GET
@login_required
def my_credentials(request: HttpRequest) -> HttpResponse:
    caller_for(request)
    return render(request, "ims_console/my_credentials.html", {"tenant": request.tenant})
