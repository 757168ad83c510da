"""IMS's values (image status, type, OS type, visibility, backup source, share status) and the words the IMS
console shows for them. Models take their choices from here; so do the records backends return."""

from __future__ import annotations

from enum import StrEnum


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


# The IMS console's own words for each value.
STATUS_LABELS: dict[str, str] = {
    ImageStatus.ACTIVE: "Normal",
    ImageStatus.QUEUED: "Queuing",
    ImageStatus.SAVING: "Creating",
    ImageStatus.KILLED: "Error",
}
IMAGE_TYPE_LABELS: dict[str, str] = {
    ImageType.SYSTEM: "ECS system disk image",
    ImageType.DATA: "Data disk image",
    ImageType.FULL_ECS: "Full-ECS image",
    ImageType.ISO: "ISO image",
}
BACKUP_SOURCE_LABELS: dict[str, str] = {BackupSource.NONE: "", BackupSource.CBR: "CBR backup", BackupSource.CSBS: "CSBS backup"}
# A share's status as its recipient set it (R1 to R3).
MEMBER_STATUS_LABELS: dict[str, str] = {"pending": "Pending", "accepted": "Accepted", "rejected": "Rejected"}
