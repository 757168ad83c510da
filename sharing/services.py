"""Owner-side sharing writes: share images with projects, change when a share ends, stop sharing.

Each service validates the whole request first, with a fixed number of queries whatever its size, and refuses
it whole if anything is wrong (S13). Then it writes in one transaction: the members in bulk, one IMS job with the
per-pair results, and one audit trace per pair (S15). The recipient's side is sharing/acceptance.py; shares that
end by themselves, sharing/expiry.py (run by the task worker, sharing/tasks.py).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from images.models import KeyGrant
from ims_console.activity import audit
from ims_console.activity.models import Job, Trace
from ims_console.core.bulk import bulk_insert
from ims_console.core.errors import ConsoleCode, IMSError
from ims_console.identity.caller import Caller
from ims_console.identity.models import Project
from sharing import rules, tasks
from sharing.members import MembersChanged, members_end, owned_images, record
from sharing.models import ImageMember


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
    images = owned_images(caller, image_ids)
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
    job = record(
        caller, job_type=Job.Type.ADD_MEMBERS, trace=Trace.Name.ADD_MEMBER, changed=new_pairs, unchanged=unchanged,
        changed_result="success" + ends, unchanged_result="unchanged: already shared" + ends, now=now,
        names={str(i.pk): i.name for i in images}, extra={"expires_at": expires_at.isoformat()} if expires_at else None,
    )
    if expires_at:
        transaction.on_commit(lambda: tasks.end_expired_shares.using(run_after=expires_at).enqueue())
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
    (image,) = owned_images(caller, [image_id])
    member = ImageMember.objects.filter(image=image, project_id=project_id).select_for_update(of=("self",)).first()
    if member is None:
        raise IMSError.many([IMSError(
            ConsoleCode.NOT_A_RECIPIENT, gettext("Project %(project_id)s is not a recipient of %(name)s (any more).") % {"project_id": project_id, "name": image.name},
            item=project_id,
        )])
    changed = member.expires_at != expires_at
    if changed:
        ImageMember.objects.filter(pk=member.pk).update(expires_at=expires_at)
    # 41 characters at most of the trace's 64: "unchanged: ends 2026-12-31T00:00:00+01:00".
    result = f"ends {expires_at.isoformat()}" if expires_at else "end removed"
    pair = [(str(image.pk), project_id)]
    record(
        caller, job_type=Job.Type.UPDATE_MEMBERS, trace=Trace.Name.UPDATE_MEMBER, changed=pair if changed else [],
        unchanged=[] if changed else pair, changed_result=result, unchanged_result="unchanged: " + result,
        now=timezone.now(), names={str(image.pk): image.name}, extra={"reason": SHARE_END_REASON},
    )
    if expires_at and changed:
        transaction.on_commit(lambda: tasks.end_expired_shares.using(run_after=expires_at).enqueue())
    return changed


# How an owner's change of a share's end is told apart from a recipient's accept or reject (same job type).
SHARE_END_REASON = "share end"


@transaction.atomic
def image_members_remove(*, caller: Caller, image_ids: list[str], project_ids: list[str]) -> MembersChanged:
    """Stop sharing images with projects (S14). Each project must be a recipient of at least one of the images."""
    caller.require_write()
    parsed = rules.parse_project_ids(project_ids)
    if parsed.too_many:
        raise IMSError.many(parsed.problems)
    images = owned_images(caller, image_ids)
    members = list(
        ImageMember.objects.filter(image__in=images, project_id__in=parsed.ids).select_for_update(of=("self",)).order_by("pk")
    )
    pairs = [(str(m.image_id), m.project_id) for m in members]
    recipients = {p for _, p in pairs}
    problems = parsed.problems + [
        IMSError(
            ConsoleCode.NOT_A_RECIPIENT, ngettext(
                "Project %(project_id)s is not a recipient of the selected image.",
                "Project %(project_id)s is not a recipient of the selected images.", len(images),
            ) % {"project_id": p}, item=p,
            group=ngettext("Projects that are not recipients of the selected image",
                           "Projects that are not recipients of the selected images", len(images)),
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
