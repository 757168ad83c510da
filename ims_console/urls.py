"""The console's URLs: each part's own, and the admin site (operators only)."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from ims_console.api import versions
from ims_console.api.site import api
from ims_console.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("", include("ims_console.identity.urls")),
    path("", include("ims_console.activity.urls")),
    path("images/", include("images.urls")),
    path("", include("sharing.urls")),
    path("admin/", admin.site.urls),
    # Keystone v3 at /v3, Glance v2 at /v2, the OpenAPI description at /api/ (embedded mode; see ApiOnlyWhenEmbedded).
    path("v3", versions.identity, name="identity_version"),
    path("v2", versions.image, name="image_versions"),
    path("", api.urls),
]

handler400 = "ims_console.web.views.bad_request"
