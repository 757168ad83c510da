"""Sharing screens: the Share Image dialog (Shared Images and Stop Sharing tabs), an image's Sharing tab with
Add Tenant and Delete, and Images Shared with Me."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.http import Http404, HttpResponse, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from images.forms import ImageListForm, selected_image_ids
from ims_console.backend_calls import read, write
from ims_console.backends import get_backend
from ims_console.backends.protocol import Scope
from ims_console.backends.records import ImageRecord, MemberRecord, SharingResult, VaultRecord
from ims_console.caller import Caller
from ims_console.dialogs import dialog_done, dialog_params, render_dialog, render_page
from ims_console.http import ConsoleRequest
from ims_console.ids import parse_uuid
from ims_console.ims_errors import IMSError
from ims_console.templatetags.ims import expiry_words
from ims_console.tenancy import caller_for
from sharing import rules

SHARE_EVENTS = ("images-shared", "members-changed")


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def shared_message(result: SharingResult) -> str:
    if result.background:
        return (f"Sharing {plural(result.images, 'image')} with {plural(result.projects, 'project')} "
                f"({plural(result.changed, 'pair')}) in the background: its progress is shown above the list.")
    if result.changed == 0:
        already = "that pair was" if result.unchanged == 1 else f"all {result.unchanged} pairs were"
        message = f"Nothing new: {already} already shared"
    else:
        message = f"Shared {plural(result.images, 'image')} with {plural(result.projects, 'project')}"
        if result.unchanged:
            verb = "was" if result.unchanged == 1 else "were"
            message += f" ({plural(result.unchanged, 'pair')} {verb} already shared)"
    if result.duplicates:
        message += "; " + duplicates_note(result.duplicates)
    if result.expires_at:
        ends = "the shares end by themselves" if result.changed + result.unchanged > 1 else "the share ends by itself"
        message += f"; {ends} {expiry_words(result.expires_at)}"
    return message + "."



def stopped_message(result: SharingResult, *, image_name: str = "") -> str:
    if result.background:
        return (f"Stopping sharing in the background ({plural(result.changed, 'share')}): its progress is shown "
                "above the list.")
    if image_name:
        return f"Stopped sharing “{image_name}” with {plural(result.changed, 'project')}."
    return f"Stopped sharing: {plural(result.changed, 'share')} removed."


def duplicates_note(duplicates: list[str]) -> str:
    """`duplicates` holds every repeated entry as often as it was repeated."""
    times = Counter(duplicates)
    if len(times) == 1:
        (project_id, extra), = times.items()
        return f"{project_id} was entered {extra + 1} times and counted once"
    return f"{len(times)} project IDs were entered more than once and each counted once"


def add_members(
    caller: Caller, image_ids: list[str], text: str, expires_on: str = ""
) -> tuple[SharingResult | None, list[IMSError]]:
    """Share with the IDs typed in the Project ID box, until the end of the day typed in Share ends on (if any,
    in the user's time zone)."""
    try:
        expires_at = rules.share_expiry(expires_on, today=timezone.localdate(), tz=timezone.get_current_timezone())
    except IMSError as problem:
        return None, [problem]
    return write(lambda: get_backend().image_members_add(
        caller, image_ids, rules.split_project_ids(text), expires_at=expires_at
    ))


def expiry_context(expires_on: str) -> dict:
    """The Share ends on field: its value, the days it takes, and what it means."""
    today = timezone.localdate()
    return {
        "expires_on": expires_on,
        "expiry_range": (
            (today + timedelta(days=1)).isoformat(), (today + timedelta(days=rules.EXPIRY_MAX_DAYS)).isoformat()
        ),
        "expiry_hint": (
            f"The share ends by itself at the end of this day ({timezone.get_current_timezone_name()} time): the "
            "recipients lose the image then, and see the date until it comes. Leave it empty to share until you "
            "stop sharing; share again with another day to change it."
        ),
    }


def remove_members(caller: Caller, image_ids: list[str], project_ids: list[str]) -> tuple[SharingResult | None, list[IMSError]]:
    if not project_ids:
        return None, [IMSError.nothing_selected("Select at least one project to stop sharing with.", field="project_id")]
    return write(lambda: get_backend().image_members_remove(caller, image_ids, project_ids))


@require_http_methods(["GET", "POST"])
@login_required
def image_share(request: ConsoleRequest) -> HttpResponse:
    """The Share Image dialog, for one image (More > Share) or the ticked rows (Share above the list)."""
    caller = caller_for(request, write=True)
    params, submitted = dialog_params(request)
    image_ids, selection_problem = selected_image_ids(params)
    if selection_problem:
        return render_dialog(request, "sharing/_share_dialog.html", {"images": [], "selection_problem": selection_problem})
    # Stop Sharing is opened with open=stop; open=stop-all ticks every recipient shown (Select all).
    tab = "stop" if (params.get("open") or params.get("tab") or "").startswith("stop") else "share"
    problems: list[IMSError] = []
    project_ids = request.POST.get("project_ids", "")
    expires_on = request.POST.get("expires_on", "")
    # One-click fixes: drop the images that cannot be shared, or the IDs the last attempt refused; the dialog is
    # shown again with what is left, nothing is submitted.
    drop = request.POST.get("drop", "") if submitted and tab == "share" else ""
    if drop == "images":
        image_ids = [i.id for i in read(lambda: get_backend().images_get(caller, image_ids)) if not i.share_refusal]
    elif drop == "ids":
        project_ids = _without_refused(project_ids, request.POST.getlist("refused_id"))
    if submitted and tab == "share" and not drop:
        result, problems = add_members(caller, image_ids, project_ids, expires_on)
        if result:
            return dialog_done(request, shared_message(result), events=SHARE_EVENTS, redirect_to=reverse("images:private"))
    if submitted and tab == "stop":
        result, problems = remove_members(caller, image_ids, request.POST.getlist("project_id"))
        if result:
            return dialog_done(request, stopped_message(result), events=SHARE_EVENTS, redirect_to=reverse("images:private"))
    images = read(lambda: get_backend().images_get(caller, image_ids))
    context: dict[str, object] = {
        "images": images, "tab": tab, "problems": problems, "project_ids": project_ids,
        "unshareable": [i for i in images if i.share_refusal], "refused_ids": _refused_ids(problems),
        "shareable_count": sum(1 for i in images if not i.share_refusal), **expiry_context(expires_on),
    }
    if tab == "stop":
        context.update(stop_sharing_context(
            get_backend().image_members_list(caller, [i.id for i in images]), request.POST.getlist("project_id"),
            query=params.get("recipient_q", ""), select_all=params.get("open") == "stop-all",
        ))
    return render_dialog(request, "sharing/_share_dialog.html", context)


def stop_sharing_context(members: list[MemberRecord], checked_ids: list[str], *, query: str, select_all: bool) -> dict:
    """The Stop Sharing tab: the recipients (up to 256 an image), narrowed by a search on project ID, project or
    account name; those ticked, kept across searches; and the ones who have accepted, named, since they lose an
    image they use."""
    needle = query.strip().lower()
    shown = [m for m in members if not needle or needle in m.project_id or needle in m.project_name.lower()
             or needle in m.account_name.lower()]
    checked = set(checked_ids) | ({m.project_id for m in shown} if select_all else set())
    accepted: dict[str, MemberRecord] = {}
    for member in members:
        if member.status == "accepted":
            accepted.setdefault(member.project_id, member)
    shown_ids = {m.project_id for m in shown}
    return {
        "members": shown, "checked": checked, "recipient_q": query, "recipients_total": len({m.project_id for m in members}),
        "checked_hidden": sorted(checked - shown_ids), "accepted": list(accepted.values()),
        "accepted_checked": [m for m in accepted.values() if m.project_id in checked],
    }


def _refused_ids(problems: list[IMSError]) -> list[str]:
    """The typed IDs a refusal named (malformed, your own, not found): what "Remove the IDs" takes out."""
    return list(dict.fromkeys(p.item for p in problems if p.field == "project_ids" and p.item))


def _without_refused(text: str, refused_ids: list[str]) -> str:
    refused = set(refused_ids)
    return "\n".join(t for t in rules.split_project_ids(text) if t not in refused and t.lower() not in refused)


@require_GET
@login_required
def image_sharing(request: ConsoleRequest, image_id: str) -> HttpResponse:
    """An image's Sharing tab: its recipients and their status."""
    caller = caller_for(request)
    backend = get_backend()
    image = read(lambda: backend.image_get(caller, image_id))
    after, before = (_project_marker(request.GET.get(k, "")) for k in ("after", "before"))
    page = backend.image_members_page(caller, image.id, after=after, before="" if after else before)
    context = {
        "image": image, "page": page, "can_write": caller.can_write, "tab": "sharing",
        "tab_template": "sharing/_members.html",
        # A refreshed list of recipients brings the tab's count (outside it) along out of band.
        "refreshed": bool(request.htmx and request.htmx.target == "members"),
    }
    regions = {"members": "sharing/_members.html", "image-detail": "images/_image_detail.html"}
    return render_page(request, "images/image_detail.html", context, regions)


@require_http_methods(["GET", "POST"])
@login_required
def members_add(request: ConsoleRequest, image_id: str) -> HttpResponse:
    """Add Tenant: the same Project ID box and rules as the Share Image dialog, for this image."""
    caller = caller_for(request, write=True)
    image = read(lambda: get_backend().image_get(caller, image_id))
    problems: list[IMSError] = []
    project_ids = request.POST.get("project_ids", "")
    if request.method == "POST" and request.POST.get("drop") == "ids":
        project_ids = _without_refused(project_ids, request.POST.getlist("refused_id"))
    elif request.method == "POST":
        result, problems = add_members(caller, [image.id], project_ids, request.POST.get("expires_on", ""))
        if result:
            return dialog_done(
                request, shared_message(result), events=SHARE_EVENTS,
                redirect_to=reverse("sharing:image_sharing", args=[image.id]),
            )
    context = {
        "image": image, "problems": problems, "project_ids": project_ids, "refused_ids": _refused_ids(problems),
        **expiry_context(request.POST.get("expires_on", "")),
    }
    return render_dialog(request, "sharing/_add_tenant_dialog.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def members_delete(request: ConsoleRequest, image_id: str) -> HttpResponse:
    """Delete one recipient (project_id=...) or all of them (all=1) from the Sharing tab, after a confirmation."""
    caller = caller_for(request, write=True)
    image = read(lambda: get_backend().image_get(caller, image_id))
    params = request.POST if request.method == "POST" else request.GET
    members = get_backend().image_members_list(caller, [image.id])
    if params.get("all"):
        doomed = members
    else:
        wanted = set(params.getlist("project_id"))
        doomed = [m for m in members if m.project_id in wanted]
    problems: list[IMSError] = []
    if request.method == "POST":
        result, problems = remove_members(caller, [image.id], [m.project_id for m in doomed])
        if result:
            return dialog_done(
                request, stopped_message(result, image_name=image.name),
                events=SHARE_EVENTS, redirect_to=reverse("sharing:image_sharing", args=[image.id]),
            )
    context = {"image": image, "doomed": doomed, "all": bool(params.get("all")), "problems": problems}
    return render_dialog(request, "sharing/_members_delete_dialog.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def member_end(request: ConsoleRequest, image_id: str) -> HttpResponse:
    """Change End on the Sharing tab: set the day one share (project_id=...) ends by itself, or remove its end so
    that it lasts until the owner stops it. Only where the backend can end shares ("share_expiry")."""
    if "share_expiry" not in get_backend().capabilities:
        raise Http404("This cloud cannot end shares by themselves.")
    caller = caller_for(request, write=True)
    image = read(lambda: get_backend().image_get(caller, image_id))
    params = request.POST if request.method == "POST" else request.GET
    project_id = params.get("project_id", "").strip().lower()
    member = next((m for m in get_backend().image_members_list(caller, [image.id]) if m.project_id == project_id), None)
    expires_on = request.POST.get("expires_on", "") if request.method == "POST" else _end_day(member)
    problems: list[IMSError] = []
    if request.method == "POST" and member is not None:
        removing = bool(request.POST.get("remove"))
        try:
            expires_at = None if removing else rules.share_expiry(
                expires_on, today=timezone.localdate(), tz=timezone.get_current_timezone()
            )
        except IMSError as problem:
            problems = [problem]
        else:
            changed, problems = write(lambda: get_backend().image_member_end_set(caller, image.id, project_id, expires_at))
            if not problems:
                who = member.project_name or project_id
                if expires_at:
                    message = f"The share of “{image.name}” with {who} ends by itself {expiry_words(expires_at)}."
                else:
                    message = f"The share of “{image.name}” with {who} lasts until you stop sharing."
                if not changed:
                    message = "Nothing changed: " + message[0].lower() + message[1:]
                return dialog_done(request, message, events=SHARE_EVENTS,
                                   redirect_to=reverse("sharing:image_sharing", args=[image.id]))
    context = {"image": image, "member": member, "project_id": project_id, "problems": problems,
               **expiry_context(expires_on)}
    return render_dialog(request, "sharing/_member_end_dialog.html", context)


def _end_day(member: MemberRecord | None) -> str:
    """The day a share ends, as the date field takes it (in the user's time zone), or "" when it has no end."""
    if member is None or member.expires_at is None:
        return ""
    return (timezone.localtime(member.expires_at) - timedelta(microseconds=1)).date().isoformat()


def _project_marker(value: str) -> str:
    """A page marker from the URL: a project ID, or nothing (a malformed one means the first page)."""
    value = value.strip().lower()
    return value if rules.PROJECT_ID.fullmatch(value) else ""


SHARED_LIST_TITLES = {"accepted": "Images Shared with Me", "pending": "Pending Images", "rejected": "Rejected Images"}


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


STATUS_WORDS = {"accepted": ("Accept", "Accepted"), "rejected": ("Reject", "Rejected")}
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
        raise BadRequest(f"Status “{status[:40]}” is not one of accepted, rejected.")
    every_pending = bool(params.get("all"))
    # Accept All's summary is read only to show the dialog: a submission goes straight to the service.
    summary = backend.shares_pending_summary(caller, SHOWN_IN_DIALOG) if every_pending and not submitted else None
    image_ids: list[str] = []
    if every_pending:
        selection_problem = "" if summary is None or summary.count else "No image is waiting for you to accept it."
    else:
        image_ids, selection_problem = selected_image_ids(params)
    verb, done = STATUS_WORDS[status]
    context = {
        "status": status, "verb": verb, "all": every_pending, "selection_problem": selection_problem,
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
            message = f"{done} {plural(result.images, 'image')}."
            if every_pending:
                message = f"{done} the {plural(result.images, 'image')} that {'was' if result.images == 1 else 'were'} waiting for you."
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
    names = ", ".join(f"“{i.name}”" for i in full_ecs[:3]) + (f" and {len(full_ecs) - 3} more" if len(full_ecs) > 3 else "")
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
