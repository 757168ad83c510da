"""The records backends return: plain frozen values, the same whichever backend made them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext, pgettext

from ims_console.core import keyset, l10n
from ims_console.core.vocabulary import (
    BACKUP_SOURCE_LABELS,
    IMAGE_TYPE_LABELS,
    MEMBER_STATUS_LABELS,
    OS_TYPE_LABELS,
    STATUS_LABELS,
)


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
    # Why this image cannot be shared at all (S1, S2, S8, S9 default key), with the IMS code; empty if it can.
    share_refusal: str = ""
    owner_account_name: str = ""
    # For an image shared with the caller: its member's status and times (R1 to R5).
    share_status: str = ""
    shared_at: datetime | None = None
    share_updated_at: datetime | None = None
    share_expires_at: datetime | None = None
    # Why this image cannot be replicated at all (R6); empty if it can.
    replicate_refusal: str = ""
    # For a shared encrypted image whose key is disabled or no longer granted to the caller (R7).
    unavailable_reason: str = ""
    # Accepting it asks for a server-backup vault (R4).
    accept_needs_vault: bool = False
    # Its copy must be encrypted with one of the caller's own keys (R6: a shared encrypted image).
    replica_needs_key: bool = False
    # Protected from deletion in the cloud (Glance's `protected`; IMS and the embedded store have no such images).
    protected: bool = False

    @property
    def status_label(self) -> str:
        return l10n.label(STATUS_LABELS, self.status)

    @property
    def image_type_label(self) -> str:
        return l10n.label(IMAGE_TYPE_LABELS, self.image_type)

    @property
    def backup_source_label(self) -> str:
        return l10n.label(BACKUP_SOURCE_LABELS, self.backup_source)

    @property
    def os_type_label(self) -> str:
        return l10n.label(OS_TYPE_LABELS, self.os_type)

    @property
    def share_status_label(self) -> str:
        return l10n.label(MEMBER_STATUS_LABELS, self.share_status)


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
    # When the share ends by itself; None: until the owner stops sharing.
    expires_at: datetime | None = None

    @property
    def status_label(self) -> str:
        return l10n.label(MEMBER_STATUS_LABELS, self.status)


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

    # Replicas can be encrypted with it (an enabled custom key: R6).
    encrypts_replicas: bool = False

    @property
    def enabled(self) -> bool:
        return self.state == "enabled"

    @property
    def state_label(self) -> str:
        return pgettext("key state", "Enabled") if self.enabled else pgettext("key state", "Disabled")


@dataclass(frozen=True)
class ProjectAccount:
    """A project and the account it belongs to: who a typed project ID is."""

    project_id: str
    project_name: str
    account_id: str
    account_name: str
    region: str


@dataclass(frozen=True)
class VaultRecord:
    id: str
    name: str
    protection_type: str
    resource_type: str
    capacity_gb: int
    free_gb: int


@dataclass(frozen=True)
class SharingResult:
    """What an add or remove of members did: pairs changed, pairs left as they were, and the IMS job."""

    job_id: str
    images: int
    projects: int
    changed: int
    unchanged: int
    duplicates: list[str] = field(default_factory=list)
    # The pairs are being changed by a background job (job_id), not yet changed.
    background: bool = False
    # When the shares end by themselves (the owner's expiry), if one was set.
    expires_at: datetime | None = None


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
    # Exact up to COUNT_LIMIT; COUNT_LIMIT + 1 means more; None when the image service does not count (Glance).
    total: int | None
    next_marker: str | None = None
    previous_marker: str | None = None
    query: ImageQuery = field(default_factory=ImageQuery)
    # How many items come before this page, exact up to COUNT_LIMIT; None when not counted (Glance).
    position: int | None = None

    @property
    def total_label(self) -> str:
        if self.total is None:
            return gettext("not counted by the image service")
        if self.total > COUNT_LIMIT:
            return gettext("more than %(count)s") % {"count": l10n.number(COUNT_LIMIT)}
        return l10n.number(self.total)

    @property
    def page_label(self) -> str:
        """ "Page 2 of 5" (ims_console.core.keyset.page_label); "" when the image service does not count (Glance)."""
        if self.position is None or self.total is None:
            return ""
        return keyset.page_label(position=self.position, total=self.total, shown=len(self.items),
                                 size=self.query.limit, count_limit=COUNT_LIMIT)
