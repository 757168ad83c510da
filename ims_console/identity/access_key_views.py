"""My Credentials > Access Keys: the user's access keys (AK/SK) for IMS's own API; create (the secret shown once,
with credentials.csv), deactivate, activate and delete, each after a confirmation. Read-only users may hold keys
too: what a key may do is what its user may do."""

from __future__ import annotations

import csv
import io
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import trigger_client_event

from ims_console.core.errors import IMSError
from ims_console.identity import access_keys
from ims_console.identity.access_keys import MAX_KEYS
from ims_console.identity.caller import Caller
from ims_console.identity.models import AccessKey
from ims_console.identity.tenancy import caller_for
from ims_console.web.calls import read, write
from ims_console.web.dialogs import dialog_done, render_dialog, render_page
from ims_console.web.http import ConsoleRequest

LIST = "access_keys"


@require_GET
@login_required
def keys_list(request: ConsoleRequest) -> HttpResponse:
    caller = caller_for(request)
    keys = access_keys.keys_of(caller.user_id or 0)
    context = {"tenant": request.tenant, "keys": keys, "can_create": len(keys) < MAX_KEYS, "max_keys": MAX_KEYS}
    return render_page(request, "identity/access_keys.html", context, {"access-keys": "identity/_access_keys.html"})


def credentials_csv(username: str, key_id: str, secret: str) -> str:
    """credentials.csv as IAM's console offers it: user name, access key ID, secret access key."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["User Name", "Access Key Id", "Secret Access Key"])
    writer.writerow([username, key_id, secret])
    return out.getvalue()


@require_http_methods(["GET", "POST"])
@login_required
def key_create(request: ConsoleRequest) -> HttpResponse:
    caller = caller_for(request)
    problems: list[IMSError] = []
    description = request.POST.get("description", "")
    if request.method == "POST":
        created, problems = write(lambda: access_keys.key_create(caller=caller, description=description))
        if created:
            data = "data:text/csv;charset=utf-8," + quote(credentials_csv(caller.username, created.key.pk, created.secret))
            response = render_dialog(request, "identity/_access_key_created_dialog.html",
                                     {"key": created.key, "secret": created.secret, "csv_href": data})
            if request.htmx:
                trigger_client_event(response, "access-keys-changed")
            return response
    return render_dialog(request, "identity/_access_key_create_dialog.html",
                         {"problems": problems, "description": description})


def _key(request: ConsoleRequest, key_id: str) -> tuple[Caller, AccessKey]:
    """One of the user's own keys; anyone else's does not exist (404)."""
    caller = caller_for(request)
    key = next((k for k in access_keys.keys_of(caller.user_id or 0) if k.pk == key_id), None)
    if key is None:
        raise Http404(f"Access key {key_id[:40]} does not exist.")
    return caller, key


@require_http_methods(["GET", "POST"])
@login_required
def key_status(request: ConsoleRequest, key_id: str) -> HttpResponse:
    """Deactivate or activate (`status` inactive or active), after the confirmation this view's GET shows."""
    caller, key = _key(request, key_id)
    params = request.POST if request.method == "POST" else request.GET
    status = params.get("status", "")
    if status not in ("active", "inactive"):
        status = "inactive" if key.status == "active" else "active"
    if request.method == "POST":
        read(lambda: access_keys.key_status_set(caller=caller, key_id=key.pk, active=status == "active"))
        verb = "Activated" if status == "active" else "Deactivated"
        return dialog_done(request, f"{verb} access key {key.pk}.", events=("access-keys-changed",),
                           redirect_to=reverse(LIST))
    return render_dialog(request, "identity/_access_key_status_dialog.html", {"key": key, "status": status})


@require_http_methods(["GET", "POST"])
@login_required
def key_delete(request: ConsoleRequest, key_id: str) -> HttpResponse:
    caller, key = _key(request, key_id)
    if request.method == "POST":
        read(lambda: access_keys.key_delete(caller=caller, key_id=key.pk))
        return dialog_done(request, gettext("Deleted access key %(pk)s.") % {"pk": key.pk}, events=("access-keys-changed",),
                           redirect_to=reverse(LIST))
    return render_dialog(request, "identity/_access_key_delete_dialog.html", {"key": key})
