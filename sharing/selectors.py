"""Reads for the sharing screens."""

from __future__ import annotations

from django.db.models import BooleanField, Case, F, FilteredRelation, Q, QuerySet, Value, When

from ims_console.backends.base import ImageType
from images.models import Image
from images.selectors import ImageListPage, image_page, key_usable_by
from sharing.models import ImageMember, Vault


def _shared_with(project_id: str, account_id: str) -> QuerySet[Image]:
    """Images shared with a project, each joined to that project's own member row only, and marked usable or not
    by the project's account (an encrypted image whose key grant was revoked is not: R7)."""
    return (
        Image.objects.annotate(mine=FilteredRelation("members", condition=Q(members__project_id=project_id)))
        .filter(mine__isnull=False)
        .select_related("key__project", "project__account")
        .annotate(
            share_status=F("mine__status"), shared_at=F("mine__created_at"), share_updated_at=F("mine__updated_at"),
            key_usable=Case(When(key_usable_by(account_id), then=Value(True)), default=Value(False), output_field=BooleanField()),
        )
    )


def image_list_shared_with_me(*, project_id: str, account_id: str, status: str, **query) -> ImageListPage:
    """Images Shared with Me (accepted), its pending list, and Rejected Images."""
    return image_page(_shared_with(project_id, account_id).filter(mine__status=status), **query)


def shared_images_get(*, project_id: str, account_id: str, image_ids: list[str]) -> list[Image]:
    return list(_shared_with(project_id, account_id).filter(pk__in=image_ids).order_by("name", "id"))


def grant_dependents(*, key_id: str, account_id: str) -> QuerySet[ImageMember]:
    """Accepted shares of images encrypted with a key, held by projects of one account: what revoking loses."""
    return (
        ImageMember.objects.filter(image__key_id=key_id, project__account_id=account_id, status=ImageMember.Status.ACCEPTED)
        .select_related("project__account", "image")
        .order_by("project__name", "image__name")
    )


# At most this many full-ECS images are listed in Accept All's vault question; the service checks them all.
FULL_ECS_SHOWN = 50


def shares_pending_summary(*, project_id: str, account_id: str, limit: int) -> tuple[int, list[Image], list[Image]]:
    """Accept All's dialog in three queries whatever the number of pending shares: the count, the first `limit`
    images, and the full-ECS ones (which ask for a vault)."""
    pending = _shared_with(project_id, account_id).filter(mine__status=ImageMember.Status.PENDING).order_by("name", "id")
    full_ecs = list(pending.filter(image_type=ImageType.FULL_ECS)[:FULL_ECS_SHOWN])
    return shares_pending_count(project_id=project_id), list(pending[:limit]), full_ecs


def shares_pending_count(*, project_id: str) -> int:
    return ImageMember.objects.filter(project_id=project_id, status=ImageMember.Status.PENDING).count()


def vaults_of(*, project_id: str) -> list[Vault]:
    return list(Vault.objects.filter(project_id=project_id))


def image_members_of_owner(*, owner_project_id: str, image_ids: list[str]) -> QuerySet[ImageMember]:
    """The recipients of some of a project's own images (Stop Sharing, the Sharing tab), in one query."""
    return (
        ImageMember.objects.filter(owner_project_id=owner_project_id, image_id__in=image_ids)
        .select_related("project__account", "image")
        .order_by("project__name", "project_id", "image__name")
    )
