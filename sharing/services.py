"""Owner-side sharing writes: add and remove image members.

Each service validates the whole request first, with a fixed number of queries whatever its size, and refuses
it whole if anything is wrong (S13). Then it writes in one transaction: the members in bulk, one IMS job with the
per-pair results, and one audit trace per pair (S15).
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple, Protocol

from django.db import transaction
from django.db.models import Count, F
from django.db.models.functions import Greatest
from django.utils import timezone

from images.models import Image, KeyGrant
from images.services import lock_images
from ims_console import audit
from ims_console.audit import Entry
from ims_console.bulk import bulk_insert
from ims_console.caller import Caller
from ims_console.ids import parse_uuid
from ims_console.ims_errors import ConsoleCode, IMSError
from ims_console.models import Job, Project, Trace
from sharing import rules
from sharing.models import ImageMember, Vault


@dataclass(frozen=True)
class MembersChanged:
    job: Job
    images: int
    projects: int
    changed: int
    unchanged: int
    duplicates: list[str]
    expires_at: datetime | None = None


def _owned_images(caller: Caller, image_ids: list[str]) -> list[Image]:
    """The caller's own images, in the order asked, locked. Unknown ones are 404; ones shared with the caller,
    IMG.0047."""
    wanted = list(dict.fromkeys(str(i) for i in image_ids))
    if not wanted:
        raise IMSError.nothing_selected()
    found = {str(i.pk): i for i in lock_images(wanted)}
    foreign = [i for i in found.values() if i.project_id != caller.project_id]
    received = set()
    if foreign:
        received = {
            str(pk)
            for pk in ImageMember.objects.filter(image__in=foreign, project_id=caller.project_id).values_list("image_id", flat=True)
        }
    for image_id in wanted:
        image = found.get(image_id)
        if image is None or (image.project_id != caller.project_id and image_id not in received):
            raise IMSError.image_not_found(image_id)
        if image.project_id != caller.project_id:
            raise IMSError.only_the_owner(image_id, image.name)
    return [found[i] for i in wanted]


def _record(
    caller: Caller, *, job_type: str, trace: str, changed: list[tuple[str, str]], unchanged: list[tuple[str, str]],
    changed_result: str, unchanged_result: str, now, names: dict[str, str], extra: dict | None = None,
) -> Job:
    """The IMS job with its per-pair results and the images' names at this time, and one trace per pair (S15), in
    two inserts whatever the size."""
    entities = {**audit.pair_results(changed, unchanged, names), **(extra or {})}
    job = audit.record_job(caller, job_type, entities=entities, now=now)
    audit.record_traces(
        caller, trace,
        [Entry(i, p, changed_result) for i, p in changed] + [Entry(i, p, unchanged_result) for i, p in unchanged],
        job=job, now=now,
    )
    return job


def members_end(caller: Caller, members: list[ImageMember], *, job: Job, result: str, now) -> None:
    """Members that go away (stop sharing, image deleted): give back the vault space their full-ECS backups
    held, trace each as deleteMember under `job`, and delete them. The caller holds the images' locks."""
    _release_vault_space(members)
    audit.record_traces(
        caller, Trace.Name.DELETE_MEMBER, [Entry(str(m.image_id), m.project_id, result) for m in members], job=job, now=now
    )
    ImageMember.objects.filter(pk__in=[m.pk for m in members]).delete()


def end_members_of_images(caller: Caller, images: list[Image], job: Job, now) -> None:
    """Deleting images ends their sharing (S14): called by the image deletion, under its job and its locks."""
    members = list(
        ImageMember.objects.filter(image__in=images).select_for_update(of=("self",)).order_by("pk")
    )
    members_end(caller, members, job=job, result="success: image deleted", now=now)


class _HoldsSpace(Protocol):
    """A member row or a _Share: the vault space an accepted full-ECS image holds."""

    @property
    def vault_id(self) -> uuid.UUID | None: ...

    @property
    def reserved_gb(self) -> int: ...


