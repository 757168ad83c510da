"""Writes to images. Each service takes the acting Caller, checks it, and runs in one transaction."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from ims_console.backends.base import Caller, IMSError
from images.models import Image


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
    deleted, _ = Image.objects.filter(project_id=caller.project_id, pk__in=found).delete()
    return deleted
