"""The embedded IMS: the protocol implemented in-process over the apps' selectors and services.

This is where the two apps are composed: images knows nothing of sharing, so the number of recipients an owner
sees and the ending of members when images are deleted are joined in here.
"""

from __future__ import annotations

from datetime import datetime

from images import rules as image_rules
from images import selectors as image_selectors
from images import services as image_services
from images.models import Image, Key
from ims_console.backends.protocol import Scope
from ims_console.backends.records import (
    GrantRecord,
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
from ims_console.caller import Caller
from ims_console.ids import parse_uuid
from ims_console.ims_errors import IMSError
from ims_console.models import Project
from sharing import replication
from sharing import rules as sharing_rules
from sharing import selectors as sharing_selectors
from sharing import services as sharing_services
from sharing.models import ImageMember
from sharing.services import MembersChanged


def _image_id(value: str) -> str:
    """IDs come from URLs and forms: anything that is not a UUID names no image."""
    parsed = parse_uuid(value)
    if parsed is None:
        raise IMSError.image_not_found(value)
    return str(parsed)


def _marker(value: str) -> str:
    """A stale or malformed marker means "from the start", not an error: links outlive the rows they name."""
    parsed = parse_uuid(value) if value else None
    return str(parsed) if parsed else ""


def _owner_columns() -> image_selectors.Annotations:
    """What the owner's screens show beside each image that sharing knows: its number of recipients."""
    return {"member_count": sharing_selectors.member_count()}


def image_record(image: Image) -> ImageRecord:
    key = image.key if image.key_id else None
    key_is_default = key is not None and key.is_default
    refusals = sharing_rules.image_refusals(
        image_id=str(image.id), name=image.name, visibility=image.visibility, status=image.status,
        image_type=image.image_type, backup_source=image.backup_source, key_is_default=key_is_default,
    )
    share_status = getattr(image, "share_status", "")
    encrypted = key is not None
    return ImageRecord(
        id=str(image.id),
        name=image.name,
        description=image.description,
        status=image.status,
        visibility=image.visibility,
        image_type=image.image_type,
        os_type=image.os_type,
        os_version=image.os_version,
        disk_format=image.disk_format,
        min_disk=image.min_disk,
        size=image.size,
        encrypted=encrypted,
        key_id=str(image.key_id) if image.key_id else None,
        key_alias=key.alias if key else "",
        backup_source=image.backup_source,
        tags=dict(image.tags or {}),
        created_at=image.created_at,
        updated_at=image.updated_at,
        owner_project_id=image.project_id,
        owner_project_name=image.project.name,
        member_count=getattr(image, "member_count", 0),
        share_refusal=" ".join(f"{p.message} ({p.code})" for p in refusals),
        owner_account_name=image.project.account.name,
        share_status=share_status,
        shared_at=getattr(image, "shared_at", None),
        share_updated_at=getattr(image, "share_updated_at", None),
        share_expires_at=getattr(image, "share_expires_at", None),
        replicate_refusal=" ".join(
            f"{p.message} ({p.ims_code})" if p.ims_code else p.message
            for p in image_rules.replicate_refusals(
                image_id=str(image.id), name=image.name, image_type=image.image_type, size=image.size,
                status=image.status,
            )
        ),
        unavailable_reason=image_rules.unavailable_reason(
            encrypted=encrypted, usable=getattr(image, "key_usable", True),
            key_alias=key.alias if key else "",
            key_disabled=key is not None and key.state == Key.State.DISABLED,
        ),
        accept_needs_vault=sharing_rules.accept_needs_vault(image.image_type),
        replica_needs_key=image_rules.replica_needs_key(shared=bool(share_status), encrypted=encrypted),
    )


def key_record(key: Key, *, with_grants: bool = False) -> KeyRecord:
    grants = [
        GrantRecord(account_id=g.grantee_account_id, account_name=g.grantee_account.name, operations=list(g.operations),
                    created_at=g.created_at)
        for g in key.grants.select_related("grantee_account").order_by("grantee_account__name")
    ] if with_grants else []
    return KeyRecord(
        id=str(key.pk), alias=key.alias, is_default=key.is_default, state=key.state, created_at=key.created_at,
        grants=grants,
        encrypts_replicas=image_rules.key_encrypts_replicas(is_default=key.is_default, enabled=key.state == Key.State.ENABLED),
    )


def member_record(member: ImageMember) -> MemberRecord:
    return MemberRecord(
        image_id=str(member.image_id),
        image_name=member.image.name,
        project_id=member.project_id,
        project_name=member.project.name,
        account_name=member.project.account.name,
        status=member.status,
        created_at=member.created_at,
        updated_at=member.updated_at,
        expires_at=member.expires_at,
    )


def sharing_result(result: MembersChanged) -> SharingResult:
    return SharingResult(
        job_id=result.job.id, images=result.images, projects=result.projects, changed=result.changed,
        unchanged=result.unchanged, duplicates=result.duplicates, expires_at=result.expires_at,
    )


def _page(page: image_selectors.ImageListPage, query: ImageQuery) -> ImagePage:
    items = [image_record(i) for i in page.images]
    return ImagePage(
        items=items,
        total=page.total,
        next_marker=items[-1].id if items and page.has_next else None,
        previous_marker=items[0].id if items and page.has_previous else None,
        query=query,
        position=page.position,
    )


def _query_args(query: ImageQuery) -> dict:
    return {
        "name": query.name, "image_type": query.image_type, "os_type": query.os_type, "sort": query.sort,
        "order": query.order, "limit": query.limit, "after": _marker(query.after), "before": _marker(query.before),
    }


class _Images:
    """The owner's images: the list, lookups, Modify, Delete, Replicate."""

    def image_list_private(self, caller: Caller, query: ImageQuery) -> ImagePage:
        page = image_selectors.image_list_private(
            project_id=caller.project_id, annotations=_owner_columns(), **_query_args(query)
        )
        return _page(page, query)

    def image_get(self, caller: Caller, image_id: str, *, scope: Scope = Scope.OWN) -> ImageRecord:
        return self.images_get(caller, [image_id], scope=scope)[0]

    def images_get(self, caller: Caller, image_ids: list[str], *, scope: Scope = Scope.OWN) -> list[ImageRecord]:
        """All of them or IMG.0027 for the first one missing, ordered by name. Own images first, then (if the
        scope allows) the rest among those shared with the caller: one query each."""
        wanted = {_image_id(i) for i in image_ids}
        found: dict[str, Image] = {}
        if scope in (Scope.OWN, Scope.VISIBLE):
            own = image_selectors.images_get_for_project(
                project_id=caller.project_id, image_ids=sorted(wanted), annotations=_owner_columns()
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
        image_services.image_update(caller=caller, image_id=_image_id(image_id), name=name, description=description)
        return self.image_get(caller, image_id)

    def images_delete(self, caller: Caller, image_ids: list[str]) -> int:
        return image_services.images_delete(
            caller=caller, image_ids=[_image_id(i) for i in image_ids],
            before_delete=sharing_services.end_members_of_images,
        )

    def image_replicate(
        self, caller: Caller, image_id: str, *, name: str, description: str, key_id: str = ""
    ) -> ImageRecord:
        copy = replication.image_replicate(
            caller=caller, image_id=_image_id(image_id), name=name, description=description, key_id=key_id
        )
        return self.image_get(caller, str(copy.pk))


class _Members:
    """Who the caller's images are shared with: the Share Image dialog and the Sharing tab."""

    def image_members_list(self, caller: Caller, image_ids: list[str]) -> list[MemberRecord]:
        members = sharing_selectors.image_members_of_owner(
            owner_project_id=caller.project_id, image_ids=[_image_id(i) for i in image_ids]
        )
        return [member_record(m) for m in members]

    def image_members_page(
        self, caller: Caller, image_id: str, *, after: str = "", before: str = "", limit: int = 20
    ) -> MemberPage:
        members, total, has_previous, has_next = sharing_selectors.image_members_page(
            owner_project_id=caller.project_id, image_id=_image_id(image_id), after=after, before=before, limit=limit
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
            caller=caller, image_ids=[_image_id(i) for i in image_ids], project_ids=project_ids, expires_at=expires_at
        )
        return sharing_result(result)

    def image_members_remove(self, caller: Caller, image_ids: list[str], project_ids: list[str]) -> SharingResult:
        result = sharing_services.image_members_remove(
            caller=caller, image_ids=[_image_id(i) for i in image_ids], project_ids=project_ids
        )
        return sharing_result(result)

    def image_member_end_set(self, caller: Caller, image_id: str, project_id: str, expires_at: datetime | None) -> bool:
        return sharing_services.image_member_end_set(
            caller=caller, image_id=_image_id(image_id), project_id=project_id, expires_at=expires_at
        )


class _SharedWithMe:
    """Images shared with the caller: the lists, Accept and Reject, and the vaults full-ECS images go to."""

    def image_list_shared_with_me(self, caller: Caller, status: str, query: ImageQuery) -> ImagePage:
        page = sharing_selectors.image_list_shared_with_me(
            project_id=caller.project_id, account_id=caller.account_id, status=status, **_query_args(query)
        )
        return _page(page, query)

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
        result = sharing_services.image_member_status_update(
            caller=caller, image_ids=[_image_id(i) for i in image_ids], status=status, vault_id=vault_id,
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
