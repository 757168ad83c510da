from __future__ import annotations

from django.urls import path

from sharing import views

app_name = "sharing"
urlpatterns = [
    path("shared/", views.shared_images, {"status": "accepted"}, name="shared_with_me"),
    path("shared/pending/", views.shared_images, {"status": "pending"}, name="shared_pending"),
    path("shared/rejected/", views.shared_images, {"status": "rejected"}, name="shared_rejected"),
    path("shared/status/", views.member_status, name="member_status"),
    path("shared/images/<str:image_id>/", views.shared_image, name="shared_image"),
    path("sharing/share/", views.image_share, name="share"),
    path("images/<str:image_id>/sharing/", views.image_sharing, name="image_sharing"),
    path("images/<str:image_id>/sharing/add/", views.members_add, name="members_add"),
    path("images/<str:image_id>/sharing/delete/", views.members_delete, name="members_delete"),
    path("images/<str:image_id>/sharing/end/", views.member_end, name="member_end"),
]
