"""The embedded backend's records: the console's models as the protocol's records (ims_console.backends.records),
and the small translations of what views pass in (IDs and markers from URLs, a list's query)."""

from __future__ import annotations

from images import rules as image_rules
from images import selectors as image_selectors
from images.models import Image, Key
from ims_console.backends.records import (
    GrantRecord,
    ImagePage,
    ImageQuery,
    ImageRecord,
    KeyRecord,
    MemberRecord,
    SharingResult,
)
from ims_console.core.errors import IMSError
from ims_console.core.ids import parse_uuid
from sharing import rules as sharing_rules
from sharing import selectors as sharing_selectors
from sharing.members import MembersChanged
from sharing.models import ImageMember


def image_id_of(value: str) -> str:
    """IDs come from URLs and forms: anything that is not a UUID names no image."""
    parsed = parse_uuid(value)
    if parsed is None:
        raise IMSError.image_not_found(value)
    return str(parsed)


def marker_of(value: str) -> str:
    """A stale or malformed marker means "from the start", not an error: links outlive the rows they name."""
    parsed = parse_uuid(value) if value else None
    return str(parsed) if parsed else ""


def owner_columns() -> image_selectors.Annotations:
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


def page_record(page: image_selectors.ImageListPage, query: ImageQuery) -> ImagePage:
    items = [image_record(i) for i in page.images]
    return ImagePage(
        items=items,
        total=page.total,
        next_marker=items[-1].id if items and page.has_next else None,
        previous_marker=items[0].id if items and page.has_previous else None,
        query=query,
        position=page.position,
    )


def query_args(query: ImageQuery) -> dict:
    return {
        "name": query.name, "image_type": query.image_type, "os_type": query.os_type, "sort": query.sort,
        "order": query.order, "limit": query.limit, "after": marker_of(query.after), "before": marker_of(query.before),
    }
