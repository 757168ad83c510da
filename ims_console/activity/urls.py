"""The Activity pages and the background jobs region (names without a namespace: every template links them)."""

from __future__ import annotations

from django.urls import path

from ims_console.activity import views

urlpatterns = [
    path("activity/", views.activity_page, name="activity"),
    path("activity/export.csv", views.activity_csv, name="activity_csv"),
    path("activity/<str:job_id>/", views.activity_job, name="activity_job"),
    path("images/<str:image_id>/activity/", views.image_activity, name="image_activity"),
    path("jobs/running/", views.background_jobs, name="background_jobs"),
]
