"""An image's Sharing tab: its recipients and their status, with Add Tenant, Delete (one or all) and Change End."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from ims_console.backends import get_backend
from ims_console.backends.records import MemberRecord
from ims_console.core.errors import IMSError
from ims_console.identity.tenancy import caller_for
from ims_console.templatetags.ims import expiry_words
from ims_console.web.calls import read, write
from ims_console.web.dialogs import dialog_done, render_dialog, render_page
from ims_console.web.http import ConsoleRequest
from sharing import rules
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
        project_ids = without_refused(project_ids, request.POST.getlist("refused_id"))
    elif request.method == "POST":
        result, problems = add_members(caller, [image.id], project_ids, request.POST.get("expires_on", ""))
        if result:
            return dialog_done(
                request, shared_message(result), events=SHARE_EVENTS,
                redirect_to=reverse("sharing:image_sharing", args=[image.id]),
            )
    context = {
        "image": image, "problems": problems, "project_ids": project_ids, "refused_ids": refused_ids(problems),
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
                    message = gettext("The share of “%(name)s” with %(who)s ends by itself %(expiry_words)s.") % {"name": image.name, "who": who, "expiry_words": expiry_words(expires_at)}
                else:
                    message = gettext("The share of “%(name)s” with %(who)s lasts until you stop sharing.") % {"name": image.name, "who": who}
                if not changed:
                    message = gettext("Nothing changed: %(message)s") % {"message": message[0].lower() + message[1:]}
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
