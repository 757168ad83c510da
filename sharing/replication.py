"""Replicate Image (R6): a copy in the caller's private images of an own image, or of one shared with the caller
once accepted. It lives with sharing because whether a shared image may be copied is a question of its share."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from images import rules
from images.models import Image, Key
from images.selectors import key_usable_by
from ims_console.activity import audit
from ims_console.activity.audit import Entry
from ims_console.activity.models import Job, Trace
from ims_console.core.errors import IMSError
from ims_console.core.ids import parse_uuid
from ims_console.core.vocabulary import ImageStatus, Visibility
from ims_console.identity.caller import Caller
from sharing.models import ImageMember


@transaction.atomic
def image_replicate(*, caller: Caller, image_id: str, name: str, description: str, key_id: str = "") -> Image:
    caller.require_write()
    source_pk = parse_uuid(image_id)
    source = Image.objects.select_related("key__project").filter(pk=source_pk).first() if source_pk else None
    shared = source is not None and source.project_id != caller.project_id
    member = None
    if shared:
        # Locked, so that a reject or a stop-sharing meanwhile waits for the copy, or the copy sees it.
        member = ImageMember.objects.select_for_update().filter(image=source, project_id=caller.project_id).first()
    if source is None or (shared and member is None):
        raise IMSError.image_not_found(str(image_id))

    problems = []
    if member is not None and member.status != ImageMember.Status.ACCEPTED:
        problems.append(IMSError("IMG.0196", gettext("Accept “%(name)s” before replicating it.") % {"name": source.name}, item=str(source.pk)))
    problems += rules.replicate_refusals(
        image_id=str(source.pk), name=source.name, image_type=source.image_type, size=source.size, status=source.status
    )
    key = source.key
    if shared and key and not Image.objects.filter(key_usable_by(caller.account_id), pk=source.pk).exists():
        reason = rules.unavailable_reason(
            encrypted=True, usable=False, key_alias=key.alias, key_disabled=key.state == Key.State.DISABLED
        )
        problems.append(IMSError("IMG.0099", gettext("%(reason)s It cannot be replicated until the grant is back.") % {"reason": reason}, item=str(source.pk)))

    key_pk = parse_uuid(key_id) if key_id else None
    target_key = Key.objects.filter(pk=key_pk, project_id=caller.project_id).first() if key_pk else None
    key_problem = rules.replica_key_refusal(
        source_name=source.name, needs_key=rules.replica_needs_key(shared=shared, encrypted=source.key_id is not None),
        key_id=key_id, key_alias=target_key.alias if target_key else None,
        is_default=bool(target_key and target_key.is_default),
        enabled=bool(target_key and target_key.state == Key.State.ENABLED),
    )
    if key_problem:
        problems.append(key_problem)
    if problems:
        raise IMSError.many(problems)

    now = timezone.now()
    copy = Image.objects.create(
        project_id=caller.project_id, name=name, description=description, status=ImageStatus.ACTIVE,
        visibility=Visibility.PRIVATE, image_type=source.image_type, os_type=source.os_type, os_version=source.os_version,
        disk_format=source.disk_format, min_disk=source.min_disk, size=source.size, key=target_key,
        tags=dict(source.tags or {}), created_at=now, updated_at=now,
    )
    entities = {"image_id": str(copy.pk), "source_image_id": str(source.pk), "names": {str(copy.pk): copy.name}}
    job = audit.record_job(caller, Job.Type.COPY_IMAGE, entities=entities, now=now)
    audit.record_traces(caller, Trace.Name.COPY_IMAGE, [Entry(str(copy.pk), "", f"success: copy of {source.pk}")], job=job, now=now)
    return copy
