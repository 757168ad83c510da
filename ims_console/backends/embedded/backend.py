"""The embedded IMS: the protocol implemented in-process over the apps' selectors and services.

This is where the two apps are composed: images knows nothing of sharing, so the number of recipients an owner
sees and the ending of members when images are deleted are joined in here.
"""

from __future__ import annotations

from datetime import datetime

from images import selectors as image_selectors
from images import services as image_services
from images.models import Image
from ims_console.backends.embedded.records import (
    image_id_of,
    image_record,
    key_record,
    member_record,
    owner_columns,
    page_record,
    query_args,
    sharing_result,
)
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
from ims_console.core.errors import IMSError
from ims_console.identity.caller import Caller
from ims_console.identity.models import Project
from sharing import acceptance, replication
from sharing import members as sharing_members
from sharing import selectors as sharing_selectors
from sharing import services as sharing_services


class _Images:
    """The owner's images: the list, lookups, Modify, Delete, Replicate."""

    def image_list_private(self, caller: Caller, query: ImageQuery) -> ImagePage:
        page = image_selectors.image_list_private(
            project_id=caller.project_id, annotations=owner_columns(), **query_args(query)
        )
        return page_record(page, query)

    def image_get(self, caller: Caller, image_id: str, *, scope: Scope = Scope.OWN) -> ImageRecord:
        return self.images_get(caller, [image_id], scope=scope)[0]

    def images_get(self, caller: Caller, image_ids: list[str], *, scope: Scope = Scope.OWN) -> list[ImageRecord]:
        """All of them or IMG.0027 for the first one missing, ordered by name. Own images first, then (if the
        scope allows) the rest among those shared with the caller: one query each."""
        wanted = {image_id_of(i) for i in image_ids}
        found: dict[str, Image] = {}
        if scope in (Scope.OWN, Scope.VISIBLE):
            own = image_selectors.images_get_for_project(
                project_id=caller.project_id, image_ids=sorted(wanted), annotations=owner_columns()
            )
            found.update((str(i.id), i) for i in own)
        if scope in (Scope.SHARED, Scope.VISIBLE) and wanted - found.keys():
            shared = sharing_selectors.shared_images_get(
                project_id=caller.project_id, account_id=caller.account_id, image_ids=sorted(wanted - found.keys())
            )
            found.update((str(i.id), i) for i in shared)
        missing = sorted(wanted - found.keys())
        if missing:
            raise IMSError.image_not_found(missing[0])
        return sorted((image_record(i) for i in found.values()), key=lambda r: (r.name, r.id))

    def image_update(self, caller: Caller, image_id: str, *, name: str, description: str) -> ImageRecord:
        image_services.image_update(caller=caller, image_id=image_id_of(image_id), name=name, description=description)
        return self.image_get(caller, image_id)

    def images_delete(self, caller: Caller, image_ids: list[str]) -> int:
        return image_services.images_delete(
            caller=caller, image_ids=[image_id_of(i) for i in image_ids],
            before_delete=sharing_members.end_members_of_images,
        )

    def image_replicate(
        self, caller: Caller, image_id: str, *, name: str, description: str, key_id: str = ""
    ) -> ImageRecord:
        copy = replication.image_replicate(
            caller=caller, image_id=image_id_of(image_id), name=name, description=description, key_id=key_id
        )
        return self.image_get(caller, str(copy.pk))


class _Members:
    """Who the caller's images are shared with: the Share Image dialog and the Sharing tab."""

    def image_members_list(self, caller: Caller, image_ids: list[str]) -> list[MemberRecord]:
        members = sharing_selectors.image_members_of_owner(
            owner_project_id=caller.project_id, image_ids=[image_id_of(i) for i in image_ids]
        )
        return [member_record(m) for m in members]

    def image_members_page(
        self, caller: Caller, image_id: str, *, after: str = "", before: str = "", limit: int = 20
    ) -> MemberPage:
        members, total, has_previous, has_next = sharing_selectors.image_members_page(
            owner_project_id=caller.project_id, image_id=image_id_of(image_id), after=after, before=before, limit=limit
        )
        items = [member_record(m) for m in members]
        return MemberPage(
            items=items, total=total,
            next_marker=items[-1].project_id if items and has_next else None,
            previous_marker=items[0].project_id if items and has_previous else None,
        )

    def image_members_add(
        self, caller: Caller, image_ids: list[str], project_ids: list[str], *, expires_at: datetime | None = None
    ) -> SharingResult:
        result = sharing_services.image_members_add(
            caller=caller, image_ids=[image_id_of(i) for i in image_ids], project_ids=project_ids, expires_at=expires_at
        )
        return sharing_result(result)

    def image_members_remove(self, caller: Caller, image_ids: list[str], project_ids: list[str]) -> SharingResult:
        result = sharing_services.image_members_remove(
            caller=caller, image_ids=[image_id_of(i) for i in image_ids], project_ids=project_ids
        )
        return sharing_result(result)

    def image_member_end_set(self, caller: Caller, image_id: str, project_id: str, expires_at: datetime | None) -> bool:
        return sharing_services.image_member_end_set(
            caller=caller, image_id=image_id_of(image_id), project_id=project_id, expires_at=expires_at
        )


