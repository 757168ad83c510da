"""The IMS protocol: what the console asks of an image service, the records it gets, the one error type.

Views speak only this protocol. The embedded backend implements it over this project's database; a
remote backend would implement it over an IMS- or Glance-compatible HTTP API, with the same records
and the same errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol


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
STATUS_LABELS = {
    ImageStatus.ACTIVE: "Normal",
    ImageStatus.QUEUED: "Queuing",
    ImageStatus.SAVING: "Creating",
    ImageStatus.KILLED: "Error",
}
IMAGE_TYPE_LABELS = {
    ImageType.SYSTEM: "ECS system disk image",
    ImageType.DATA: "Data disk image",
    ImageType.FULL_ECS: "Full-ECS image",
    ImageType.ISO: "ISO image",
}
BACKUP_SOURCE_LABELS = {BackupSource.NONE: "", BackupSource.CBR: "CBR backup", BackupSource.CSBS: "CSBS backup"}


@dataclass(frozen=True)
class Caller:
    """Who is acting, for which project: every backend call takes one."""

    user_id: int
    username: str
    account_id: str
    project_id: str
    region: str
    role: str
    source_ip: str = ""

    @property
    def can_write(self) -> bool:
        return self.role == "admin"


class IMSError(Exception):
    """A refusal by the image service, carrying IMS's error code and the item it concerns."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        item: str = "",
        field: str = "",
        status: int = 400,
        problems: list[IMSError] | None = None,
        context: dict[str, str] | None = None,
        group: str = "",
        label: str = "",
    ) -> None:
        super().__init__(f"{code}: {message}" if code else message)
        self.code = code
        self.message = message
        self.item = item
        self.field = field
        self.status = status
        self.problems = problems or []
        # IDs a console can link to from the message, such as the key whose grants are missing.
        self.context = context or {}
        # Problems of one kind are shown as one line: `group` introduces the list, `label` is how this one's
        # item is named in it (100 unknown project IDs are one line, not 100).
        self.group = group
        self.label = label or item

    @classmethod
    def many(cls, problems: list[IMSError]) -> IMSError:
        """All that is wrong with one request, so that it can be refused whole and every problem shown at once."""
        first = problems[0]
        count = f"{len(problems)} problems" if len(problems) > 1 else "1 problem"
        return cls(first.code, f"Nothing was changed: {count}.", status=400, problems=problems)

    @classmethod
    def image_not_found(cls, image_id: str) -> IMSError:
        return cls("IMG.0027", f"Image {image_id} does not exist.", item=str(image_id), status=404)

    @classmethod
    def only_the_owner(cls, image_id: str, name: str) -> IMSError:
        return cls(
            "IMG.0047",
            f"Image “{name}” was shared with your project; only its owner can share it. Replicate it first to share a copy.",
            item=str(image_id),
            status=403,
        )

    @classmethod
    def read_only(cls) -> IMSError:
        return cls("Forbidden", "Your role is read-only: you cannot change anything.", status=403)


@dataclass(frozen=True)
class ImageRecord:
    id: str
    name: str
    description: str
    status: str
    visibility: str
    image_type: str
    os_type: str
    os_version: str
    disk_format: str
    min_disk: int
    size: int
    encrypted: bool
    key_id: str | None
    key_alias: str
    backup_source: str
    tags: dict[str, str]
    created_at: datetime
    updated_at: datetime
    owner_project_id: str
    owner_project_name: str
    member_count: int = 0
    key_is_default: bool = False
    # Why this image cannot be shared at all (S1, S2, S8, S9 default key), with the IMS code; empty if it can.
    share_refusal: str = ""
    owner_account_name: str = ""
    # For an image shared with the caller: its member's status and times (R1 to R5).
    share_status: str = ""
    shared_at: datetime | None = None
    share_updated_at: datetime | None = None
    # Why this image cannot be replicated at all (R6); empty if it can.
    replicate_refusal: str = ""
    # For a shared encrypted image whose key is disabled or no longer granted to the caller (R7).
    unavailable_reason: str = ""

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def image_type_label(self) -> str:
        return IMAGE_TYPE_LABELS.get(self.image_type, self.image_type)

    @property
    def backup_source_label(self) -> str:
        return BACKUP_SOURCE_LABELS.get(self.backup_source, self.backup_source)


MEMBER_STATUS_LABELS = {"pending": "Pending", "accepted": "Accepted", "rejected": "Rejected"}


@dataclass(frozen=True)
class MemberRecord:
    """One recipient of one image (a Glance image member), with the names the console shows beside the ID."""

    image_id: str
    image_name: str
    project_id: str
    project_name: str
    account_name: str
    status: str
    created_at: datetime
    updated_at: datetime

    @property
    def status_label(self) -> str:
        return MEMBER_STATUS_LABELS.get(self.status, self.status)


@dataclass(frozen=True)
class MemberPage:
    """One page of an image's recipients (the Sharing tab), keyset-paged by project name and ID."""

    items: list[MemberRecord]
    total: int
    next_marker: str | None = None
    previous_marker: str | None = None


