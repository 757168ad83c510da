"""Writes to images. Each service takes the acting Caller, checks it, and runs in one transaction."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from ims_console.backends.base import Caller, IMSError
from ims_console.models import Trace
from images.models import Image
from sharing.models import ImageMember


def _require_write(caller: Caller) -> None:
    if not caller.can_write:
        raise IMSError.read_only()


@transaction.atomic
def image_update(*, caller: Caller, image_id: str, name: str, description: str) -> Image:
    _require_write(caller)
    image = Image.objects.select_for_update().filter(project_id=caller.project_id, pk=image_id).first()
    if image is None:
        raise IMSError.image_not_found(image_id)
    image.name = name
    image.description = description
    image.updated_at = timezone.now()
    image.save(update_fields=["name", "description", "updated_at"])
    return image


@transaction.atomic
def images_delete(*, caller: Caller, image_ids: list[str]) -> int:
    """Delete the caller's images, all or nothing: one unknown ID and none is deleted."""
    _require_write(caller)
    wanted = set(image_ids)
    found = {str(pk) for pk in Image.objects.filter(project_id=caller.project_id, pk__in=wanted).values_list("pk", flat=True)}
    missing = sorted(wanted - found)
    if missing:
        raise IMSError.image_not_found(missing[0])
    # Deleting an image ends its sharing (S14): its members go with it, each audited as a deleteMember.
    now = timezone.now()
    pairs = ImageMember.objects.filter(image_id__in=found).values_list("image_id", "project_id")
    Trace.objects.bulk_create(
        Trace(
            name=Trace.Name.DELETE_MEMBER, user_id=caller.user_id, username=caller.username,
            project_id=caller.project_id, resource_id=str(image_id), member_project_id=project_id,
            source_ip=caller.source_ip or None, result="success: image deleted", time=now,
        )
        for image_id, project_id in pairs
    )
    ImageMember.objects.filter(image_id__in=found).delete()
    return Image.objects.filter(project_id=caller.project_id, pk__in=found).delete()[1].get("images.Image", 0)