class _SharedWithMe:
    """Images shared with the caller: the lists, Accept and Reject, and the vaults full-ECS images go to."""

    def image_list_shared_with_me(self, caller: Caller, status: str, query: ImageQuery) -> ImagePage:
        page = sharing_selectors.image_list_shared_with_me(
            project_id=caller.project_id, account_id=caller.account_id, status=status, **query_args(query)
        )
        return page_record(page, query)

    def shares_pending_summary(self, caller: Caller, limit: int) -> PendingSummary:
        count, first, full_ecs = sharing_selectors.shares_pending_summary(
            project_id=caller.project_id, account_id=caller.account_id, limit=limit
        )
        return PendingSummary(count=count, first=[image_record(i) for i in first], full_ecs=[image_record(i) for i in full_ecs])

    def shares_pending_count(self, caller: Caller) -> int:
        return sharing_selectors.shares_pending_count(project_id=caller.project_id)

    def image_member_status_update(
        self, caller: Caller, image_ids: list[str], status: str, vault_id: str = "", *, all_pending: bool = False
    ) -> SharingResult:
        result = acceptance.image_member_status_update(
            caller=caller, image_ids=[image_id_of(i) for i in image_ids], status=status, vault_id=vault_id,
            all_pending=all_pending,
        )
        return sharing_result(result)

    def vaults_list(self, caller: Caller) -> list[VaultRecord]:
        return [
            VaultRecord(
                id=str(v.id), name=v.name, protection_type=v.protection_type, resource_type=v.resource_type,
                capacity_gb=v.capacity_gb, free_gb=v.capacity_gb - v.used_gb,
            )
            for v in sharing_selectors.vaults_of(project_id=caller.project_id)
        ]


class _Keys:
    """KMS keys of the caller's project and their grants to other accounts."""

    def keys_list(self, caller: Caller) -> list[KeyRecord]:
        return [key_record(k) for k in image_selectors.keys_of(project_id=caller.project_id)]

    def key_get(self, caller: Caller, key_id: str) -> KeyRecord:
        return key_record(image_services.own_key(caller, key_id), with_grants=True)

    def key_create(self, caller: Caller, alias: str) -> KeyRecord:
        return key_record(image_services.key_create(caller=caller, alias=alias))

    def key_state_update(self, caller: Caller, key_id: str, *, enabled: bool) -> KeyRecord:
        return key_record(image_services.key_state_update(caller=caller, key_id=key_id, enabled=enabled))

    def key_grant_create(self, caller: Caller, key_id: str, account_id: str) -> KeyRecord:
        image_services.key_grant_create(caller=caller, key_id=key_id, account_id=account_id)
        return self.key_get(caller, key_id)

    def key_grant_revoke(self, caller: Caller, key_id: str, account_id: str) -> KeyRecord:
        image_services.key_grant_revoke(caller=caller, key_id=key_id, account_id=account_id)
        return self.key_get(caller, key_id)

    def key_grant_dependents(self, caller: Caller, key_id: str, account_id: str) -> list[MemberRecord]:
        key = image_services.own_key(caller, key_id)
        return [member_record(m) for m in sharing_selectors.grant_dependents(key_id=str(key.pk), account_id=account_id)]

    def project_account(self, caller: Caller, project_id: str) -> ProjectAccount | None:
        project = Project.objects.select_related("account").filter(pk=project_id.strip().lower()).first()
        if project is None:
            return None
        return ProjectAccount(project_id=project.pk, project_name=project.name, account_id=project.account_id,
                              account_name=project.account.name, region=project.region)


class EmbeddedBackend(_Images, _Members, _SharedWithMe, _Keys):
    capabilities = frozenset({"kms", "vaults", "replicate", "project_lookup", "share_expiry"})
