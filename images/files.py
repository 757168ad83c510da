"""Images made through the API (POST /v2/images), and their data: stored through Django's storage API in
IMS_IMAGE_FILES_DIR, streamed in and out in chunks (never held in memory), at most IMS_IMAGE_FILE_MAX_MB each,
with the size, MD5 checksum and SHA-512 hash Glance reports."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from typing import IO

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import FileSystemStorage, Storage
from django.db import transaction
from django.utils import timezone

from images.models import Image
from ims_console.core.errors import IMSError
from ims_console.core.vocabulary import ImageStatus, ImageType, OSType
from ims_console.identity.caller import Caller

CHUNK = 64 * 1024


def storage() -> Storage:
    return FileSystemStorage(location=settings.IMS_IMAGE_FILES_DIR)


def image_create(*, caller: Caller, name: str, disk_format: str, container_format: str, min_disk: int,
                 visibility: str, image_type: str, os_type: str, os_version: str, description: str,
                 properties: dict[str, str], tags: list[str]) -> Image:
    """A new image record of the caller's project, queued until its data is uploaded."""
    caller.require_write()
    now = timezone.now()
    return Image.objects.create(
        project_id=caller.project_id, name=name, description=description, status=ImageStatus.QUEUED,
        visibility=visibility, image_type=image_type if image_type in set(ImageType) else ImageType.SYSTEM,
        os_type=os_type if os_type in set(OSType) else OSType.OTHER, os_version=os_version, disk_format=disk_format,
        container_format=container_format, min_disk=min_disk, size=0, properties=properties,
        tags={tag: "" for tag in tags}, created_at=now, updated_at=now,
    )


class TooLarge(Exception):
    pass


class _Hashing(File):
    """A request body read in chunks, hashed and counted on the way, refused past the limit."""

    def __init__(self, stream: IO[bytes], limit: int) -> None:
        super().__init__(stream)
        self.stream, self.limit, self.size_read = stream, limit, 0
        self.md5, self.sha512 = hashlib.md5(usedforsecurity=False), hashlib.sha512()

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]:
        while chunk := self.stream.read(CHUNK):
            self.size_read += len(chunk)
            if self.size_read > self.limit:
                raise TooLarge
            self.md5.update(chunk)
            self.sha512.update(chunk)
            yield chunk

    def multiple_chunks(self, chunk_size: int | None = None) -> bool:
        return True


def image_upload(*, caller: Caller, image_id: str, stream: IO[bytes]) -> Image:
    """Store a queued image's data and make it active. Glance's refusals: 404 for an image the caller does not
    own, 409 once it has data, 413 past the size limit (nothing is kept then)."""
    caller.require_write()
    image = Image.objects.filter(project_id=caller.project_id, pk=image_id).first()
    if image is None:
        raise IMSError.image_not_found(image_id)
    if image.status != ImageStatus.QUEUED:
        raise IMSError("console.image_has_data", f"Image {image_id} is {image.status}: its data can be uploaded only "
                       f"once, while it is queued.", status=409)
    limit = settings.IMS_IMAGE_FILE_MAX_MB * 1024 * 1024
    body = _Hashing(stream, limit)
    files = storage()
    # A name of this upload's own, so that a refused upload removes exactly what it wrote.
    name = f"{caller.project_id}/{image.pk}-{uuid.uuid4().hex[:12]}"
    try:
        name = files.save(name, body)
    except TooLarge:
        files.delete(name)
        raise IMSError("console.image_too_large", f"Image data larger than {settings.IMS_IMAGE_FILE_MAX_MB} MB is "
                       f"refused (IMS_IMAGE_FILE_MAX_MB).", status=413) from None
    with transaction.atomic():
        locked = Image.objects.select_for_update().filter(pk=image.pk, status=ImageStatus.QUEUED).first()
        if locked is None:  # uploaded by another request meanwhile, or deleted: this copy is not kept
            files.delete(name)
            raise IMSError("console.image_has_data", f"Image {image_id} is no longer queued.", status=409)
        locked.file, locked.size, locked.status = name, body.size_read, ImageStatus.ACTIVE
        locked.checksum, locked.os_hash_value = body.md5.hexdigest(), body.sha512.hexdigest()
        locked.updated_at = timezone.now()
        locked.save(update_fields=["file", "size", "status", "checksum", "os_hash_value", "updated_at"])
    return locked


def image_data(image: Image) -> IO[bytes] | None:
    """The stored data of an image the caller may see (the caller checks that), or None if it has none."""
    if not image.file:
        return None
    return storage().open(image.file, "rb")


def files_delete(names: list[str]) -> None:
    """Remove the data of deleted images (after their records are gone; a file left by a crash is harmless)."""
    files = storage()
    for name in names:
        if name:
            files.delete(name)