def _release_vault_space(members: Sequence[_HoldsSpace]) -> None:
    """Give back what accepted full-ECS images reserved in their vaults (R4), one UPDATE per vault."""
    held: Counter[uuid.UUID] = Counter()
    for member in members:
        if member.vault_id and member.reserved_gb:
            held[member.vault_id] += member.reserved_gb
    for vault_id in sorted(held):
        Vault.objects.filter(pk=vault_id).update(used_gb=Greatest(F("used_gb") - held[vault_id], 0))


@transaction.atomic
def image_members_add(
    *, caller: Caller, image_ids: list[str], project_ids: list[str], expires_at: datetime | None = None
) -> MembersChanged:
    """Share images with projects (S1 to S15). Pairs that exist already are left as they are (S12), except that
    an expiry given applies to them too: sharing again with a later day is how a share is extended. The task
    worker ends the shares when they expire (sharing.tasks)."""
    caller.require_write()
    parsed = rules.parse_project_ids(project_ids)
    if parsed.too_many:
        raise IMSError.many(parsed.problems)
    images = _owned_images(caller, image_ids)
    problems = list(parsed.problems)
    for image in images:
        problems += rules.image_refusals(
            image_id=str(image.pk), name=image.name, visibility=image.visibility, status=image.status,
            image_type=image.image_type, backup_source=image.backup_source,
            key_is_default=image.key is not None and image.key.is_default,
        )

    region = images[0].project.region
    targets = {p.pk: p for p in Project.objects.filter(pk__in=parsed.ids).select_related("account")}
    for project_id in parsed.ids:
        target = targets.get(project_id)
        problem = rules.own_project_refusal(project_id=project_id, owner_project_id=caller.project_id) or rules.region_refusal(
            project_id=project_id, project_region=target.region if target else None, region=region
        )
        if problem:
            problems.append(problem)
            targets.pop(project_id, None)

    custom_keyed = [(i, i.key) for i in images if i.key is not None and not i.key.is_default]
    if custom_keyed and targets:
        granted = set(
            KeyGrant.objects.filter(
                key_id__in={key.pk for _, key in custom_keyed}, grantee_account_id__in={t.account_id for t in targets.values()}
            ).values_list("key_id", "grantee_account_id")
        )
        for image, key in custom_keyed:
            for target in targets.values():
                # A key is its own account's to use: only other accounts need a grant.
                has_grant = target.account_id == key.project.account_id or (key.pk, target.account_id) in granted
                problem = rules.grant_refusal(
                    image_id=str(image.pk), name=image.name, key_id=str(key.pk), key_alias=key.alias,
                    project_id=target.pk, granted=has_grant, project_name=target.name, account_name=target.account.name,
                )
                if problem:
                    problems.append(problem)

    existing = {
        (str(i), p)
        for i, p in ImageMember.objects.filter(image__in=images, project_id__in=list(targets)).values_list("image_id", "project_id")
    }
    new_pairs = [(str(i.pk), p) for i in images for p in parsed.ids if p in targets and (str(i.pk), p) not in existing]
    counts = dict(ImageMember.objects.filter(image__in=images).values_list("image_id").annotate(n=Count("id")))
    adding = Counter(image_id for image_id, _ in new_pairs)
    for image in images:
        problem = rules.quota_refusal(
            image_id=str(image.pk), name=image.name, image_type=image.image_type,
            existing=counts.get(image.pk, 0), adding=adding[str(image.pk)],
        )
        if problem:
            problems.append(problem)
    if problems:
        raise IMSError.many(problems)

    now = timezone.now()
    bulk_insert(
        ImageMember,
        ("image", "project", "owner_project", "status", "created_at", "updated_at", "expires_at"),
        ((i, p, caller.project_id, ImageMember.Status.PENDING, now, now, expires_at) for i, p in new_pairs),
    )
    unchanged = sorted(existing)
    # A trace's result holds at most 64 characters: "unchanged: already shared; ends 2026-12-31T00:00:00+01:00".
    ends = f"; ends {expires_at.isoformat()}" if expires_at else ""
    if expires_at and unchanged:
        ImageMember.objects.filter(image__in=images, project_id__in=list(targets)).update(expires_at=expires_at)
    job = _record(
        caller, job_type=Job.Type.ADD_MEMBERS, trace=Trace.Name.ADD_MEMBER, changed=new_pairs, unchanged=unchanged,
        changed_result="success" + ends, unchanged_result="unchanged: already shared" + ends, now=now,
        names={str(i.pk): i.name for i in images}, extra={"expires_at": expires_at.isoformat()} if expires_at else None,
    )
    if expires_at:
        from sharing.tasks import end_expired_shares

        transaction.on_commit(lambda: end_expired_shares.using(run_after=expires_at).enqueue())
    return MembersChanged(
        job=job, images=len(images), projects=len(parsed.ids), changed=len(new_pairs), unchanged=len(unchanged),
        duplicates=parsed.duplicates, expires_at=expires_at,
    )


