"""What the sharing services share: the job and traces of a change of members, the caller's own images locked, and
members that go away (their vault space given back)."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from django.db.models import F
from django.db.models.functions import Greatest

from images.models import Image
from images.services import lock_images
from ims_console.activity import audit
from ims_console.activity.audit import Entry
from ims_console.activity.models import Job, Trace
from ims_console.core.errors import IMSError
from ims_console.identity.caller import Caller
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


def owned_images(caller: Caller, image_ids: list[str]) -> list[Image]:
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


def record(
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
    release_vault_space(members)
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


def release_vault_space(members: Sequence[_HoldsSpace]) -> None:
    """Give back what accepted full-ECS images reserved in their vaults (R4), one UPDATE per vault."""
    held: Counter[uuid.UUID] = Counter()
    for member in members:
        if member.vault_id and member.reserved_gb:
            held[member.vault_id] += member.reserved_gb
    for vault_id in sorted(held):
        Vault.objects.filter(pk=vault_id).update(used_gb=Greatest(F("used_gb") - held[vault_id], 0))
