from __future__ import annotations

from django.urls import path

from images import views

app_name = "images"
urlpatterns = [
    path("", views.private_images, name="private"),
    path("delete/", views.images_delete, name="delete"),
    path("<str:image_id>/", views.image_detail, name="detail"),
    path("<str:image_id>/modify/", views.image_modify, name="modify"),
]