@transaction.atomic
def image_member_end_set(*, caller: Caller, image_id: str, project_id: str, expires_at: datetime | None) -> bool:
    """Set when one share ends by itself, or (None) that it lasts until its owner stops it: the owner's Change
    End on the Sharing tab. Under the image's lock, as the expiry task takes it, so a share that has just ended is
    "not a recipient" here and an end moved here is not ended by a task that read the old one. An updateMember
    trace and an imsUpdateImageMembersJob record it. Returns whether the end changed."""
    caller.require_write()
    (image,) = _owned_images(caller, [image_id])
    member = ImageMember.objects.filter(image=image, project_id=project_id).select_for_update(of=("self",)).first()
    if member is None:
        raise IMSError.many([IMSError(
            ConsoleCode.NOT_A_RECIPIENT, f"Project {project_id} is not a recipient of {image.name} (any more).",
            item=project_id,
        )])
    changed = member.expires_at != expires_at
    if changed:
        ImageMember.objects.filter(pk=member.pk).update(expires_at=expires_at)
    # 41 characters at most of the trace's 64: "unchanged: ends 2026-12-31T00:00:00+01:00".
    result = f"ends {expires_at.isoformat()}" if expires_at else "end removed"
    pair = [(str(image.pk), project_id)]
    _record(
        caller, job_type=Job.Type.UPDATE_MEMBERS, trace=Trace.Name.UPDATE_MEMBER, changed=pair if changed else [],
        unchanged=[] if changed else pair, changed_result=result, unchanged_result="unchanged: " + result,
        now=timezone.now(), names={str(image.pk): image.name}, extra={"reason": SHARE_END_REASON},
    )
    if expires_at and changed:
        from sharing.tasks import end_expired_shares

        transaction.on_commit(lambda: end_expired_shares.using(run_after=expires_at).enqueue())
    return changed


# How an owner's change of a share's end is told apart from a recipient's accept or reject (same job type).
SHARE_END_REASON = "share end"


def end_expired_shares(now: datetime | None = None) -> int:
    """End every share whose expiry has come, as its owner's stop sharing would (vault space given back, a
    deleteMember trace per share, result "expired"), under one imsDelImageMembersJob per owner project, each in
    its own transaction with the images locked in the same order as sharing takes them. Returns how many ended."""
    now = now or timezone.now()
    due = ImageMember.objects.filter(expires_at__lte=now)
    ended = 0
    for owner_project_id in sorted(set(due.values_list("owner_project_id", flat=True))):
        with transaction.atomic():
            images = lock_images(
                {str(i) for i in due.filter(owner_project_id=owner_project_id).values_list("image_id", flat=True)}
            )
            members = list(
                due.filter(owner_project_id=owner_project_id).select_for_update(of=("self",)).order_by("pk")
            )
            if not members:
                continue  # stopped, or extended, meanwhile
            caller = Caller(user_id=None, username=EXPIRY_USER, account_id="", project_id=owner_project_id, role="admin")
            pairs = [(str(m.image_id), m.project_id) for m in members]
            names = {str(i.pk): i.name for i in images}
            job = audit.record_job(
                caller, Job.Type.DELETE_MEMBERS, entities={**audit.pair_results(pairs, names=names), "reason": "expired"},
                now=now,
            )
            members_end(caller, members, job=job, result="expired", now=now)
            ended += len(members)
    return ended


