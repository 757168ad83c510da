"""OpenStack mode: Glance's image records as the console's (ImageRecord), with what IMS shows of an image: its
type, OS, encryption key and whether it can be shared, read from IMS's own image properties where the cloud has
them (Open Telekom Cloud, Huawei Cloud), else from a plain OpenStack image's."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ims_console.backends.records import ImageRecord
from ims_console.core.vocabulary import BackupSource, ImageType, OSType
from sharing import rules as sharing_rules


def not_available(what: str) -> str:
    """ "Replicate is not available in this cloud: …": what Glance v2 has no operation for."""
    return gettext("%(what)s is not available in this cloud: its image API (Glance v2) has no such operation.") % {
        "what": what
    }


KMS_NOT_AVAILABLE = _("KMS keys are not available in this cloud: its image API (Glance v2) has no keys or grants.")
# Why OpenStack mode cannot end a share by itself later.
SHARE_EXPIRY_NOT_AVAILABLE = (
    _("Share expiry is not available with this cloud: Glance does not end a share by itself, and the console keeps no credential to end it later for you.")
)


def parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def image_type_of(image: dict) -> str:
    """IMS's properties when present (OTC/Huawei Cloud: __whole_image for full-ECS images, virtual_env_type
    DataImage or IsoImage, __os_type, __os_version, __system__cmkid for the encryption key, as IMS's API reference
    lists them), else what a plain OpenStack image says of itself (disk_format, os_type, os_distro)."""
    if str(image.get("__whole_image", "")).lower() == "true":
        return ImageType.FULL_ECS
    kind = image.get("virtual_env_type", "")
    if kind == "DataImage":
        return ImageType.DATA
    if kind == "IsoImage" or image.get("disk_format") == "iso":
        return ImageType.ISO
    return ImageType.SYSTEM


def os_type_of(image: dict) -> str:
    value = str(image.get("__os_type") or image.get("os_type") or "").lower()
    return {"linux": OSType.LINUX, "windows": OSType.WINDOWS}.get(value, OSType.OTHER)


def image_record(image: dict, *, share_status: str = "", member: dict | None = None) -> ImageRecord:
    image_type = image_type_of(image)
    backup_source = BackupSource.CBR if image_type == ImageType.FULL_ECS else BackupSource.NONE
    key_id = image.get("__system__cmkid") or None
    refusals = sharing_rules.image_refusals(
        image_id=image["id"], name=image.get("name") or "", visibility=image.get("visibility", ""),
        status=image.get("status", ""), image_type=image_type, backup_source=backup_source, key_is_default=False,
    )
    os_version = image.get("__os_version") or " ".join(
        str(image[k]) for k in ("os_distro", "os_version") if image.get(k)
    )
    return ImageRecord(
        id=image["id"],
        name=image.get("name") or "",
        description=image.get("__description") or image.get("description") or "",
        status=image.get("status", ""),
        visibility=image.get("visibility", ""),
        image_type=image_type,
        os_type=os_type_of(image),
        os_version=os_version,
        disk_format=image.get("disk_format") or "",
        min_disk=int(image.get("min_disk") or 0),
        size=int(image.get("size") or 0),
        encrypted=key_id is not None,
        key_id=key_id,
        key_alias="",
        backup_source=backup_source,
        tags={tag: "" for tag in image.get("tags") or []},
        created_at=parse_time(image.get("created_at")) or datetime.min,
        updated_at=parse_time(image.get("updated_at")) or datetime.min,
        owner_project_id=image.get("owner") or "",
        owner_project_name=image.get("owner") or "",
        share_refusal=" ".join(f"{p.message} ({p.code})" for p in refusals),
        share_status=share_status or (member or {}).get("status", ""),
        shared_at=parse_time((member or {}).get("created_at")),
        share_updated_at=parse_time((member or {}).get("updated_at")),
        replicate_refusal=not_available(gettext("Replicate")),
        accept_needs_vault=sharing_rules.accept_needs_vault(image_type),
        protected=image.get("protected") is True,
    )
