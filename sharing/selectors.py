"""Reads for the sharing screens."""

from __future__ import annotations

from django.db.models import QuerySet

from sharing.models import ImageMember


def image_members_of_owner(*, owner_project_id: str, image_ids: list[str]) -> QuerySet[ImageMember]:
    """The recipients of some of a project's own images (Stop Sharing, the Sharing tab), in one query."""
    return (
        ImageMember.objects.filter(owner_project_id=owner_project_id, image_id__in=image_ids)
        .select_related("project__account", "image")
        .order_by("project__name", "project_id", "image__name")
    )
