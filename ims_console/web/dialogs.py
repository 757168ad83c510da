"""Dialogs: a fragment loaded into <dialog id="modal"> for htmx, a page of its own without JavaScript."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django_htmx.http import trigger_client_event

from ims_console.web.http import ConsoleRequest


def render_dialog(request: ConsoleRequest, template: str, context: dict) -> HttpResponse:
    if request.htmx:
        return render(request, template, context)
    return render(request, "dialog_page.html", {**context, "dialog_template": template})


def dialog_done(request: ConsoleRequest, message: str, *, events: tuple[str, ...], redirect_to: str) -> HttpResponse:
    """After a write: htmx closes the dialog, shows the message and fires the events that lists refresh on;
    without JavaScript, post/redirect/get with the message."""
    if request.htmx:
        response = render(request, "_dialog_done.html", {"notice": message})
        for event in events:
            trigger_client_event(response, event)
        # The explicit signal that closes the dialog, in the same step that puts its (empty) content and the notice in
        # place: after settling (20 ms later) the notice would show while the modal dialog still held the page inert,
        # and what was typed at once went nowhere.
        trigger_client_event(response, "dialog-done", after="swap")
        return response
    messages.success(request, message)
    return redirect(redirect_to)


def dialog_params(request: ConsoleRequest) -> tuple[QueryDict, bool]:
    """A dialog over ticked rows is opened by POST with open=1 (a hundred image IDs do not fit in a URL that
    every server accepts) or by GET for one row; it is submitted by POST without open. Returns the parameters
    and whether this request is the submission."""
    if request.method == "POST":
        return request.POST, not request.POST.get("open")
    return request.GET, False


def render_page(request: ConsoleRequest, template: str, context: dict, regions: dict[str, str]) -> HttpResponse:
    """A page, or one region of it. Every part of a page that refreshes itself (on an event, or when paged) is
    an element whose id names it and a template of its own; htmx asks for it with that id as HX-Target, and the
    view answers with the region's template alone (`regions`: id -> template). One refresh technique for every
    screen."""
    target = request.htmx.target if request.htmx else None
    return render(request, regions.get(target or "", template), context)
