"""Signing in and out, the project switcher and My Credentials (names without a namespace: every template links
them)."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from ims_console.identity import access_key_views, views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("project/switch/", views.project_switch, name="project_switch"),
    path("credentials/", views.my_credentials, name="my_credentials"),
    path("credentials/access-keys/", access_key_views.keys_list, name="access_keys"),
    path("credentials/access-keys/create/", access_key_views.key_create, name="access_key_create"),
    path("credentials/access-keys/<str:key_id>/status/", access_key_views.key_status, name="access_key_status"),
    path("credentials/access-keys/<str:key_id>/delete/", access_key_views.key_delete, name="access_key_delete"),
]
