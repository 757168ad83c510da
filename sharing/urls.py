from __future__ import annotations

from django.urls import path

from sharing import views

app_name = "sharing"
urlpatterns = [
    path("", views.shared_with_me, name="shared_with_me"),
]
