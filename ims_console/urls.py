"""The console's URLs: each part's own, and the admin site (operators only)."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from ims_console.api import versions
from ims_console.api.site import api
from ims_console.web import health, language, metrics, views

urlpatterns = [
    path("", views.home, name="home"),
    path("", include("ims_console.identity.urls")),
    path("", include("ims_console.activity.urls")),
    path("images/", include("images.urls")),
    path("", include("sharing.urls")),
    path("language/", language.set_language, name="set_language"),
    # The JavaScript strings of console.js in the page's language (Django's catalog; the URL carries the language
    # so that browsers may cache each for a day).
    path("jsi18n/<str:lang>/", language.javascript_catalog, name="javascript_catalog"),
    # For load balancers and operators, without a login (ims_console/web/health.py).
    path("health/live/", health.live, name="health_live"),
    path("health/ready/", health.ready, name="health_ready"),
    path("metrics", metrics.metrics, name="metrics"),
    path("admin/", admin.site.urls),
    # Keystone v3 at /v3, Glance v2 at /v2, the OpenAPI description at /api/ (embedded mode; see ApiOnlyWhenEmbedded).
    path("v3", versions.identity, name="identity_version"),
    path("v2", versions.image, name="image_versions"),
    path("", api.urls),
]

handler400 = "ims_console.web.views.bad_request"
handler500 = "ims_console.web.views.server_error"
