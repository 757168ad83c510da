"""Writes to images. Each service takes the acting Caller, checks it, and runs in one transaction."""

from __future__ import annotations

import re
import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone

from ims_console.backends.base import Caller, ImageStatus, IMSError, Visibility
from ims_console.models import Account, Trace
from images import rules
from images.models import DEFAULT_KEY_ALIAS, Image, Key, KeyGrant
from images.selectors import key_usable_by
from sharing.models import ImageMember, Job
from sharing.services import lock_images, members_end, record_image_job

GRANT_OPERATIONS = ["decrypt-datakey", "describe-key"]


def _require_write(caller: Caller) -> None:
    if not caller.can_write:
        raise IMSError.read_only()


@transaction.atomic
def image_update(*, caller: Caller, image_id: str, name: str, description: str) -> Image:
    """Modify: an imsUpdateImageJob and an updateImage trace that says what changed."""
    _require_write(caller)
    image = Image.objects.select_for_update().filter(project_id=caller.project_id, pk=image_id).first()
    if image is None:
        raise IMSError.image_not_found(image_id)
    changed = [f for f, new in (("name", name), ("description", description)) if getattr(image, f) != new]
    now = timezone.now()
    image.name = name
    image.description = description
    image.updated_at = now
    image.save(update_fields=["name", "description", "updated_at"])
    record_image_job(
        caller, job_type=Job.Type.UPDATE_IMAGE, trace=Trace.Name.UPDATE_IMAGE, image_ids=[str(image.pk)],
        result=f"success: {', '.join(changed)} changed" if changed else "success: nothing changed", now=now,
    )
    return image


@transaction.atomic
def images_delete(*, caller: Caller, image_ids: list[str]) -> int:
    """Delete the caller's images, all or nothing: one unknown ID and none is deleted.

    The images are locked first (the same order as sharing takes them), so that a share submitted meanwhile
    either completes before and its recipients go with the image, or waits and then finds the image gone.
    One imsDeleteImagesJob; a deleteImage trace per image and a deleteMember trace per recipient under it.
    """
    _require_write(caller)
    wanted = set(image_ids)
    images = [i for i in lock_images(wanted) if i.project_id == caller.project_id]
    found = {str(i.pk) for i in images}
    missing = sorted(wanted - found)
    if missing:
        raise IMSError.image_not_found(missing[0])
    now = timezone.now()
    job = record_image_job(
        caller, job_type=Job.Type.DELETE_IMAGES, trace=Trace.Name.DELETE_IMAGE, image_ids=sorted(found),
        result="success", now=now,
    )
    # Deleting an image ends its sharing (S14).
    members = list(ImageMember.objects.filter(image_id__in=found).select_for_update(of=("self",)).order_by("pk"))
    members_end(caller, members, job=job, result="success: image deleted", now=now)
    return Image.objects.filter(project_id=caller.project_id, pk__in=found).delete()[1].get("images.Image", 0)


# KMS keys and grants: a small KMS inside the console. The default key ims/default always exists and cannot be
# granted; a custom key granted to another account lets its projects receive and use images encrypted with it.


def _trace(caller: Caller, name: str, resource_type: str, resource_id: str, result: str, member: str = "", job_id: str = "") -> None:
    Trace.objects.create(
        name=name, user_id=caller.user_id, username=caller.username, project_id=caller.project_id,
        resource_type=resource_type, resource_id=resource_id, member_project_id=member,
        source_ip=caller.source_ip or None, result=result, job_id=job_id, time=timezone.now(),
    )


def default_key(project_id: str) -> Key:
    """Every project has ims/default; it is made the first time anyone asks for it."""
    key, _ = Key.objects.get_or_create(
        project_id=project_id, alias=DEFAULT_KEY_ALIAS, defaults={"is_default": True}
    )
    return key


def own_key(caller: Caller, key_id: str, *, lock: bool = False) -> Key:
    """A key of the caller's project; `lock` holds its row until the transaction ends, so that changes to one key
    and its grants take turns."""
    keys = Key.objects.select_for_update() if lock else Key.objects
    try:
        key = keys.filter(pk=uuid.UUID(str(key_id)), project_id=caller.project_id).first()
    except ValueError:
        key = None
    if key is None:
        raise IMSError("", f"Key {key_id} does not exist in this project.", item=str(key_id), status=404)
    return key


@transaction.atomic
def key_create(*, caller: Caller, alias: str) -> Key:
    _require_write(caller)
    alias = alias.strip()
    if not rules.KEY_ALIAS.fullmatch(alias):
        raise IMSError.many([IMSError(
            "", f"“{alias}” is not a key alias: use 1 to 255 letters, digits, slashes (/), underscores (_) and hyphens (-).",
            field="alias",
        )])
    taken = IMSError.many([IMSError("", f"This project already has a key named “{alias}”.", field="alias")])
    if alias == DEFAULT_KEY_ALIAS or Key.objects.filter(project_id=caller.project_id, alias=alias).exists():
        raise taken
    # Two sessions may pass the check above at once; the unique constraint decides, and the loser is told the
    # same as if it had come second.
    try:
        with transaction.atomic():
            key = Key.objects.create(project_id=caller.project_id, alias=alias)
    except IntegrityError:
        raise taken from None
    _trace(caller, Trace.Name.CREATE_KEY, "key", str(key.pk), "success")
    return key


