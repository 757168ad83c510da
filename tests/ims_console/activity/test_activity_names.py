"""Activity names another tenant's image as it was when the recorded action happened, never by its name now
(issue 18, point 4.1: a former recipient learned an image's new name from Activity, a job's page and the CSV)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import cast
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from images.models import Image
from sharing.expiry import end_expired_shares
from sharing.models import ImageMember
from tests.factories import ImageFactory

pytestmark = pytest.mark.django_db

OLD, NEW = "redis-7-debian12", "acquisition-target-2027"


def everything_the_recipient_reads(recipient) -> str:
    """The Activity list, each job's page, and the CSV export whole and per job."""
    client = recipient.client
    pages = [client.get(reverse("activity")).content.decode()]
    jobs = [row.job.pk for row in client.get(reverse("activity")).context["page"].rows]
    assert jobs, "the recipient has activity to read"
    for job_id in jobs:
        pages.append(client.get(reverse("activity_job", args=[job_id])).content.decode())
        pages.append(b"".join(client.get(reverse("activity_csv"), {"job": job_id}).streaming_content).decode())
    pages.append(b"".join(client.get(reverse("activity_csv")).streaming_content).decode())
    return "\n".join(pages)


def share_and_accept(owner, recipient, *, expires_on: str = "") -> str:
    image = cast(Image, ImageFactory(project=owner.project, name=OLD))
    owner.client.post(reverse("sharing:share"), {"image_id": image.id, "project_ids": recipient.project.id,
                                                 "expires_on": expires_on})
    recipient.client.post(reverse("sharing:member_status"), {"status": "accepted", "image_id": image.id})
    return str(image.pk)


def rename(owner, image_id: str) -> None:
    response = owner.client.post(reverse("images:modify", args=[image_id]), {"name": NEW, "description": ""})
    assert response.status_code == 302


def test_a_recipient_whose_share_was_stopped_does_not_learn_the_new_name(owner, recipient):
    image_id = share_and_accept(owner, recipient)
    owner.client.post(reverse("sharing:members_delete", args=[image_id]), {"project_id": recipient.project.id})
    rename(owner, image_id)
    seen = everything_the_recipient_reads(recipient)
    assert NEW not in seen and OLD in seen


def test_a_recipient_who_rejected_sees_the_name_of_the_time_of_the_reject(owner, recipient):
    image_id = share_and_accept(owner, recipient)
    recipient.client.post(reverse("sharing:member_status"), {"status": "rejected", "image_id": image_id})
    rename(owner, image_id)
    seen = everything_the_recipient_reads(recipient)
    assert NEW not in seen and OLD in seen


def test_a_recipient_whose_share_expired_does_not_learn_the_new_name(owner, recipient):
    # A day after tomorrow in the owner's time zone (its "today" may not be UTC's).
    today = timezone.now().astimezone(ZoneInfo(owner.membership.time_zone)).date()
    image_id = share_and_accept(owner, recipient, expires_on=(today + timedelta(days=2)).isoformat())
    assert end_expired_shares(now=timezone.now() + timedelta(days=4)) == 1
    assert not ImageMember.objects.exists()
    rename(owner, image_id)
    seen = everything_the_recipient_reads(recipient)
    assert NEW not in seen and OLD in seen


def test_a_deleted_image_keeps_the_name_it_had_for_its_owner_and_its_former_recipient(owner, recipient):
    image_id = share_and_accept(owner, recipient)
    rename(owner, image_id)
    owner.client.post(reverse("images:delete"), {"image_id": image_id})
    assert OLD in everything_the_recipient_reads(recipient)
    owner_csv = b"".join(owner.client.get(reverse("activity_csv")).streaming_content).decode()
    names = {line["Action"]: line["Image Name"] for line in csv.DictReader(io.StringIO(owner_csv))}
    # Each of the owner's jobs names the image as it was then: shared as OLD, renamed to NEW, deleted as NEW.
    assert names == {"Share": OLD, "Modify image": NEW, "Delete images": NEW}


def test_the_owner_sees_its_own_images_by_their_names_now(owner, recipient):
    image_id = share_and_accept(owner, recipient)
    rename(owner, image_id)
    (share,) = [r for r in owner.client.get(reverse("activity")).context["page"].rows if r.action == "Share"]
    assert share.subjects.startswith(NEW)
