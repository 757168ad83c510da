"""Images Shared with Me (the recipient's side of sharing)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ims_console.tenancy import caller_for


@require_GET
@login_required
def shared_with_me(request: HttpRequest) -> HttpResponse:
    caller_for(request)
    return render(request, "sharing/shared_with_me.html")
