"""The bare page `make bench` compares the console with: login required, a base template, database sessions."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path


@login_required
def reference(request: HttpRequest) -> HttpResponse:
    return render(request, "bench/reference.html", {})


urlpatterns = [path("bench/reference/", reference)]
