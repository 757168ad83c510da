"""Reads for the images screens. Every function is scoped to one project: other projects' images do not exist."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, Expression, OuterRef, Q, QuerySet

from images.models import Image, Key, KeyGrant
from ims_console.backends.records import COUNT_LIMIT
from ims_console.core.ids import parse_uuid
from ims_console.core.keyset import keyset_page

# Columns other apps add to a project's images in the same query (sharing adds each image's number of recipients:
# ims_console.backends.embedded.backend composes the two).
Annotations = dict[str, Expression]


def _images_of(project_id: str, annotations: Annotations | None) -> QuerySet[Image]:
    return (
        Image.objects.filter(project_id=project_id)
        .select_related("key", "project__account")
        .annotate(**(annotations or {}))
    )


def images_get_for_project(*, project_id: str, image_ids: list[str], annotations: Annotations | None = None) -> list[Image]:
    return list(_images_of(project_id, annotations).filter(pk__in=image_ids).order_by("name", "id"))


@dataclass(frozen=True)
class ImageListPage:
    images: list[Image]
    total: int
    has_previous: bool
    has_next: bool
    # How many images come before this page (up to COUNT_LIMIT + 1), for "Page 2 of 5".
    position: int = 0


def image_list_private(*, project_id: str, annotations: Annotations | None = None, **query) -> ImageListPage:
    """The Private Images tab."""
    return image_page(_images_of(project_id, annotations), **query)


def image_page(
    images: QuerySet[Image],
    *,
    name: str = "",
    image_type: str = "",
    os_type: str = "",
    sort: str = "created_at",
    order: str = "desc",
    limit: int = 10,
    after: str = "",
    before: str = "",
    count: QuerySet | None = None,
    sort_fields: dict[str, str] | None = None,
    tiebreak: str = "id",
) -> ImageListPage:
    """One page of a list of images: filtered, sorted, keyset-paginated, in at most four queries (the count, the
    marker, where the page starts, the page).

    Keyset pagination (ims_console.core.keyset) compares (sort key, id) with the marker image's, looked up in the same
    list, so an image from elsewhere cannot serve as one.

    The total is counted up to COUNT_LIMIT + 1 rows only (a list says "more than 1,000" beyond), from `count`
    when the caller has a cheaper query for it (used when no filter applies). `sort_fields` maps a sort key to the
    field that sorts it in this list (the shared lists sort their time by the share's); `tiebreak` is the image ID
    as the sorting index holds it (the member row's own column, for the shared lists), so that rows with the same
    sort value (thousands shared in one submission) need no sort either.
    """
    filtered = bool(name or image_type or os_type)
    sort = (sort_fields or {}).get(sort, sort)
    if name:
        # A whole image ID finds that image (IMS's search takes a name or an ID); anything else is part of a name.
        image_id = parse_uuid(name.strip())
        images = images.filter(pk=image_id) if image_id else images.filter(name__icontains=name)
    if image_type:
        images = images.filter(image_type=image_type)
    if os_type:
        images = images.filter(os_type=os_type)
    counted = images.values("pk").order_by() if filtered or count is None else count
    total = counted[: COUNT_LIMIT + 1].count()

    marker_id = before or after
    marker = images.filter(pk=marker_id).values(sort, tiebreak).first() if marker_id else None
    page = keyset_page(
        images, sort=sort, tiebreak=tiebreak, ascending=order == "asc", marker=marker,
        backwards=bool(before) and marker is not None, limit=limit, count_limit=COUNT_LIMIT,
    )
    return ImageListPage(
        images=page.rows, total=total, has_previous=page.has_previous, has_next=page.has_next,
        position=page.position or 0,
    )


def key_usable_by(account_id: str):
    """A condition on images: unencrypted, or encrypted with an enabled key of `account_id` or granted to it (R7)."""
    granted = KeyGrant.objects.filter(key_id=OuterRef("key_id"), grantee_account_id=account_id)
    return Q(key__isnull=True) | (
        Q(key__state=Key.State.ENABLED) & (Q(key__project__account_id=account_id) | Exists(granted))
    )


def keys_of(*, project_id: str) -> list[Key]:
    """The KMS Keys page: ims/default first, then custom keys by alias."""
    return list(Key.objects.filter(project_id=project_id).order_by("-is_default", "alias"))