@transaction.atomic
def key_state_update(*, caller: Caller, key_id: str, enabled: bool) -> Key:
    _require_write(caller)
    key = own_key(caller, key_id, lock=True)
    if key.is_default:
        raise IMSError("", "The default key ims/default cannot be disabled.", status=400)
    key.state = Key.State.ENABLED if enabled else Key.State.DISABLED
    key.save(update_fields=["state"])
    _trace(caller, Trace.Name.UPDATE_KEY, "key", str(key.pk), f"success: {key.state}")
    return key


@transaction.atomic
def key_grant_create(*, caller: Caller, key_id: str, account_id: str) -> KeyGrant:
    _require_write(caller)
    key = own_key(caller, key_id, lock=True)
    account_id = account_id.strip().lower()
    problem = None
    if key.is_default:
        problem = "The default key ims/default cannot be granted to other accounts."
    elif not re.fullmatch(r"[0-9a-f]{32}", account_id):
        problem = f"“{account_id}” is not an account ID: an account ID is 32 hexadecimal characters (0-9, a-f)."
    elif account_id == caller.account_id:
        problem = f"{account_id} is your own account; its projects can use this key without a grant."
    elif not Account.objects.filter(pk=account_id).exists():
        problem = f"Account {account_id} does not exist."
    if problem:
        raise IMSError.many([IMSError("", problem, item=account_id, field="account_id")])
    try:
        with transaction.atomic():
            grant = KeyGrant.objects.create(key=key, grantee_account_id=account_id, operations=GRANT_OPERATIONS)
    except IntegrityError:
        name = Account.objects.get(pk=account_id).name
        raise IMSError.many([IMSError("", f"Account {name} ({account_id}) already holds a grant on {key.alias}.", item=account_id)]) from None
    _trace(caller, Trace.Name.CREATE_GRANT, "key", str(key.pk), "success", member=account_id)
    return grant


@transaction.atomic
def key_grant_revoke(*, caller: Caller, key_id: str, account_id: str) -> None:
    _require_write(caller)
    key = own_key(caller, key_id, lock=True)
    deleted, _ = KeyGrant.objects.filter(key=key, grantee_account_id=account_id).delete()
    if not deleted:
        raise IMSError.many([IMSError("", f"Account {account_id} holds no grant on {key.alias}.", item=account_id)])
    _trace(caller, Trace.Name.REVOKE_GRANT, "key", str(key.pk), "success", member=account_id)


@transaction.atomic
def image_replicate(*, caller: Caller, image_id: str, name: str, description: str, key_id: str = "") -> Image:
    """Copy an image into the caller's private images (R6): own images, or shared ones once accepted."""
    _require_write(caller)
    try:
        source = Image.objects.select_related("key__project").filter(pk=uuid.UUID(str(image_id))).first()
    except ValueError:
        source = None
    shared = source is not None and source.project_id != caller.project_id
    member = None
    if shared:
        # Locked, so that a reject or a stop-sharing meanwhile waits for the copy, or the copy sees it.
        member = ImageMember.objects.select_for_update().filter(image=source, project_id=caller.project_id).first()
    if source is None or (shared and member is None):
        raise IMSError.image_not_found(str(image_id))

    problems = []
    if shared and member.status != ImageMember.Status.ACCEPTED:
        problems.append(IMSError("IMG.0196", f"Accept “{source.name}” before replicating it.", item=str(source.pk)))
    problems += rules.replicate_refusals(
        image_id=str(source.pk), name=source.name, image_type=source.image_type, size=source.size, status=source.status
    )
    if shared and source.key_id and not Image.objects.filter(key_usable_by(caller.account_id), pk=source.pk).exists():
        problems.append(IMSError("IMG.0099", rules.unavailable_reason(source, usable=False) + " It cannot be replicated until the grant is back.", item=str(source.pk)))

    target_key = None
    if key_id:
        try:
            target_key = Key.objects.filter(pk=uuid.UUID(str(key_id)), project_id=caller.project_id, is_default=False).first()
        except ValueError:
            target_key = None
        if target_key is None:
            problems.append(IMSError("", "Choose one of this project's own custom keys.", field="key_id"))
        elif target_key.state != Key.State.ENABLED:
            problems.append(IMSError("", f"Key {target_key.alias} is disabled; enable it or choose another.", field="key_id"))
    elif shared and source.key_id:
        problems.append(IMSError("", f"“{source.name}” is encrypted: choose one of this project's own keys to encrypt the copy with.", field="key_id"))
    if problems:
        raise IMSError.many(problems)

    now = timezone.now()
    copy = Image.objects.create(
        project_id=caller.project_id, name=name, description=description, status=ImageStatus.ACTIVE,
        visibility=Visibility.PRIVATE, image_type=source.image_type, os_type=source.os_type, os_version=source.os_version,
        disk_format=source.disk_format, min_disk=source.min_disk, size=source.size, key=target_key,
        tags=dict(source.tags or {}), created_at=now, updated_at=now,
    )
    job = Job.objects.create(
        job_type=Job.Type.COPY_IMAGE, status=Job.Status.SUCCESS, project_id=caller.project_id, begin_time=now,
        end_time=timezone.now(), entities={"image_id": str(copy.pk), "source_image_id": str(source.pk)},
    )
    _trace(caller, Trace.Name.COPY_IMAGE, "image", str(copy.pk), f"success: copy of {source.pk}", job_id=job.id)
    return copy
