"""The IMS protocol: what the console asks of an image service.

Views speak only this protocol. The embedded backend implements it over this project's database; a remote backend
implements it over an IMS- or Glance-compatible HTTP API, with the same records (ims_console.backends.records) and
the same errors (ims_console.core.errors). tests/contract/ holds the behaviour every backend must show.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Protocol

from ims_console.backends.records import (
    ImagePage,
    ImageQuery,
    ImageRecord,
    KeyRecord,
    MemberPage,
    MemberRecord,
    PendingSummary,
    ProjectAccount,
    SharingResult,
    VaultRecord,
)
from ims_console.identity.caller import Caller


class Scope(StrEnum):
    """Which images a lookup may find; any other image is IMG.0027 (404)."""

    OWN = "own"  # the caller project's own images
    SHARED = "shared"  # images shared with the caller's project, whatever the share's status
    VISIBLE = "visible"  # either


class Backend(Protocol):
    # What this image service offers beyond images and members: "kms" (keys and grants), "vaults" (accepting
    # full-ECS images), "replicate", "project_lookup" (whether a project ID exists, and where). Screens show what
    # is missing as not available, with the reason. "background_jobs": large submissions run as jobs.
    # "share_expiry": shares can be set to end by themselves.
    @property
    def capabilities(self) -> frozenset[str]: ...

    # Images: the owner's list, lookups, Modify, Delete, Replicate.
    def image_list_private(self, caller: Caller, query: ImageQuery) -> ImagePage: ...

    def image_get(self, caller: Caller, image_id: str, *, scope: Scope = Scope.OWN) -> ImageRecord: ...

    def images_get(self, caller: Caller, image_ids: list[str], *, scope: Scope = Scope.OWN) -> list[ImageRecord]: ...

    def image_update(self, caller: Caller, image_id: str, *, name: str, description: str) -> ImageRecord: ...

    def images_delete(self, caller: Caller, image_ids: list[str]) -> int: ...

    def image_replicate(
        self, caller: Caller, image_id: str, *, name: str, description: str, key_id: str = ""
    ) -> ImageRecord: ...

    # Members of the caller's images: the Share Image dialog and the Sharing tab.
    def image_members_list(self, caller: Caller, image_ids: list[str]) -> list[MemberRecord]: ...

    def image_members_page(
        self, caller: Caller, image_id: str, *, after: str = "", before: str = "", limit: int = 20
    ) -> MemberPage: ...

    # `expires_at`: when the shares end by themselves ("share_expiry" capability); None: until stopped.
    def image_members_add(
        self, caller: Caller, image_ids: list[str], project_ids: list[str], *, expires_at: datetime | None = None
    ) -> SharingResult: ...

    def image_members_remove(self, caller: Caller, image_ids: list[str], project_ids: list[str]) -> SharingResult: ...

    # When one share ends by itself, or None: until stopped ("share_expiry" capability). True if it changed.
    def image_member_end_set(
        self, caller: Caller, image_id: str, project_id: str, expires_at: datetime | None
    ) -> bool: ...

    # Images shared with the caller: the lists, Accept and Reject, and the vaults full-ECS images go to.
    def image_list_shared_with_me(self, caller: Caller, status: str, query: ImageQuery) -> ImagePage: ...

    def shares_pending_summary(self, caller: Caller, limit: int) -> PendingSummary: ...

    def shares_pending_count(self, caller: Caller) -> int: ...

    def image_member_status_update(
        self, caller: Caller, image_ids: list[str], status: str, vault_id: str = "", *, all_pending: bool = False
    ) -> SharingResult: ...

    def vaults_list(self, caller: Caller) -> list[VaultRecord]: ...

    # KMS keys and their grants.
    def keys_list(self, caller: Caller) -> list[KeyRecord]: ...

    def key_get(self, caller: Caller, key_id: str) -> KeyRecord: ...

    def key_create(self, caller: Caller, alias: str) -> KeyRecord: ...

    def key_state_update(self, caller: Caller, key_id: str, *, enabled: bool) -> KeyRecord: ...

    def key_grant_create(self, caller: Caller, key_id: str, account_id: str) -> KeyRecord: ...

    def key_grant_revoke(self, caller: Caller, key_id: str, account_id: str) -> KeyRecord: ...

    def key_grant_dependents(self, caller: Caller, key_id: str, account_id: str) -> list[MemberRecord]: ...

    # Who a project ID is (its name and account), or None if the backend knows no such project or cannot tell.
    def project_account(self, caller: Caller, project_id: str) -> ProjectAccount | None: ...
