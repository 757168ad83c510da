"""Shares that end by themselves: the day an owner set has come (the task worker runs this, sharing/tasks.py)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from images.services import lock_images
from ims_console.activity import audit
from ims_console.activity.models import Job
from ims_console.identity.caller import Caller
from sharing.members import members_end
from sharing.models import ImageMember


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
