"""Image rules of ims-reference.md that are not about sharing: what can be replicated (R6), and why an encrypted
shared image is unusable (R7). Small pure functions, like sharing/rules.py."""

from __future__ import annotations

import re

from ims_console.backends.base import ImageStatus, ImageType, IMSError
from images.models import Image, Key

KEY_ALIAS = re.compile(r"[A-Za-z0-9/_-]{1,255}")
MAX_REPLICA_BYTES = 128 * 1024**3


def replicate_refusals(*, image_id: str, name: str, image_type: str, size: int, status: str) -> list[IMSError]:
    """What keeps an image from being replicated whoever asks (R6)."""
    refusals = []
    if image_type == ImageType.FULL_ECS:
        refusals.append(IMSError("IMG.0130", f"“{name}” is a full-ECS image; only system and data disk images can be replicated.", item=image_id))
    if image_type == ImageType.ISO:
        refusals.append(IMSError("IMG.0167", f"“{name}” is an ISO image; only system and data disk images can be replicated.", item=image_id))
    if size > MAX_REPLICA_BYTES:
        refusals.append(IMSError("", f"“{name}” is {size / 1024**3:.1f} GB; images of at most 128 GB can be replicated.", item=image_id))
    if status != ImageStatus.ACTIVE:
        refusals.append(IMSError("IMG.0046", f"“{name}” is not Normal; only Normal images can be replicated.", item=image_id))
    return refusals


def unavailable_reason(image: Image, *, usable: bool) -> str:
    if usable or image.key_id is None:
        return ""
    if image.key.state == Key.State.DISABLED:
        return f"The owner disabled key {image.key.alias}, which encrypts this image."
    return f"The owner revoked your account's grant on key {image.key.alias}, which encrypts this image."
