"""Images Shared with Me (R1 to R7): the lists by share status, an image shared with the project, and Accept or
Reject (one, the ticked rows, or all pending), with the vault a full-ECS image goes to."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.http import HttpResponse, QueryDict
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from images.forms import ImageListForm, selected_image_ids
from ims_console.backends import get_backend
from ims_console.backends.protocol import Scope
from ims_console.backends.records import ImageRecord, VaultRecord
from ims_console.core import l10n
from ims_console.core.errors import IMSError
from ims_console.core.ids import parse_uuid
from ims_console.identity.tenancy import caller_for
from ims_console.web.calls import read, write
from ims_console.web.dialogs import dialog_done, dialog_params, render_dialog, render_page
from ims_console.web.http import ConsoleRequest
from sharing import rules
from sharing.submissions import images_count

SHARED_LIST_TITLES = {"accepted": _("Images Shared with Me"), "pending": _("Pending Images"), "rejected": _("Rejected Images")}


@require_GET
@login_required
def shared_images(request: ConsoleRequest, status: str) -> HttpResponse:
    """Images Shared with Me (accepted shares), the pending list, and Rejected Images (R1 to R3, R5)."""
    caller = caller_for(request)
    form = ImageListForm(request.GET)
    page = get_backend().image_list_shared_with_me(caller, status, form.query())
    context = {
        "page": page, "form": form, "status": status, "title": SHARED_LIST_TITLES[status],
        "can_write": caller.can_write, "project_id": caller.project_id, "list_id": "shared-list",
    }
    return render_page(request, "sharing/shared_with_me.html", context, {"shared-list": "sharing/_shared_list.html"})


SHARED_LIST_OF_STATUS = {"accepted": "sharing:shared_with_me", "pending": "sharing:shared_pending",
                         "rejected": "sharing:shared_rejected"}


@require_GET
@login_required
def shared_image(request: ConsoleRequest, image_id: str) -> HttpResponse:
    """An image shared with this project, whatever the share's status: every attribute, its owner, the share,
    and what the recipient may do with it (read-only; the owner's own page is images:detail)."""
    caller = caller_for(request)
    image = read(lambda: get_backend().image_get(caller, image_id, scope=Scope.SHARED))
    context = {
        "image": image, "can_write": caller.can_write, "list_url": reverse(SHARED_LIST_OF_STATUS[image.share_status]),
        "list_title": SHARED_LIST_TITLES[image.share_status],
    }
    return render_page(request, "sharing/shared_image.html", context, {"shared-image": "sharing/_shared_image.html"})


STATUS_WORDS = ("accepted", "rejected")
SHOWN_IN_DIALOG = 20


@require_http_methods(["GET", "POST"])
@login_required
def member_status(request: ConsoleRequest) -> HttpResponse:
    """Accept or Reject images shared with this project: the ticked rows, one row, or all pending (all=1).
    Accepting a full-ECS image asks for a server-backup vault (R4)."""
    caller = caller_for(request, write=True)
    backend = get_backend()
    params, submitted = dialog_params(request)
    status = params.get("status", "")
    if status not in STATUS_WORDS:
        raise BadRequest(gettext("Status “%(status)s” is not one of accepted, rejected.") % {"status": status[:40]})
    every_pending = bool(params.get("all"))
    # Accept All's summary is read only to show the dialog: a submission goes straight to the service.
    summary = backend.shares_pending_summary(caller, SHOWN_IN_DIALOG) if every_pending and not submitted else None
    image_ids: list[str] = []
    if every_pending:
        selection_problem = "" if summary is None or summary.count else gettext("No image is waiting for you to accept it.")
    else:
        image_ids, selection_problem = selected_image_ids(params)
    context = {
        "status": status, "all": every_pending, "selection_problem": selection_problem,
        "came_from": params.get("from", ""),
    }
    if selection_problem:
        return render_dialog(request, "sharing/_member_status_dialog.html", context)
    problems: list[IMSError] = []
    if submitted:
        result, problems = write(lambda: backend.image_member_status_update(
            caller, image_ids, status, params.get("vault_id", ""), all_pending=every_pending
        ))
        if result:
            if every_pending and status == "accepted":
                message = ngettext("Accepted the image that was waiting for you.",
                                   "Accepted the %(count)s images that were waiting for you.", result.images)
                message %= {"count": l10n.number(result.images)}
            elif every_pending:
                message = ngettext("Rejected the image that was waiting for you.",
                                   "Rejected the %(count)s images that were waiting for you.", result.images)
                message %= {"count": l10n.number(result.images)}
            elif status == "accepted":
                message = gettext("Accepted %(images)s.") % {"images": images_count(result.images)}
            else:
                message = gettext("Rejected %(images)s.") % {"images": images_count(result.images)}
            return dialog_done(request, message, events=("shares-changed",), redirect_to=_back_to(params))
    if every_pending:
        # Accept All shows a count, the first rows and the full-ECS images that ask for a vault: never every share.
        summary = summary or backend.shares_pending_summary(caller, SHOWN_IN_DIALOG)
        images, total, needs_vault = summary.first, summary.count, summary.full_ecs
    else:
        images = read(lambda: backend.images_get(caller, image_ids, scope=Scope.SHARED))
        total = len(images)
        needs_vault = [i for i in images if i.accept_needs_vault and i.share_status != "accepted"]
    needs_vault = needs_vault if status == "accepted" else []
    vaults = vault_choices(backend.vaults_list(caller), needs_vault) if needs_vault else []
    vault_id = params.get("vault_id", "")
    fit = [v for v in vaults if not v.refusal]
    if not vault_id and len(fit) == 1:
        vault_id = fit[0].vault.id  # the only vault that fits is chosen for the user
    context.update(
        images=images, shown=images[:SHOWN_IN_DIALOG], total=total, more=total - len(images[:SHOWN_IN_DIALOG]),
        problems=problems, needs_vault=needs_vault, vaults=vaults, any_fit=bool(fit),
        needed_gb=sum(rules.backup_gb(i.size) for i in needs_vault), vault_id=vault_id, back=_back_to(params),
    )
    return render_dialog(request, "sharing/_member_status_dialog.html", context)


@dataclass(frozen=True)
class VaultChoice:
    vault: VaultRecord
    refusal: str  # why it cannot take these backups (R4), or "" if it can


def vault_choices(vaults: list[VaultRecord], full_ecs: list[ImageRecord]) -> list[VaultChoice]:
    """Every vault of the project, each with the reason it cannot take the backups of these full-ECS images: the
    dialog offers the fit ones and shows the others disabled with their reason, before anything is submitted."""
    needed = sum(rules.backup_gb(i.size) for i in full_ecs)
    names = ", ".join(f"“{i.name}”" for i in full_ecs[:3])
    if len(full_ecs) > 3:
        names += " " + gettext("and %(count)s more") % {"count": l10n.number(len(full_ecs) - 3)}
    choices = []
    for vault in vaults:
        problem = rules.vault_refusal(
            vault_id=vault.id, vault_name=vault.name, protection_type=vault.protection_type,
            resource_type=vault.resource_type, free_gb=vault.free_gb, needed_gb=needed, images=names,
        )
        choices.append(VaultChoice(vault, problem.message if problem else ""))
    return sorted(choices, key=lambda c: (bool(c.refusal), c.vault.name))


def _back_to(params: QueryDict) -> str:
    """Where a recipient goes after accepting or rejecting without JavaScript: the list or image page they came
    from."""
    image_ids = params.getlist("image_id")
    image_id = parse_uuid(image_ids[0]) if params.get("from") == "image" and len(image_ids) == 1 else None
    if image_id:
        return reverse("sharing:shared_image", args=[str(image_id)])
    names = {"pending": "sharing:shared_pending", "rejected": "sharing:shared_rejected"}
    return reverse(names.get(params.get("from", ""), "sharing:shared_with_me"))