@dataclass(frozen=True)
class GrantRecord:
    account_id: str
    account_name: str
    operations: list[str]
    created_at: datetime


@dataclass(frozen=True)
class KeyRecord:
    id: str
    alias: str
    is_default: bool
    state: str
    created_at: datetime
    grants: list[GrantRecord] = field(default_factory=list)

    @property
    def enabled(self) -> bool:
        return self.state == "enabled"


@dataclass(frozen=True)
class VaultRecord:
    id: str
    name: str
    protection_type: str
    resource_type: str
    capacity_gb: int
    free_gb: int

    @property
    def label(self) -> str:
        kind = "server backup" if self.resource_type == "server" else f"{self.resource_type} backup"
        return f"{self.name} ({self.protection_type.title()}, {kind}, {self.free_gb} of {self.capacity_gb} GB free)"


@dataclass(frozen=True)
class SharingResult:
    """What an add or remove of members did: pairs changed, pairs left as they were, and the IMS job."""

    job_id: str
    images: int
    projects: int
    changed: int
    unchanged: int
    duplicates: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PendingSummary:
    """What Accept All shows: how many shares wait, the first few, and the full-ECS ones that need a vault."""

    count: int
    first: list[ImageRecord]
    full_ecs: list[ImageRecord]


SORT_KEYS = ("name", "created_at")
SORT_ORDERS = ("asc", "desc")


@dataclass(frozen=True)
class ImageQuery:
    """One page of a list: filters, sort, and a keyset marker (after or before an image ID)."""

    name: str = ""
    image_type: str = ""
    os_type: str = ""
    sort: str = "created_at"
    order: str = "desc"
    limit: int = 10
    after: str = ""
    before: str = ""


# Lists count their rows exactly up to this many and say "more than 1,000" beyond it, as large consoles do: a
# count must not scan everything (counting 10,000 index entries costs a list a third of its time).
COUNT_LIMIT = 1_000


@dataclass(frozen=True)
class ImagePage:
    items: list[ImageRecord]
    total: int  # exact up to COUNT_LIMIT; COUNT_LIMIT + 1 means more
    next_marker: str | None = None
    previous_marker: str | None = None
    query: ImageQuery = field(default_factory=ImageQuery)

    @property
    def total_label(self) -> str:
        return f"more than {COUNT_LIMIT:,}" if self.total > COUNT_LIMIT else f"{self.total:,}"


class Backend(Protocol):
    def image_list_private(self, caller: Caller, query: ImageQuery) -> ImagePage: ...

    def image_get(self, caller: Caller, image_id: str) -> ImageRecord: ...

    def images_get(self, caller: Caller, image_ids: list[str]) -> list[ImageRecord]: ...

    def image_update(self, caller: Caller, image_id: str, *, name: str, description: str) -> ImageRecord: ...

    def images_delete(self, caller: Caller, image_ids: list[str]) -> int: ...

    def image_members_list(self, caller: Caller, image_ids: list[str]) -> list[MemberRecord]: ...

    def image_members_page(
        self, caller: Caller, image_id: str, *, after: str = "", before: str = "", limit: int = 20
    ) -> MemberPage: ...

    def image_members_add(self, caller: Caller, image_ids: list[str], project_ids: list[str]) -> SharingResult: ...

    def image_members_remove(self, caller: Caller, image_ids: list[str], project_ids: list[str]) -> SharingResult: ...

    def image_list_shared_with_me(self, caller: Caller, status: str, query: ImageQuery) -> ImagePage: ...

    def shared_images_get(self, caller: Caller, image_ids: list[str]) -> list[ImageRecord]: ...

    def shares_pending_summary(self, caller: Caller, limit: int) -> PendingSummary: ...

    def shares_pending_count(self, caller: Caller) -> int: ...

    def image_member_status_update(
        self, caller: Caller, image_ids: list[str], status: str, vault_id: str = "", *, all_pending: bool = False
    ) -> SharingResult: ...

    def vaults_list(self, caller: Caller) -> list[VaultRecord]: ...

    def image_get_visible(self, caller: Caller, image_id: str) -> ImageRecord: ...

    def image_replicate(
        self, caller: Caller, image_id: str, *, name: str, description: str, key_id: str = ""
    ) -> ImageRecord: ...

    def keys_list(self, caller: Caller) -> list[KeyRecord]: ...

    def key_get(self, caller: Caller, key_id: str) -> KeyRecord: ...

    def key_create(self, caller: Caller, alias: str) -> KeyRecord: ...

    def key_state_update(self, caller: Caller, key_id: str, *, enabled: bool) -> KeyRecord: ...

    def key_grant_create(self, caller: Caller, key_id: str, account_id: str) -> KeyRecord: ...

    def key_grant_revoke(self, caller: Caller, key_id: str, account_id: str) -> KeyRecord: ...

    def key_grant_dependents(self, caller: Caller, key_id: str, account_id: str) -> list[MemberRecord]: ...
