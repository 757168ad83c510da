"""KMS Keys and their Grants (a small KMS page in the console), and Replicate Image."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.core.exceptions import BadRequest
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ims_console.backends import get_backend
from ims_console.backends.base import IMSError
from ims_console.dialogs import dialog_done, render_dialog
from ims_console.errors import attempt, fetch, http_error
from ims_console.tenancy import caller_for
from images.forms import ImageModifyForm


@require_GET
@login_required
def keys_list(request: HttpRequest) -> HttpResponse:
    caller = caller_for(request)
    keys = fetch(lambda: get_backend().keys_list(caller))
    return render(request, "images/keys.html", {"keys": keys, "can_write": caller.can_write})


@require_http_methods(["GET", "POST"])
@login_required
def key_create(request: HttpRequest) -> HttpResponse:
    caller = caller_for(request, write=True)
    problems: list[IMSError] = []
    if request.method == "POST":
        key, problems = attempt(lambda: get_backend().key_create(caller, request.POST.get("alias", "")))
        if key:
            return dialog_done(request, f"Created key {key.alias}.", events=("keys-changed",), redirect_to=reverse("images:keys"))
    return render_dialog(request, "images/_key_create_dialog.html", {"problems": problems, "alias": request.POST.get("alias", "")})


@require_POST
@login_required
def key_state(request: HttpRequest, key_id: str) -> HttpResponse:
    caller = caller_for(request, write=True)
    backend = get_backend()
    key = fetch(lambda: backend.key_get(caller, key_id))
    state = request.POST.get("state", "")
    if state not in ("enabled", "disabled"):
        raise BadRequest(f"State “{state[:40]}” is not one of enabled, disabled.")
    fetch(lambda: backend.key_state_update(caller, key.id, enabled=state == "enabled"))
    if request.POST.get("next") == "detail":
        return redirect("images:key_detail", key_id)
    return redirect("images:keys")


@require_GET
@login_required
def key_detail(request: HttpRequest, key_id: str) -> HttpResponse:
    caller = caller_for(request)
    key = fetch(lambda: get_backend().key_get(caller, key_id))
    return render(request, "images/key_detail.html", {"key": key, "can_write": caller.can_write})


@require_http_methods(["GET", "POST"])
@login_required
def grant_create(request: HttpRequest, key_id: str) -> HttpResponse:
    caller = caller_for(request, write=True)
    backend = get_backend()
    key = fetch(lambda: backend.key_get(caller, key_id))
    problems: list[IMSError] = []
    account_id = request.POST.get("account_id", "")
    if request.method == "POST":
        granted, problems = attempt(lambda: backend.key_grant_create(caller, key.id, account_id))
        if granted:
            grant = next(g for g in granted.grants if g.account_id == account_id.strip().lower())
            return dialog_done(
                request, f"Granted {key.alias} to account {grant.account_name} ({grant.account_id}).",
                events=("keys-changed",),
                redirect_to=reverse("images:key_detail", args=[key.id]),
            )
    return render_dialog(request, "images/_grant_create_dialog.html", {"key": key, "problems": problems, "account_id": account_id})


@require_http_methods(["GET", "POST"])
@login_required
def grant_revoke(request: HttpRequest, key_id: str) -> HttpResponse:
    """Revoke after a confirmation that names the recipients whose accepted images become unavailable (R7)."""
    caller = caller_for(request, write=True)
    backend = get_backend()
    key = fetch(lambda: backend.key_get(caller, key_id))
    account_id = (request.POST if request.method == "POST" else request.GET).get("account_id", "")
    grant = next((g for g in key.grants if g.account_id == account_id), None)
    if grant is None:
        raise http_error(IMSError("", f"Account {account_id} holds no grant on {key.alias}.", status=404))
    if request.method == "POST":
        fetch(lambda: backend.key_grant_revoke(caller, key.id, account_id))
        return dialog_done(
            request, f"Revoked the grant on {key.alias} of account {grant.account_name} ({grant.account_id}).",
            events=("keys-changed",),
            redirect_to=reverse("images:key_detail", args=[key.id]),
        )
    dependents = backend.key_grant_dependents(caller, key.id, account_id)
    return render_dialog(request, "images/_grant_revoke_dialog.html", {"key": key, "grant": grant, "dependents": dependents})


@require_http_methods(["GET", "POST"])
@login_required
def image_replicate(request: HttpRequest, image_id: str) -> HttpResponse:
    """Replicate Image: a copy in this project's private images, of an own image or an accepted shared one (R6)."""
    caller = caller_for(request, write=True)
    backend = get_backend()
    source = fetch(lambda: backend.image_get_visible(caller, image_id))
    keys = [k for k in backend.keys_list(caller) if not k.is_default and k.enabled]
    shared = source.owner_project_id != caller.project_id
    form = ImageModifyForm(
        request.POST or None, initial={"name": f"copy_{source.name}"[:128], "description": source.description}
    )
    problems: list[IMSError] = []
    key_id = request.POST.get("key_id", "")
    if request.method == "POST" and form.is_valid():
        copy, problems = attempt(lambda: backend.image_replicate(caller, source.id, key_id=key_id, **form.cleaned_data))
        if copy:
            return dialog_done(
                request, f"Replicated “{source.name}” as “{copy.name}” in this project's private images.",
                events=("images-changed",), redirect_to=reverse("images:detail", args=[copy.id]),
            )
    context = {
        "source": source, "form": form, "keys": keys, "key_id": key_id, "problems": problems,
        "key_required": shared and source.encrypted,
    }
    return render_dialog(request, "images/_replicate_dialog.html", context)
