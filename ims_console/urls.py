from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from ims_console import activity_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("project/switch/", views.project_switch, name="project_switch"),
    path("credentials/", views.my_credentials, name="my_credentials"),
    path("jobs/running/", views.background_jobs, name="background_jobs"),
    path("activity/", activity_views.activity_page, name="activity"),
    path("activity/export.csv", activity_views.activity_csv, name="activity_csv"),
    path("activity/<str:job_id>/", activity_views.activity_job, name="activity_job"),
    path("images/<str:image_id>/activity/", activity_views.image_activity, name="image_activity"),
    path("images/", include("images.urls")),
    path("", include("sharing.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "ims_console.views.bad_request"