# Who the trail names for shares that ended by themselves.
EXPIRY_USER = "share expiry"


@transaction.atomic
def image_members_remove(*, caller: Caller, image_ids: list[str], project_ids: list[str]) -> MembersChanged:
    """Stop sharing images with projects (S14). Each project must be a recipient of at least one of the images."""
    caller.require_write()
    parsed = rules.parse_project_ids(project_ids)
    if parsed.too_many:
        raise IMSError.many(parsed.problems)
    images = _owned_images(caller, image_ids)
    members = list(
        ImageMember.objects.filter(image__in=images, project_id__in=parsed.ids).select_for_update(of=("self",)).order_by("pk")
    )
    pairs = [(str(m.image_id), m.project_id) for m in members]
    recipients = {p for _, p in pairs}
    problems = parsed.problems + [
        IMSError(
            ConsoleCode.NOT_A_RECIPIENT, f"Project {p} is not a recipient of the selected image{'s' if len(images) > 1 else ''}.", item=p,
            group=f"Projects that are not recipients of the selected image{'s' if len(images) > 1 else ''}",
        )
        for p in parsed.ids
        if p not in recipients
    ]
    if problems:
        raise IMSError.many(problems)
    now = timezone.now()
    names = {str(i.pk): i.name for i in images}
    job = audit.record_job(caller, Job.Type.DELETE_MEMBERS, entities=audit.pair_results(pairs, names=names), now=now)
    members_end(caller, members, job=job, result="success", now=now)
    return MembersChanged(
        job=job, images=len(images), projects=len(parsed.ids), changed=len(pairs), unchanged=0, duplicates=parsed.duplicates
    )


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
    *, caller: Caller, image_ids: list[str], status: str, vault_id: str = "", all_pending: bool = False
) -> MembersChanged:
    """The recipient accepts or rejects images shared with its project (R1 to R4), all or nothing: the images
    named, or with `all_pending` every share still pending (Accept All).

    Any status may move to accepted or rejected at any time. Only the recipient may: the owner gets 403,
    anyone else 404. Accepting a full-ECS image reserves its backup's size in the chosen vault; rejecting it
    gives the space back. The plain shares change in one UPDATE and one trace insert, however many they are.
    """
    caller.require_write()
    if status not in (ImageMember.Status.ACCEPTED, ImageMember.Status.REJECTED):
        raise IMSError("IMG.0001", f"Status “{status}” is not one of accepted, rejected.", field="status")
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
            raise IMSError(ConsoleCode.NOTHING_PENDING, "No image is waiting for you to accept it.")
    missing = [i for i in wanted if i not in shares]
    if missing:
        owned = Image.objects.filter(pk__in=missing, project_id=caller.project_id).first()
        if owned:
            raise IMSError(
                "IMG.0047", f"You own image “{owned.name}”; only a project it is shared with can accept or reject it.",
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
    if status == ImageMember.Status.REJECTED:
        _release_vault_space(changing)
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
    job = _record(
        caller, job_type=Job.Type.UPDATE_MEMBERS, trace=Trace.Name.UPDATE_MEMBER, changed=changed, unchanged=unchanged,
        changed_result=f"success: {status}", unchanged_result=f"unchanged: already {status}", now=now,
        names={m.image_id: m.name for m in shares.values()}, extra={"member_status": status},
    )
    return MembersChanged(
        job=job, images=len(wanted), projects=1, changed=len(changed), unchanged=len(unchanged), duplicates=[]
    )
