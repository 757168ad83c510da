"""Signing in and out, the project switcher and My Credentials (names without a namespace: every template links
them)."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from ims_console.identity import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("project/switch/", views.project_switch, name="project_switch"),
    path("credentials/", views.my_credentials, name="my_credentials"),
]
