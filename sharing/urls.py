from __future__ import annotations

from django.urls import path

from sharing import shared_views, tab_views, views

app_name = "sharing"
urlpatterns = [
    path("shared/", shared_views.shared_images, {"status": "accepted"}, name="shared_with_me"),
    path("shared/pending/", shared_views.shared_images, {"status": "pending"}, name="shared_pending"),
    path("shared/rejected/", shared_views.shared_images, {"status": "rejected"}, name="shared_rejected"),
    path("shared/status/", shared_views.member_status, name="member_status"),
    path("shared/images/<str:image_id>/", shared_views.shared_image, name="shared_image"),
    path("sharing/share/", views.image_share, name="share"),
    path("images/<str:image_id>/sharing/", tab_views.image_sharing, name="image_sharing"),
    path("images/<str:image_id>/sharing/add/", tab_views.members_add, name="members_add"),
    path("images/<str:image_id>/sharing/delete/", tab_views.members_delete, name="members_delete"),
    path("images/<str:image_id>/sharing/end/", tab_views.member_end, name="member_end"),
]
