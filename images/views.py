"""Private Images: the list, an image's details, Modify and Delete."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event

from images.forms import ImageListForm, ImageModifyForm, selected_image_ids
from ims_console.backends import get_backend
from ims_console.backends.records import MemberRecord
from ims_console.core.errors import CHANGES_REMAIN, IMSError
from ims_console.identity.tenancy import caller_for
from ims_console.web.calls import read, write
from ims_console.web.dialogs import dialog_done, dialog_params, render_dialog, render_page
from ims_console.web.http import ConsoleRequest


@require_GET
@login_required
def private_images(request: ConsoleRequest) -> HttpResponse:
    caller = caller_for(request)
    form = ImageListForm(request.GET)
    page = get_backend().image_list_private(caller, form.query())
    context = {"page": page, "form": form, "can_write": caller.can_write, "list_id": "image-list"}
    return render_page(request, "images/private_images.html", context, {"image-list": "images/_image_list.html"})


@require_GET
@login_required
def image_detail(request: ConsoleRequest, image_id: str) -> HttpResponse:
    caller = caller_for(request)
    image = read(lambda: get_backend().image_get(caller, image_id))
    context = {"image": image, "can_write": caller.can_write, "tab_template": "images/_image_attributes.html"}
    return render_page(request, "images/image_detail.html", context, {"image-detail": "images/_image_detail.html"})


@require_GET
@login_required
def image_actions(request: ConsoleRequest, image_id: str) -> HttpResponse:
    """A row's More menu, loaded when it is opened (so that a list page carries none of them), or without
    JavaScript a page listing the same actions with the reasons some are not available."""
    caller = caller_for(request)
    image = read(lambda: get_backend().image_get(caller, image_id))
    context = {"image": image, "can_write": caller.can_write}
    if request.htmx:
        # The menu takes the place of the row's placeholder (aria-controls of the button that asked for it).
        menu_id = request.htmx.target or f"menu-{image.id}"
        button_id = request.htmx.trigger or ""
        return render(request, "images/_more_menu.html", {**context, "as_menu": True, "menu_id": menu_id, "button_id": button_id})
    return render(request, "dialog_page.html", {**context, "dialog_template": "images/_more_menu.html"})


@require_http_methods(["GET", "POST"])
@login_required
def image_modify(request: ConsoleRequest, image_id: str) -> HttpResponse:
    caller = caller_for(request, write=True)
    backend = get_backend()
    image = read(lambda: backend.image_get(caller, image_id))
    form = ImageModifyForm(request.POST or None, initial={"name": image.name, "description": image.description})
    problems: list[IMSError] = []
    if request.method == "POST" and form.is_valid():
        modified, problems = write(lambda: backend.image_update(caller, image.id, **form.cleaned_data))
        if modified:
            return dialog_done(
                request, gettext("Image “%(name)s” was modified.") % {"name": modified.name}, events=("images-changed",),
                redirect_to=reverse("images:detail", args=[modified.id]),
            )
    return render_dialog(request, "images/_modify_dialog.html", {"image": image, "form": form, "problems": problems})


# The Delete confirmation names this many recipients that lose the images, then counts the rest.
RECIPIENTS_NAMED = 20


@require_http_methods(["GET", "POST"])
@login_required
def images_delete(request: ConsoleRequest) -> HttpResponse:
    """Delete one image (row More > Delete) or the ticked rows (Delete above the list), after one confirmation."""
    caller = caller_for(request, write=True)
    backend = get_backend()
    params, submitted = dialog_params(request)
    ids, problem = selected_image_ids(params)
    if problem:
        return render_dialog(request, "images/_delete_dialog.html", {"images": [], "problem": problem})
    images = read(lambda: backend.images_get(caller, ids))
    problems: list[IMSError] = []
    if submitted:
        _, problems = write(lambda: backend.images_delete(caller, ids))
    # The cloud deleted some and refused the others (OpenStack mode): the dialog keeps those still there, each with
    # its refusal, and the list behind it drops the deleted ones.
    partly = any(p.code in CHANGES_REMAIN for p in problems)
    if partly:
        images = [i for i in images if i.id in {p.item for p in problems}]
    if not submitted or problems:
        shared = [i for i in images if i.member_count]
        # The confirmation names who loses the images: each recipient project once, those who accepted first.
        members = backend.image_members_list(caller, [i.id for i in shared]) if shared else []
        recipients: dict[str, MemberRecord] = {}
        for member in sorted(members, key=lambda m: (m.status != "accepted", m.project_name)):
            recipients.setdefault(member.project_id, member)
        losing = list(recipients.values())
        response = render_dialog(
            request,
            "images/_delete_dialog.html",
            {"images": images, "shared_count": len(shared), "recipients_losing": sum(i.member_count for i in shared),
             "losing": losing[:RECIPIENTS_NAMED], "losing_more": max(0, len(losing) - RECIPIENTS_NAMED),
             "problems": problems},
        )
        if partly:
            trigger_client_event(response, "images-changed")
        return response
    names = ", ".join(f"“{i.name}”" for i in images)
    message = gettext("Deleted image %(names)s.") % {"names": names} if len(images) == 1 else gettext("Deleted %(count)s images: %(names)s.") % {"count": len(images), "names": names}
    if request.htmx and params.get("from") == "detail":
        messages.success(request, message)
        return HttpResponseClientRedirect(reverse("images:private"))
    return dialog_done(request, message, events=("images-changed",), redirect_to=reverse("images:private"))
