"""OpenStack mode: the IMS protocol over a real cloud's Glance v2 image API, through `requests`.

Open Telekom Cloud and Huawei Cloud offer IMS's images through the native Glance v2 API (with IMS's own image
properties, read where present: records.py), so this backend serves them and any OpenStack cloud alike. The
caller's project-scoped token and the image endpoint of its region come in `Caller.remote`
(ims_console.identity.caller.Remote). Each part of the protocol is a module of its own: images.py (the owner's
images), members.py (their recipients), shared.py (images shared with the caller), over glance.py (the client) and
pairs.py (one member per call, undone as far as the cloud allows); jobs.py runs large submissions in the background.

The same rules as the embedded backend hold where the cloud can tell (docs/rules.md): status and ownership,
project ID format, not yourself, the recipient limit (Glance's 413 becomes IMG.0088), all or nothing (a pair the
cloud refuses undoes the pairs this submission added). What Glance cannot tell is said, not guessed: whether a
project exists and in which region (so S6 is left to the cloud), how many images a list holds (`total` is None).
KMS keys, vaults and Replicate are not part of these APIs: they are refused as not available in this cloud.
"""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext

from ims_console.backends.openstack import images, members, shared
from ims_console.backends.openstack.records import KMS_NOT_AVAILABLE, SHARE_EXPIRY_NOT_AVAILABLE, not_available
from ims_console.backends.protocol import Scope
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
from ims_console.core.errors import ConsoleCode, IMSError
from ims_console.identity import project_lookup
from ims_console.identity.caller import Caller


class OpenStackBackend:
    # Glance v2 has images and members only; the seams for the rest stay (see the module's docstring).
    @property
    def capabilities(self) -> frozenset[str]:
        return frozenset({"background_jobs"} | ({"project_lookup"} if project_lookup.configured() else set()))

    # ---- Images.

    def image_list_private(self, caller: Caller, query: ImageQuery) -> ImagePage:
        return images.image_list_private(caller, query)

    def image_get(self, caller: Caller, image_id: str, *, scope: Scope = Scope.OWN) -> ImageRecord:
        return images.image_get(caller, image_id, scope=scope)

    def images_get(self, caller: Caller, image_ids: list[str], *, scope: Scope = Scope.OWN) -> list[ImageRecord]:
        return images.images_get(caller, image_ids, scope=scope)

    def image_update(self, caller: Caller, image_id: str, *, name: str, description: str) -> ImageRecord:
        return images.image_update(caller, image_id, name=name, description=description)

    def images_delete(self, caller: Caller, image_ids: list[str]) -> int:
        return images.images_delete(caller, image_ids)

    def image_replicate(self, caller: Caller, image_id: str, *, name: str, description: str, key_id: str = "") -> ImageRecord:
        caller.require_write()
        raise IMSError(ConsoleCode.NOT_AVAILABLE, not_available(gettext("Replicate")))

    # ---- Members of the caller's images.

    def image_members_list(self, caller: Caller, image_ids: list[str]) -> list[MemberRecord]:
        return members.image_members_list(caller, image_ids)

    def image_members_page(self, caller: Caller, image_id: str, *, after: str = "", before: str = "", limit: int = 20) -> MemberPage:
        return members.image_members_page(caller, image_id, after=after, before=before, limit=limit)

    def image_members_add(
        self, caller: Caller, image_ids: list[str], project_ids: list[str], *, expires_at: datetime | None = None
    ) -> SharingResult:
        return members.image_members_add(caller, image_ids, project_ids, expires_at=expires_at)

    def image_member_end_set(self, caller: Caller, image_id: str, project_id: str, expires_at: datetime | None) -> bool:
        caller.require_write()
        raise IMSError.many([IMSError(ConsoleCode.NOT_AVAILABLE, str(SHARE_EXPIRY_NOT_AVAILABLE))])

    def image_members_remove(self, caller: Caller, image_ids: list[str], project_ids: list[str]) -> SharingResult:
        return members.image_members_remove(caller, image_ids, project_ids)

    # ---- Images shared with the caller.

    def image_list_shared_with_me(self, caller: Caller, status: str, query: ImageQuery) -> ImagePage:
        return shared.image_list_shared_with_me(caller, status, query)

    def shares_pending_count(self, caller: Caller) -> int:
        return shared.shares_pending_count(caller)

    def shares_pending_summary(self, caller: Caller, limit: int) -> PendingSummary:
        return shared.shares_pending_summary(caller, limit)

    def image_member_status_update(
        self, caller: Caller, image_ids: list[str], status: str, vault_id: str = "", *, all_pending: bool = False
    ) -> SharingResult:
        return shared.image_member_status_update(caller, image_ids, status, vault_id, all_pending=all_pending)

    def vaults_list(self, caller: Caller) -> list[VaultRecord]:
        return []

    # ---- KMS keys: not part of Glance's API.

    def keys_list(self, caller: Caller) -> list[KeyRecord]:
        return []

    def key_get(self, caller: Caller, key_id: str) -> KeyRecord:
        raise IMSError(ConsoleCode.KEY_NOT_FOUND, str(KMS_NOT_AVAILABLE), status=404)

    def key_create(self, caller: Caller, alias: str) -> KeyRecord:
        caller.require_write()
        raise IMSError(ConsoleCode.NOT_AVAILABLE, str(KMS_NOT_AVAILABLE))

    def key_state_update(self, caller: Caller, key_id: str, *, enabled: bool) -> KeyRecord:
        return self.key_get(caller, key_id)

    def key_grant_create(self, caller: Caller, key_id: str, account_id: str) -> KeyRecord:
        return self.key_get(caller, key_id)

    def key_grant_revoke(self, caller: Caller, key_id: str, account_id: str) -> KeyRecord:
        return self.key_get(caller, key_id)

    def key_grant_dependents(self, caller: Caller, key_id: str, account_id: str) -> list[MemberRecord]:
        return []

    def project_account(self, caller: Caller, project_id: str) -> ProjectAccount | None:
        info = project_lookup.names([project_id]).get(project_id)
        if info is None:
            return None
        return ProjectAccount(project_id=info.id, project_name=info.name, account_id=info.account_id,
                              account_name=info.account_name, region=info.region)
