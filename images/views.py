"""Private Images: the list, an image's details, Modify and Delete."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from ims_console.backends import get_backend
from ims_console.backends.base import IMSError
from ims_console.dialogs import dialog_done, dialog_params, render_dialog
from ims_console.errors import fetch, http_error
from ims_console.tenancy import caller_for
from images.forms import ImageListForm, ImageModifyForm, selected_image_ids


@require_GET
@login_required
def private_images(request: HttpRequest) -> HttpResponse:
    caller = caller_for(request)
    form = ImageListForm(request.GET)
    page = get_backend().image_list_private(caller, form.query())
    context = {"page": page, "form": form, "can_write": caller.can_write}
    if request.htmx and request.htmx.target == "image-list":
        return render(request, "images/_image_list.html", context)
    return render(request, "images/private_images.html", context)


@require_GET
@login_required
def image_detail(request: HttpRequest, image_id: str) -> HttpResponse:
    caller = caller_for(request)
    image = fetch(lambda: get_backend().image_get(caller, image_id))
    return render(request, "images/image_detail.html", {"image": image, "can_write": caller.can_write})


@require_GET
@login_required
def image_actions(request: HttpRequest, image_id: str) -> HttpResponse:
    """A row's More menu, loaded when it is opened (so that a list page carries none of them), or without
    JavaScript a page listing the same actions with the reasons some are not available."""
    caller = caller_for(request)
    image = fetch(lambda: get_backend().image_get(caller, image_id))
    context = {"image": image, "can_write": caller.can_write}
    if request.htmx:
        # The menu takes the place of the row's placeholder (aria-controls of the button that asked for it).
        menu_id = request.htmx.target or f"menu-{image.id}"
        button_id = request.htmx.trigger or ""
        return render(request, "images/_more_menu.html", {**context, "as_menu": True, "menu_id": menu_id, "button_id": button_id})
    return render(request, "dialog_page.html", {**context, "dialog_template": "images/_more_menu.html"})


@require_http_methods(["GET", "POST"])
@login_required
def image_modify(request: HttpRequest, image_id: str) -> HttpResponse:
    caller = caller_for(request, write=True)
    backend = get_backend()
    try:
        image = backend.image_get(caller, image_id)
        form = ImageModifyForm(request.POST or None, initial={"name": image.name, "description": image.description})
        if request.method == "POST" and form.is_valid():
            image = backend.image_update(caller, image.id, **form.cleaned_data)
            return dialog_done(
                request, f"Image “{image.name}” was modified.", events=("images-changed",),
                redirect_to=reverse("images:detail", args=[image.id]),
            )
    except IMSError as error:
        raise http_error(error) from error
    return render_dialog(request, "images/_modify_dialog.html", {"image": image, "form": form})


@require_http_methods(["GET", "POST"])
@login_required
def images_delete(request: HttpRequest) -> HttpResponse:
    """Delete one image (row More > Delete) or the ticked rows (Delete above the list), after one confirmation."""
    caller = caller_for(request, write=True)
    backend = get_backend()
    params, submitted = dialog_params(request)
    ids, problem = selected_image_ids(params)
    if problem:
        return render_dialog(request, "images/_delete_dialog.html", {"images": [], "problem": problem})
    try:
        images = backend.images_get(caller, ids)
        if submitted:
            backend.images_delete(caller, ids)
    except IMSError as error:
        raise http_error(error) from error
    if not submitted:
        shared = [i for i in images if i.member_count]
        return render_dialog(
            request,
            "images/_delete_dialog.html",
            {"images": images, "shared_count": len(shared), "recipients_losing": sum(i.member_count for i in shared)},
        )
    names = ", ".join(f"“{i.name}”" for i in images)
    message = f"Deleted image {names}." if len(images) == 1 else f"Deleted {len(images)} images: {names}."
    if request.htmx and params.get("from") == "detail":
        messages.success(request, message)
        return HttpResponseClientRedirect(reverse("images:private"))
    return dialog_done(request, message, events=("images-changed",), redirect_to=reverse("images:private"))
