"""The recipient's side of sharing: accept or reject images shared with its project (R1 to R4)."""

from __future__ import annotations

import uuid
from typing import NamedTuple

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from images.models import Image
from ims_console.activity.models import Job, Trace
from ims_console.core.errors import ConsoleCode, IMSError
from ims_console.core.ids import parse_uuid
from ims_console.identity.caller import Caller
from sharing import rules
from sharing.members import MembersChanged, record, release_vault_space
from sharing.models import ImageMember, Vault

PKS_PER_UPDATE = 5000


class _Share(NamedTuple):
    """One member row of the caller's project, as much of it as a status change needs (no model objects: Accept
    All may change tens of thousands)."""

    pk: int
    image_id: str
    status: str
    vault_id: uuid.UUID | None
    reserved_gb: int
    image_type: str
    size: int
    name: str


def _vault_problem(caller: Caller, vault_id: str, accepting: list[_Share]) -> tuple[Vault | None, IMSError | None]:
    """The vault chosen for accepting full-ECS images, locked so that two acceptances cannot both take its last
    free space, or the reason it cannot take them."""
    names = ", ".join(f"“{m.name}”" for m in accepting)
    needed_gb = sum(rules.backup_gb(m.size) for m in accepting)
    vault_pk = parse_uuid(vault_id) if vault_id else None
    vault = Vault.objects.select_for_update().filter(pk=vault_pk, project_id=caller.project_id).first() if vault_pk else None
    problem = rules.vault_refusal(
        vault_id=vault_id, vault_name=vault.name if vault else None,
        protection_type=vault.protection_type if vault else "", resource_type=vault.resource_type if vault else "",
        free_gb=vault.capacity_gb - vault.used_gb if vault else 0, needed_gb=needed_gb, images=names,
    )
    return vault, problem


@transaction.atomic
def image_member_status_update(
    *, caller: Caller, image_ids: list[str], status: str, vault_id: str = "", all_pending: bool = False,
    allow_pending: bool = False,
) -> MembersChanged:
    """The recipient accepts or rejects images shared with its project (R1 to R4), all or nothing: the images
    named, or with `all_pending` every share still pending (Accept All).

    Any status may move to accepted or rejected at any time. Only the recipient may: the owner gets 403,
    anyone else 404. Through the image API (`allow_pending`), a share may also be set back to pending, as Glance
    allows; like rejecting, that gives a full-ECS image's vault space back. Accepting a full-ECS image reserves its backup's size in the chosen vault; rejecting it
    gives the space back. The plain shares change in one UPDATE and one trace insert, however many they are.
    """
    caller.require_write()
    allowed = [ImageMember.Status.ACCEPTED, ImageMember.Status.REJECTED] + ([ImageMember.Status.PENDING] if allow_pending else [])
    if status not in allowed:
        raise IMSError("IMG.0001", gettext("Status “%(status)s” is not one of %(allowed)s.") % {"status": status, "allowed": ', '.join(allowed)}, field="status")
    mine = ImageMember.objects.filter(project_id=caller.project_id)
    if all_pending:
        scope = mine.filter(status=ImageMember.Status.PENDING)
    else:
        wanted = list(dict.fromkeys(str(i) for i in image_ids))
        if not wanted:
            raise IMSError.nothing_selected()
        scope = mine.filter(image_id__in=wanted)
    # The member rows are locked (in a fixed order) so that two sessions changing the same shares take turns,
    # and each change is counted and traced once.
    shares = {
        str(row[1]): _Share(row[0], str(row[1]), *row[2:])
        for row in scope.select_for_update(of=("self",)).order_by("pk").values_list(
            "pk", "image_id", "status", "vault_id", "reserved_gb", "image__image_type", "image__size", "image__name"
        )
    }
    if all_pending:
        wanted = list(shares)
        if not wanted:
            raise IMSError(ConsoleCode.NOTHING_PENDING, gettext("No image is waiting for you to accept it."))
    missing = [i for i in wanted if i not in shares]
    if missing:
        owned = Image.objects.filter(pk__in=missing, project_id=caller.project_id).first()
        if owned:
            raise IMSError(
                "IMG.0047", gettext("You own image “%(name)s”; only a project it is shared with can accept or reject it.") % {"name": owned.name},
                item=str(owned.pk), status=403,
            )
        raise IMSError.image_not_found(missing[0])

    changing = [shares[i] for i in wanted if shares[i].status != status]
    accepting_full_ecs = [
        m for m in changing if status == ImageMember.Status.ACCEPTED and rules.accept_needs_vault(m.image_type)
    ]
    vault = None
    if accepting_full_ecs:
        vault, problem = _vault_problem(caller, vault_id, accepting_full_ecs)
        if problem:
            raise IMSError.many([problem])

    now = timezone.now()
    if status != ImageMember.Status.ACCEPTED:
        release_vault_space(changing)
    # Exactly the rows read and locked above (a share added meanwhile is not swept in untraced), a few
    # thousand per UPDATE so that no database's limit on parameters is reached.
    full_ecs = {m.pk for m in accepting_full_ecs}
    plain = [m.pk for m in changing if m.pk not in full_ecs]
    for start in range(0, len(plain), PKS_PER_UPDATE):
        ImageMember.objects.filter(pk__in=plain[start : start + PKS_PER_UPDATE]).update(
            status=status, updated_at=now, vault=None, reserved_gb=0
        )
    for member in accepting_full_ecs:
        ImageMember.objects.filter(pk=member.pk).update(
            status=status, updated_at=now, vault=vault, reserved_gb=rules.backup_gb(member.size)
        )
    if vault is not None:
        Vault.objects.filter(pk=vault.pk).update(
            used_gb=F("used_gb") + sum(rules.backup_gb(m.size) for m in accepting_full_ecs)
        )
    changed = [(m.image_id, caller.project_id) for m in changing]
    unchanged = [(i, caller.project_id) for i in wanted if shares[i].status == status]
    job = record(
        caller, job_type=Job.Type.UPDATE_MEMBERS, trace=Trace.Name.UPDATE_MEMBER, changed=changed, unchanged=unchanged,
        changed_result=f"success: {status}", unchanged_result=f"unchanged: already {status}", now=now,
        names={m.image_id: m.name for m in shares.values()}, extra={"member_status": status},
    )
    return MembersChanged(
        job=job, images=len(wanted), projects=1, changed=len(changed), unchanged=len(unchanged), duplicates=[]
    )
