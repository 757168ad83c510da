"""Writes to images and KMS keys. Each service takes the acting Caller, checks it, and runs in one transaction.

This app knows nothing of sharing: what sharing must do when an image goes (end its members) is handed in by the
backend that composes the two (ims_console.backends.embedded.backend).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from images import rules
from images.models import DEFAULT_KEY_ALIAS, Image, Key, KeyGrant
from ims_console.activity import audit
from ims_console.activity.audit import Entry
from ims_console.activity.models import Job, Trace
from ims_console.core.errors import ConsoleCode, IMSError
from ims_console.core.ids import parse_uuid
from ims_console.identity.caller import Caller
from ims_console.identity.models import Account, Project


def lock_images(image_ids: Iterable[str]) -> list[Image]:
    """Lock image rows until the transaction ends, always in primary-key order, so that two writers on overlapping
    images queue up instead of deadlocking. Every check-then-write on an image's members (the recipient limit,
    one member per pair, deleting an image while it is shared) runs under this lock. On SQLite the IMMEDIATE
    transaction (settings) already serializes writers and FOR UPDATE is left out."""
    return list(
        Image.objects.filter(pk__in=list(image_ids)).select_related("project", "key__project")
        .select_for_update(of=("self",)).order_by("pk")
    )


@transaction.atomic
def image_update(*, caller: Caller, image_id: str, name: str, description: str) -> Image:
    """Modify: an imsUpdateImageJob and an updateImage trace that says what changed."""
    caller.require_write()
    image = Image.objects.select_for_update().filter(project_id=caller.project_id, pk=image_id).first()
    if image is None:
        raise IMSError.image_not_found(image_id)
    changed = [f for f, new in (("name", name), ("description", description)) if getattr(image, f) != new]
    now = timezone.now()
    image.name = name
    image.description = description
    image.updated_at = now
    image.save(update_fields=["name", "description", "updated_at"])
    result = f"success: {', '.join(changed)} changed" if changed else "success: nothing changed"
    job = audit.record_job(caller, Job.Type.UPDATE_IMAGE, entities=_image_results({str(image.pk): image.name}), now=now)
    audit.record_traces(caller, Trace.Name.UPDATE_IMAGE, [Entry(str(image.pk), "", result)], job=job, now=now)
    return image


@transaction.atomic
def image_visibility_set(*, caller: Caller, image_id: str, visibility: str) -> Image:
    """Private or shared, as a Glance client sets it before adding members (IMS shares private images as they are;
    the console treats both alike)."""
    caller.require_write()
    image = Image.objects.select_for_update().filter(project_id=caller.project_id, pk=image_id).first()
    if image is None:
        raise IMSError.image_not_found(image_id)
    now = timezone.now()
    Image.objects.filter(pk=image.pk).update(visibility=visibility, updated_at=now)
    job = audit.record_job(caller, Job.Type.UPDATE_IMAGE, entities=_image_results({str(image.pk): image.name}), now=now)
    audit.record_traces(caller, Trace.Name.UPDATE_IMAGE, [Entry(str(image.pk), "", f"success: visibility {visibility}")],
                        job=job, now=now)
    return image


# What must happen to other things when images are deleted, inside the deletion's transaction: the images (locked),
# the deletion's job, and the time it is recorded at.
BeforeDelete = Callable[[Caller, list[Image], Job, datetime], None]


@transaction.atomic
def images_delete(*, caller: Caller, image_ids: list[str], before_delete: BeforeDelete | None = None) -> int:
    """Delete the caller's images, all or nothing: one unknown ID and none is deleted.

    The images are locked first (the same order as sharing takes them), so that a share submitted meanwhile
    either completes before and goes with the image, or waits and then finds the image gone. One
    imsDeleteImagesJob with a deleteImage trace per image; `before_delete` records what else goes under it.
    """
    caller.require_write()
    wanted = set(image_ids)
    images = [i for i in lock_images(wanted) if i.project_id == caller.project_id]
    names = {str(i.pk): i.name for i in images}
    found = sorted(names)
    missing = sorted(wanted - set(found))
    if missing:
        raise IMSError.image_not_found(missing[0])
    now = timezone.now()
    job = audit.record_job(caller, Job.Type.DELETE_IMAGES, entities=_image_results({i: names[i] for i in found}), now=now)
    audit.record_traces(caller, Trace.Name.DELETE_IMAGE, [Entry(i, "", "success") for i in found], job=job, now=now)
    if before_delete:
        before_delete(caller, images, job, now)
    return Image.objects.filter(project_id=caller.project_id, pk__in=found).delete()[1].get("images.Image", 0)


def _image_results(names: dict[str, str]) -> dict:
    """An image job's entities: each image's result, and its name at this time (see audit.pair_results)."""
    return {"results": [{"image_id": i, "status": "success"} for i in names], "names": names}


# KMS keys and grants: a small KMS inside the console. The default key ims/default exists from the project's
# creation on and cannot be granted; a custom key granted to another account lets its projects receive and use
# images encrypted with it.


def create_default_key(project: Project) -> Key:
    """Every project has ims/default, made with the project (images.apps connects this to Project's creation)."""
    key, _ = Key.objects.get_or_create(project=project, alias=DEFAULT_KEY_ALIAS, defaults={"is_default": True})
    return key


def own_key(caller: Caller, key_id: str, *, lock: bool = False) -> Key:
    """A key of the caller's project; `lock` holds its row until the transaction ends, so that changes to one key
    and its grants take turns."""
    keys = Key.objects.select_for_update() if lock else Key.objects
    parsed = parse_uuid(key_id)
    key = keys.filter(pk=parsed, project_id=caller.project_id).first() if parsed else None
    if key is None:
        raise IMSError(ConsoleCode.KEY_NOT_FOUND, gettext("Key %(key_id)s does not exist in this project.") % {"key_id": key_id}, item=str(key_id), status=404)
    return key


def _key_trace(caller: Caller, name: str, key: Key, result: str, member: str = "") -> None:
    audit.record_traces(caller, name, [Entry(str(key.pk), member, result, resource_type="key")])


@transaction.atomic
def key_create(*, caller: Caller, alias: str) -> Key:
    caller.require_write()
    alias = alias.strip()
    if not rules.KEY_ALIAS.fullmatch(alias):
        raise IMSError(
            ConsoleCode.KEY_ALIAS_INVALID,
            gettext("“%(alias)s” is not a key alias: use 1 to 255 letters, digits, slashes (/), underscores (_) and hyphens (-).") % {"alias": alias},
            field="alias",
        )
    taken = IMSError(ConsoleCode.KEY_ALIAS_TAKEN, gettext("This project already has a key named “%(alias)s”.") % {"alias": alias}, field="alias")
    if alias == DEFAULT_KEY_ALIAS or Key.objects.filter(project_id=caller.project_id, alias=alias).exists():
        raise taken
    # Two sessions may pass the check above at once; the unique constraint decides, and the loser is told the
    # same as if it had come second.
    try:
        with transaction.atomic():
            key = Key.objects.create(project_id=caller.project_id, alias=alias)
    except IntegrityError:
        raise taken from None
    _key_trace(caller, Trace.Name.CREATE_KEY, key, "success")
    return key


@transaction.atomic
def key_state_update(*, caller: Caller, key_id: str, enabled: bool) -> Key:
    caller.require_write()
    key = own_key(caller, key_id, lock=True)
    if key.is_default:
        raise IMSError(ConsoleCode.DEFAULT_KEY_FIXED, gettext("The default key ims/default cannot be disabled."))
    key.state = Key.State.ENABLED if enabled else Key.State.DISABLED
    key.save(update_fields=["state"])
    _key_trace(caller, Trace.Name.UPDATE_KEY, key, f"success: {key.state}")
    return key


@transaction.atomic
def key_grant_create(*, caller: Caller, key_id: str, account_id: str) -> KeyGrant:
    caller.require_write()
    key = own_key(caller, key_id, lock=True)
    account_id = account_id.strip().lower()
    problem = rules.grant_create_refusal(
        key_is_default=key.is_default, account_id=account_id, own_account_id=caller.account_id,
        exists=lambda: Account.objects.filter(pk=account_id).exists(),
    )
    if problem:
        raise problem
    try:
        with transaction.atomic():
            grant = KeyGrant.objects.create(key=key, grantee_account_id=account_id, operations=KeyGrant.OPERATIONS)
    except IntegrityError:
        name = Account.objects.get(pk=account_id).name
        raise IMSError(
            ConsoleCode.GRANT_EXISTS, gettext("Account %(name)s (%(account_id)s) already holds a grant on %(alias)s.") % {"name": name, "account_id": account_id, "alias": key.alias},
            item=account_id, field="account_id",
        ) from None
    _key_trace(caller, Trace.Name.CREATE_GRANT, key, "success", member=account_id)
    return grant


@transaction.atomic
def key_grant_revoke(*, caller: Caller, key_id: str, account_id: str) -> None:
    caller.require_write()
    key = own_key(caller, key_id, lock=True)
    deleted, _ = KeyGrant.objects.filter(key=key, grantee_account_id=account_id).delete()
    if not deleted:
        raise IMSError.grant_not_found(account_id, key.alias)
    _key_trace(caller, Trace.Name.REVOKE_GRANT, key, "success", member=account_id)
