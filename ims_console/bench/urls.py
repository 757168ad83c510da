"""The bare page `make bench` compares the console with: login required, a base template, database sessions."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path


@login_required
def reference(request: HttpRequest) -> HttpResponse:
    return render(request, "bench/reference.html", {})


# The login page a request without a session is sent to (the bench's start-up probe is one).
urlpatterns = [path("bench/reference/", reference), path("login/", LoginView.as_view(), name="login")]
