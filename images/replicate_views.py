"""Replicate Image: a copy in this project's private images, of an own image or an accepted shared one (R6)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from images.forms import ImageModifyForm
from ims_console.backends import get_backend
from ims_console.backends.protocol import Scope
from ims_console.core.errors import IMSError
from ims_console.identity.tenancy import caller_for
from ims_console.web.calls import read, write
from ims_console.web.dialogs import dialog_done, render_dialog
from ims_console.web.http import ConsoleRequest


@require_http_methods(["GET", "POST"])
@login_required
def image_replicate(request: ConsoleRequest, image_id: str) -> HttpResponse:
    """Replicate Image: a copy in this project's private images, of an own image or an accepted shared one (R6)."""
    caller = caller_for(request, write=True)
    backend = get_backend()
    source = read(lambda: backend.image_get(caller, image_id, scope=Scope.VISIBLE))
    keys = [k for k in backend.keys_list(caller) if k.encrypts_replicas]
    form = ImageModifyForm(
        request.POST or None, initial={"name": f"copy_{source.name}"[:128], "description": source.description}
    )
    problems: list[IMSError] = []
    key_id = request.POST.get("key_id", "")
    if request.method == "POST" and form.is_valid():
        copy, problems = write(lambda: backend.image_replicate(caller, source.id, key_id=key_id, **form.cleaned_data))
        if copy:
            return dialog_done(
                request, gettext("Replicated “%(name)s” as “%(name2)s” in this project's private images.") % {"name": source.name, "name2": copy.name},
                events=("images-changed",), redirect_to=reverse("images:detail", args=[copy.id]),
            )
    context = {
        "source": source, "form": form, "keys": keys, "key_id": key_id, "problems": problems,
        "key_required": source.replica_needs_key,
    }
    return render_dialog(request, "images/_replicate_dialog.html", context)
