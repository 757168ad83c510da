"""The console's URLs: each part's own, and the admin site (operators only)."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from ims_console.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("", include("ims_console.identity.urls")),
    path("", include("ims_console.activity.urls")),
    path("images/", include("images.urls")),
    path("", include("sharing.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "ims_console.web.views.bad_request"
