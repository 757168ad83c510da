"""The images a project sees through the image API (Glance v2's rules): its own, public ones, and those shared with
it (by default only once accepted), filtered, sorted and keyset-paged as Glance's `GET /v2/images` is."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from images.models import Image
from sharing.models import ImageMember

SORT_KEYS = ("created_at", "updated_at", "name", "id", "size", "status", "min_disk", "disk_format", "visibility")


@dataclass(frozen=True)
class Filters:
    visibility: str = ""  # "", private, shared, public, all
    member_status: str = "accepted"  # pending, accepted, rejected, all (with visibility shared)
    owner: str = ""
    name: str = ""
    status: str = ""
    ids: list[str] = field(default_factory=list)
    os_type: str = ""
    image_type: str = ""


def annotated(project_id: str) -> QuerySet[Image]:
    """Every image with what the API tells of it for this project: whether it has members, and this project's
    member status where it is one."""
    mine = ImageMember.objects.filter(image=OuterRef("pk"), project_id=project_id)
    return Image.objects.annotate(
        has_members=Exists(ImageMember.objects.filter(image=OuterRef("pk"))),
        member_status=Subquery(mine.values("status")[:1]),
    )


def visible(project_id: str, filters: Filters) -> QuerySet[Image]:
    own = Q(project_id=project_id)
    public = Q(visibility="public")
    member = ImageMember.objects.filter(image=OuterRef("pk"), project_id=project_id)
    if filters.member_status != "all":
        member = member.filter(status=filters.member_status or "accepted")
    shared_with_me = Exists(member)
    images = annotated(project_id)
    if filters.visibility == "private":
        images = images.filter(own, visibility="private").exclude(Exists(ImageMember.objects.filter(image=OuterRef("pk"))))
    elif filters.visibility == "shared":
        has_members = Exists(ImageMember.objects.filter(image=OuterRef("pk")))
        images = images.filter((own & (Q(visibility="shared") | has_members)) | (~own & shared_with_me))
    elif filters.visibility == "public":
        images = images.filter(public)
    else:  # Glance's default and "all": own, public, and shared with this project once accepted
        accepted = Exists(ImageMember.objects.filter(image=OuterRef("pk"), project_id=project_id, status="accepted"))
        images = images.filter(own | public | accepted)
    lookups = {"project_id": filters.owner, "name": filters.name, "status": filters.status, "pk__in": filters.ids,
               "os_type": filters.os_type, "image_type": filters.image_type}
    return images.filter(**{lookup: value for lookup, value in lookups.items() if value})


def page(images: QuerySet[Image], order: list[tuple[str, str]], marker: Image | None, limit: int) -> list[Image]:
    """One page in the given order (id last, as the tie-break), after the marker image."""
    if not any(key == "id" for key, _ in order):
        order = [*order, ("id", order[-1][1] if order else "desc")]
    if marker is not None:
        after = Q()
        for n, (key, direction) in enumerate(order):
            value = _value(marker, key)
            step = Q(**{f"{key}__{'lt' if direction == 'desc' else 'gt'}": value})
            for earlier, _ in order[:n]:
                step &= Q(**{earlier: _value(marker, earlier)})
            after |= step
        images = images.filter(after)
    return list(images.select_related("project", "key").order_by(
        *[f"{'-' if direction == 'desc' else ''}{key}" for key, direction in order]
    )[:limit])


def _value(image: Image, key: str) -> Any:
    return image.pk if key == "id" else getattr(image, key)


def image_seen(project_id: str, image_id: str) -> Image | None:
    """One image as the API shows it to a project: its own, a public one, or one shared with it whatever the
    share's status (Glance shows a member the image before it accepts); None otherwise."""
    member = ImageMember.objects.filter(image=OuterRef("pk"), project_id=project_id)
    return (
        annotated(project_id).select_related("project", "key")
        .filter(Q(project_id=project_id) | Q(visibility="public") | Exists(member), pk=image_id).first()
    )


MEMBER_FIELDS = ("image_id", "project_id", "status", "created_at", "updated_at")


def members_of(image_id: str) -> list[tuple]:
    """An image's members as (image_id, project_id, status, created_at, updated_at): an image may have 256, and
    rows are cheaper than model objects."""
    return list(ImageMember.objects.filter(image_id=image_id).order_by("created_at", "project_id")
                .values_list(*MEMBER_FIELDS))


def member_of(image_id: str, project_id: str) -> ImageMember | None:
    return ImageMember.objects.filter(image_id=image_id, project_id=project_id).first()
