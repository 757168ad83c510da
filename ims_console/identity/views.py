"""Sign-in (and its lockout page), the project switcher and My Credentials."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from ims_console.identity import keystone
from ims_console.identity.tenancy import caller_for
from ims_console.identity.tenant import SESSION_PROJECT_KEY
from ims_console.web.http import ConsoleRequest
from ims_console.web.language import local_path


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
    identity = request.session.get(keystone.SESSION_KEY)
    if identity and project.id != previous.id:
        # OpenStack mode: work in the new project with a token scoped to it.
        request.session[keystone.SESSION_KEY] = keystone.scoped(identity, project.id)
    target = local_path(request, request.POST.get("next", ""), reverse("images:private"))
    message = gettext("Switched to project %(name)s (%(region_name)s).") % {"name": project.name, "region_name": project.region_name}
    if project.id != previous.id and target != request.POST.get("from", target):
        # The page the user was on shows something of the previous project, which the new one cannot see.
        message += gettext(" The page you were on belongs to project %(name)s, so you are on Private Images of %(name2)s.") % {"name": previous.name, "name2": project.name}
    if project.id != previous.id:
        messages.info(request, message)
    return HttpResponseRedirect(target)


@require_GET
@login_required
def my_credentials(request: ConsoleRequest) -> HttpResponse:
    caller_for(request)
    return render(request, "identity/my_credentials.html", {"tenant": request.tenant})


class CloudLoginForm(AuthenticationForm):
    """OpenStack mode's login, as IMS's IAM user login: account name (the Keystone domain), user name, password."""

    account = forms.CharField(label=gettext_lazy("Account name"), max_length=255)

    def clean(self):
        account = self.cleaned_data.get("account")
        username, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if account and username and password:
            self.user_cache = authenticate(self.request, account=account, username=username, password=password)
            if self.user_cache is None:
                raise forms.ValidationError(
                    gettext("The account name, user name or password is not correct. All three are as in the cloud's IAM."),
                    code="invalid_login",
                )
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True

    def get_form_class(self):
        return CloudLoginForm if settings.IMS_BACKEND == "openstack" else AuthenticationForm

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "cloud_login": settings.IMS_BACKEND == "openstack"}


def login_locked_out(request: ConsoleRequest, response: HttpResponse | None = None, credentials: dict | None = None) -> HttpResponse:
    """django-axes calls this instead of checking the password once a user name or an address has failed too often.
    The same words whether or not the user exists, so the page tells an attacker nothing."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = (
        gettext("Too many failed log-ins for this user name or from this address. Log-ins are paused for %(minutes)s minutes after the last failed one: try again later.") % {"minutes": minutes}
    )
    if request.path.startswith("/v3/"):  # the API's token request (ims_console/identity/api.py)
        return JsonResponse({"error": {"code": 401, "title": "Unauthorized", "message": message}}, status=401)
    form = AuthenticationForm(request, initial={"username": (credentials or {}).get("username", "")})
    return render(request, "registration/login.html", {"form": form, "locked_out": message}, status=429)
