"""KMS Keys and their Grants (a small KMS page in the console)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from images.rules import ACCOUNT_ID as HEX_ID  # project IDs have the same form: 32 hexadecimal characters
from ims_console.backends import get_backend
from ims_console.core.errors import ConsoleCode, IMSError
from ims_console.identity.tenancy import caller_for
from ims_console.web.calls import http_error, read, write
from ims_console.web.dialogs import dialog_done, render_dialog, render_page
from ims_console.web.http import ConsoleRequest


@require_GET
@login_required
def keys_list(request: ConsoleRequest) -> HttpResponse:
    caller = caller_for(request)
    keys = read(lambda: get_backend().keys_list(caller))
    context = {"keys": keys, "can_write": caller.can_write, "kms": "kms" in get_backend().capabilities}
    return render_page(request, "images/keys.html", context, {"keys": "images/_keys.html"})


@require_http_methods(["GET", "POST"])
@login_required
def key_create(request: ConsoleRequest) -> HttpResponse:
    caller = caller_for(request, write=True)
    problems: list[IMSError] = []
    if request.method == "POST":
        key, problems = write(lambda: get_backend().key_create(caller, request.POST.get("alias", "")))
        if key:
            return dialog_done(request, gettext("Created key %(alias)s.") % {"alias": key.alias}, events=("keys-changed",), redirect_to=reverse("images:keys"))
    return render_dialog(request, "images/_key_create_dialog.html", {"problems": problems, "alias": request.POST.get("alias", "")})


@require_POST
@login_required
def key_state(request: ConsoleRequest, key_id: str) -> HttpResponse:
    caller = caller_for(request, write=True)
    backend = get_backend()
    key = read(lambda: backend.key_get(caller, key_id))
    state = request.POST.get("state", "")
    if state not in ("enabled", "disabled"):
        raise BadRequest(gettext("State “%(state)s” is not one of enabled, disabled.") % {"state": state[:40]})
    _, problems = write(lambda: backend.key_state_update(caller, key.id, enabled=state == "enabled"))
    for problem in problems:
        messages.error(request, problem.message)
    if request.POST.get("next") == "detail":
        return redirect("images:key_detail", key_id)
    return redirect("images:keys")


@require_GET
@login_required
def key_detail(request: ConsoleRequest, key_id: str) -> HttpResponse:
    caller = caller_for(request)
    key = read(lambda: get_backend().key_get(caller, key_id))
    return render_page(
        request, "images/key_detail.html", {"key": key, "can_write": caller.can_write}, {"key-detail": "images/_key_detail.html"}
    )


@require_http_methods(["GET", "POST"])
@login_required
def grant_create(request: ConsoleRequest, key_id: str) -> HttpResponse:
    caller = caller_for(request, write=True)
    backend = get_backend()
    key = read(lambda: backend.key_get(caller, key_id))
    problems: list[IMSError] = []
    # What was typed: an account ID, or a project ID whose account is granted after a confirmation that names it.
    # IMG.0099's link opens the dialog filled in with the recipient's project (?project_id=).
    params = request.POST if request.method == "POST" else request.GET
    account_id = (params.get("account_id") or params.get("project_id") or "").strip()
    target = None
    if request.method == "POST" and not request.POST.get("confirmed") and HEX_ID.fullmatch(account_id.lower()):
        target = backend.project_account(caller, account_id.lower())
        if target and target.account_id == caller.account_id:
            problems = [IMSError(
                ConsoleCode.ACCOUNT_ID_INVALID,
                gettext("Project %(project_name)s (%(project_id)s) is in your own account; its projects can use this key without a grant.") % {"project_name": target.project_name, "project_id": target.project_id}, item=account_id, field="account_id",
            )]
            target = None
        if target or problems:
            context = {"key": key, "problems": problems, "account_id": account_id, "target": target}
            return render_dialog(request, "images/_grant_create_dialog.html", context)
    if request.method == "POST":
        granted, problems = write(lambda: backend.key_grant_create(caller, key.id, account_id))
        if granted:
            grant = next(g for g in granted.grants if g.account_id == account_id.strip().lower())
            return dialog_done(
                request, gettext("Granted %(alias)s to account %(account_name)s (%(account_id)s).") % {"alias": key.alias, "account_name": grant.account_name, "account_id": grant.account_id},
                events=("keys-changed",),
                redirect_to=reverse("images:key_detail", args=[key.id]),
            )
    return render_dialog(request, "images/_grant_create_dialog.html", {"key": key, "problems": problems, "account_id": account_id})


@require_http_methods(["GET", "POST"])
@login_required
def grant_revoke(request: ConsoleRequest, key_id: str) -> HttpResponse:
    """Revoke after a confirmation that names the recipients whose accepted images become unavailable (R7)."""
    caller = caller_for(request, write=True)
    backend = get_backend()
    key = read(lambda: backend.key_get(caller, key_id))
    account_id = (request.POST if request.method == "POST" else request.GET).get("account_id", "")
    grant = next((g for g in key.grants if g.account_id == account_id), None)
    if grant is None:
        raise http_error(IMSError.grant_not_found(account_id, key.alias, status=404))
    problems: list[IMSError] = []
    if request.method == "POST":
        revoked, problems = write(lambda: backend.key_grant_revoke(caller, key.id, account_id))
        if revoked:
            return dialog_done(
                request, gettext("Revoked the grant on %(alias)s of account %(account_name)s (%(account_id)s).") % {"alias": key.alias, "account_name": grant.account_name, "account_id": grant.account_id},
                events=("keys-changed",),
                redirect_to=reverse("images:key_detail", args=[key.id]),
            )
    dependents = backend.key_grant_dependents(caller, key.id, account_id)
    context = {"key": key, "grant": grant, "dependents": dependents, "problems": problems}
    return render_dialog(request, "images/_grant_revoke_dialog.html", context)
