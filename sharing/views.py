"""The Share Image dialog: its Shared Images tab (share with project IDs) and its Stop Sharing tab, for one image
(More > Share) or the ticked rows (Share above the list)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from images.forms import selected_image_ids
from ims_console.backends import get_backend
from ims_console.backends.records import MemberRecord
from ims_console.core.errors import IMSError
from ims_console.identity.tenancy import caller_for
from ims_console.web.calls import read
from ims_console.web.dialogs import dialog_done, dialog_params, render_dialog
from ims_console.web.http import ConsoleRequest
from sharing.submissions import (
    SHARE_EVENTS,
    add_members,
    expiry_context,
    refused_ids,
    remove_members,
    shared_message,
    stopped_message,
    without_refused,
)


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
        project_ids = without_refused(project_ids, request.POST.getlist("refused_id"))
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
        "unshareable": [i for i in images if i.share_refusal], "refused_ids": refused_ids(problems),
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
