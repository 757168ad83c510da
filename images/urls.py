from __future__ import annotations

from django.urls import path

from images import key_views, replicate_views, views

app_name = "images"
urlpatterns = [
    path("", views.private_images, name="private"),
    path("delete/", views.images_delete, name="delete"),
    path("keys/", key_views.keys_list, name="keys"),
    path("keys/create/", key_views.key_create, name="key_create"),
    path("keys/<str:key_id>/", key_views.key_detail, name="key_detail"),
    path("keys/<str:key_id>/state/", key_views.key_state, name="key_state"),
    path("keys/<str:key_id>/grants/create/", key_views.grant_create, name="grant_create"),
    path("keys/<str:key_id>/grants/revoke/", key_views.grant_revoke, name="grant_revoke"),
    path("<str:image_id>/", views.image_detail, name="detail"),
    path("<str:image_id>/modify/", views.image_modify, name="modify"),
    path("<str:image_id>/actions/", views.image_actions, name="actions"),
    path("<str:image_id>/replicate/", replicate_views.image_replicate, name="replicate"),
]
