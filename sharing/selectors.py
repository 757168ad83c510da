"""Reads for the sharing screens."""

from __future__ import annotations

from typing import Any

from django.db.models import BooleanField, Case, Count, Expression, F, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from images.models import Image
from images.selectors import ImageListPage, image_page, key_usable_by
from ims_console.backends.records import COUNT_LIMIT
from ims_console.core.keyset import keyset_page
from ims_console.core.vocabulary import ImageType
from sharing.models import ImageMember, Vault


def _shared_with(project_id: str, account_id: str, status: str = "") -> QuerySet[Image, Any]:
    """Images shared with a project (in one status, if given), each joined once to that project's own member row,
    and marked usable or not by the project's account (an encrypted image whose key grant was revoked is not: R7).
    The annotations come after the filter, so they read the same joined row."""
    mine = {"members__project_id": project_id, **({"members__status": status} if status else {})}
    return (
        Image.objects.filter(**mine)
        .select_related("key__project", "project__account")
        .annotate(
            share_status=F("members__status"), shared_at=F("members__created_at"),
            share_updated_at=F("members__updated_at"), shared_image=F("members__image_id"),
            share_expires_at=F("members__expires_at"),
            key_usable=Case(When(key_usable_by(account_id), then=Value(True)), default=Value(False), output_field=BooleanField()),
        )
    )


def member_count() -> Expression:
    """Each image's number of recipients, as a column of a query on images (the owner's lists and dialogs)."""
    recipients = (
        ImageMember.objects.filter(image=OuterRef("pk")).order_by().values("image").annotate(n=Count("pk")).values("n")
    )
    return Coalesce(Subquery(recipients), 0)


def _member_range(project_id: str, status: str) -> QuerySet:
    """A project's shares in one status as the (project, status, time, image) index holds them, for bounded
    counts: selecting image_id in the index's order lets the database answer from the index alone, and tells
    PostgreSQL's planner that this range, not a scan of the table, is the way to the first rows."""
    return (
        ImageMember.objects.filter(project_id=project_id, status=status)
        .order_by("-created_at", "-image_id").values("image_id")
    )


def image_list_shared_with_me(*, project_id: str, account_id: str, status: str, **query) -> ImageListPage:
    """Images Shared with Me (accepted), its pending list, and Rejected Images. Their time order is the share's
    (newest first by default), which the member index serves directly; the count is of member rows alone."""
    return image_page(
        _shared_with(project_id, account_id, status), **query,
        count=_member_range(project_id, status),
        sort_fields={"created_at": "shared_at"}, tiebreak="shared_image",
    )


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
    # Newest shares first, read from the member index: sorting every pending share by name would cost as much as
    # there are shares.
    # (The type checker cannot see _shared_with's annotations, hence the ignore.)
    pending = _shared_with(project_id, account_id, ImageMember.Status.PENDING).order_by(  # type: ignore[misc]
        "-shared_at", "-shared_image"
    )
    full_ecs = list(pending.filter(image_type=ImageType.FULL_ECS)[:FULL_ECS_SHOWN])
    # An exact count here (one index range, a millisecond for 10,000): the dialog says how many it will accept.
    count = ImageMember.objects.filter(project_id=project_id, status=ImageMember.Status.PENDING).count()
    return count, list(pending[:limit]), full_ecs


def shares_pending_count(*, project_id: str) -> int:
    """Counted up to COUNT_LIMIT + 1 (the red dot is on every page: it must not cost more with more shares)."""
    return _member_range(project_id, ImageMember.Status.PENDING)[: COUNT_LIMIT + 1].count()


def vaults_of(*, project_id: str) -> list[Vault]:
    return list(Vault.objects.filter(project_id=project_id))


def image_members_page(
    *, owner_project_id: str, image_id: str, after: str, before: str, limit: int
) -> tuple[list[ImageMember], int, bool, bool]:
    """The Sharing tab: one image's recipients by project name (then ID), a page at a time. A marker is a
    recipient's project ID; one that is no longer a recipient means the first page."""
    members = ImageMember.objects.filter(owner_project_id=owner_project_id, image_id=image_id)
    total = members.count()  # at most 256 (S7)
    marker_id = before or after
    marker = members.filter(project_id=marker_id).values("project__name", "project_id").first() if marker_id else None
    page = keyset_page(
        members.select_related("project__account", "image"), sort="project__name", tiebreak="project_id",
        ascending=True, marker=marker, backwards=bool(before) and marker is not None, limit=limit,
    )
    return page.rows, total, page.has_previous, page.has_next


def image_members_of_owner(*, owner_project_id: str, image_ids: list[str]) -> QuerySet[ImageMember]:
    """The recipients of some of a project's own images (Stop Sharing, the Sharing tab), in one query."""
    return (
        ImageMember.objects.filter(owner_project_id=owner_project_id, image_id__in=image_ids)
        .select_related("project__account", "image")
        .order_by("project__name", "project_id", "image__name")
    )
