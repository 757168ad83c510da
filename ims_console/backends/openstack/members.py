"""OpenStack mode: the recipients of the caller's images (Glance's members): the Share dialog's and the Sharing
tab's reads, sharing and stopping, checked as in embedded mode where the cloud can tell, then applied pair by pair
(ims_console.backends.openstack.pairs), in the request or, past IMS_BACKGROUND_PAIRS pairs, in a background job."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from django.conf import settings
from django.utils.translation import gettext

from ims_console.activity import audit
from ims_console.activity.models import Job, Trace
from ims_console.backends.openstack import jobs as openstack_jobs
from ims_console.backends.openstack.glance import remote_of
from ims_console.backends.openstack.images import images_get, members_of_images, owned, refusals_of
from ims_console.backends.openstack.pairs import Applied, apply_pairs
from ims_console.backends.openstack.records import SHARE_EXPIRY_NOT_AVAILABLE, parse_time
from ims_console.backends.records import MemberPage, MemberRecord, SharingResult
from ims_console.core.errors import ConsoleCode, IMSError
from ims_console.identity import project_lookup
from ims_console.identity.caller import Caller
from sharing import rules as sharing_rules


def image_members_list(caller: Caller, image_ids: list[str]) -> list[MemberRecord]:
    return named(members_of(caller, image_ids))


def members_of(caller: Caller, image_ids: list[str]) -> list[MemberRecord]:
    images = images_get(caller, image_ids)
    records = [
        MemberRecord(
            image_id=image.id, image_name=image.name, project_id=member["member_id"],
            project_name=member["member_id"], account_name="", status=member["status"],
            created_at=parse_time(member["created_at"]) or datetime.min,
            updated_at=parse_time(member["updated_at"]) or datetime.min,
        )
        for image, members in zip(images, members_of_images(caller, images), strict=True) for member in members
    ]
    return sorted(records, key=lambda m: (m.project_id, m.image_name))


def image_members_page(caller: Caller, image_id: str, *, after: str = "", before: str = "", limit: int = 20) -> MemberPage:
    members = members_of(caller, [image_id])  # one request: Glance lists them whole
    start = 0
    if after:
        start = next((n + 1 for n, m in enumerate(members) if m.project_id == after), 0)
    elif before:
        end = next((n for n, m in enumerate(members) if m.project_id == before), 0)
        start = max(0, end - limit)
    items = named(members[start : start + limit])
    return MemberPage(
        items=items, total=len(members),
        next_marker=items[-1].project_id if items and start + limit < len(members) else None,
        previous_marker=items[0].project_id if items and start > 0 else None,
    )


def image_members_add(caller: Caller, image_ids: list[str], project_ids: list[str], *, expires_at: datetime | None = None
) -> SharingResult:
    caller.require_write()
    if expires_at is not None:
        raise IMSError.many([IMSError(ConsoleCode.NOT_AVAILABLE, str(SHARE_EXPIRY_NOT_AVAILABLE))])
    parsed = sharing_rules.parse_project_ids(project_ids)
    if parsed.too_many:
        raise IMSError.many(parsed.problems)
    images = owned(caller, image_ids)
    problems = list(parsed.problems)
    for image in images:
        problems += refusals_of(image)
    problems += [p for p in (sharing_rules.own_project_refusal(project_id=t, owner_project_id=caller.project_id)
                             for t in parsed.ids) if p]
    targets = [t for t in parsed.ids if t != caller.project_id]
    if project_lookup.configured() and targets:
        found = project_lookup.projects(targets)
        region = remote_of(caller).region
        for target in targets:
            info = found[target]
            problem = sharing_rules.region_refusal(project_id=target, project_region=info.region if info else None,
                                                   region=region)
            if problem:
                problems.append(problem)
    existing = {(i.id, m["member_id"]) for i, members in zip(images, members_of_images(caller, images), strict=True)
                for m in members}
    new_pairs = [(i.id, t) for i in images for t in targets if (i.id, t) not in existing]
    for image in images:
        have = sum(1 for i, _ in existing if i == image.id)
        adding = sum(1 for i, _ in new_pairs if i == image.id)
        problem = sharing_rules.quota_refusal(
            image_id=image.id, name=image.name, image_type=image.image_type, existing=have, adding=adding
        )
        if problem:
            problems.append(problem)
    if problems:
        raise IMSError.many(problems)
    # Glance lets only "shared" images have members: private ones are opened first (and closed again if the
    # cloud refuses a pair).
    opened = [image.id for image in images if image.visibility == "private"]
    unchanged = [(i.id, t) for i in images for t in targets if (i.id, t) in existing]
    result = SharingResult(
        job_id="", images=len(images), projects=len(parsed.ids), changed=len(new_pairs),
        unchanged=len(unchanged), duplicates=parsed.duplicates,
    )
    if len(new_pairs) > settings.IMS_BACKGROUND_PAIRS:
        job = openstack_jobs.start(caller, Job.Type.ADD_MEMBERS, new_pairs, opened=opened, images=len(images),
                                   projects=len(targets), names={i.id: i.name for i in images})
        return replace(result, job_id=job.id, background=True)
    names = {i.id: i.name for i in images}
    applied = apply_pairs(caller, new_pairs, add=True, opened=opened)
    if not applied.complete:
        raise failed(caller, Job.Type.ADD_MEMBERS, Trace.Name.ADD_MEMBER, applied, names)
    audit.record_done(caller, Job.Type.ADD_MEMBERS, Trace.Name.ADD_MEMBER, changed=new_pairs, unchanged=unchanged,
                      unchanged_result="unchanged: already shared", names=names)
    return result


def image_members_remove(caller: Caller, image_ids: list[str], project_ids: list[str]) -> SharingResult:
    caller.require_write()
    parsed = sharing_rules.parse_project_ids(project_ids)
    if parsed.too_many:
        raise IMSError.many(parsed.problems)
    images = owned(caller, image_ids)
    members = {(m.image_id, m.project_id) for m in image_members_list(caller, [i.id for i in images])}
    pairs = [(i.id, p) for i in images for p in parsed.ids if (i.id, p) in members]
    recipients = {p for _, p in pairs}
    problems = parsed.problems + [
        IMSError(ConsoleCode.NOT_A_RECIPIENT, gettext("Project %(project_id)s is not a recipient of the selected images.") % {"project_id": p}, item=p,
                 group=gettext("Projects that are not recipients of the selected images"))
        for p in parsed.ids if p not in recipients
    ]
    if problems:
        raise IMSError.many(problems)
    result = SharingResult(job_id="", images=len(images), projects=len(parsed.ids), changed=len(pairs),
                           unchanged=0, duplicates=parsed.duplicates)
    if len(pairs) > settings.IMS_BACKGROUND_PAIRS:
        job = openstack_jobs.start(caller, Job.Type.DELETE_MEMBERS, pairs, opened=[], images=len(images),
                                   projects=len(recipients), names={i.id: i.name for i in images})
        return replace(result, job_id=job.id, background=True)
    names = {i.id: i.name for i in images}
    applied = apply_pairs(caller, pairs, add=False)
    if not applied.complete:
        raise failed(caller, Job.Type.DELETE_MEMBERS, Trace.Name.DELETE_MEMBER, applied, names)
    audit.record_done(caller, Job.Type.DELETE_MEMBERS, Trace.Name.DELETE_MEMBER, changed=pairs, names=names)
    return result


def failed(caller: Caller, job_type: str, trace: str, applied: Applied, names: dict[str, str],
            extra: dict | None = None) -> IMSError:
    """A submission the cloud took in part: recorded as a failed job with each pair's result (Activity shows what
    was done, undone, and left in the cloud), and the refusal that says so."""
    audit.record_failed(caller, job_type, trace, results=applied.results(), done=applied.standing,
                        problems=applied.problems(names), names=names, extra=extra)
    return applied.error(names)


def named(members: list[MemberRecord]) -> list[MemberRecord]:
    """Members with their project and account names, where the lookup account can tell them."""
    known = project_lookup.names([m.project_id for m in members])
    return [replace(m, project_name=info.name, account_name=info.account_name) if (info := known.get(m.project_id))
            else m for m in members]
