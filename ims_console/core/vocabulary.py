"""IMS's values (image status, type, OS type, visibility, backup source, share status) and the words the IMS
console shows for them. Models take their choices from here; so do the records backends return."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ImageStatus(StrEnum):
    ACTIVE = "active"
    QUEUED = "queued"
    SAVING = "saving"
    KILLED = "killed"


class ImageType(StrEnum):
    SYSTEM = "system"
    DATA = "data"
    FULL_ECS = "full_ecs"
    ISO = "iso"


class OSType(StrEnum):
    LINUX = "Linux"
    WINDOWS = "Windows"
    OTHER = "Other"


class Visibility(StrEnum):
    PRIVATE = "private"
    SHARED = "shared"
    PUBLIC = "public"


class BackupSource(StrEnum):
    NONE = ""
    CBR = "cbr"
    CSBS = "csbs"


# The IMS console's own words for each value, in the user's language (docs/glossary.md).
STATUS_LABELS: dict[str, StrOrPromise] = {
    ImageStatus.ACTIVE: pgettext_lazy("image status", "Normal"),
    ImageStatus.QUEUED: _("Queuing"),
    ImageStatus.SAVING: _("Creating"),
    ImageStatus.KILLED: _("Error"),
}
IMAGE_TYPE_LABELS: dict[str, StrOrPromise] = {
    ImageType.SYSTEM: _("ECS system disk image"),
    ImageType.DATA: _("Data disk image"),
    ImageType.FULL_ECS: _("Full-ECS image"),
    ImageType.ISO: _("ISO image"),
}
BACKUP_SOURCE_LABELS: dict[str, StrOrPromise] = {BackupSource.NONE: "", BackupSource.CBR: _("CBR backup"), BackupSource.CSBS: _("CSBS backup")}
# OS types as IMS names them; "Other" is a word, the others are names.
OS_TYPE_LABELS: dict[str, StrOrPromise] = {OSType.LINUX: "Linux", OSType.WINDOWS: "Windows", OSType.OTHER: _("Other")}
# A share's status as its recipient set it (R1 to R3).
MEMBER_STATUS_LABELS: dict[str, StrOrPromise] = {"pending": _("Pending"), "accepted": _("Accepted"), "rejected": _("Rejected")}
