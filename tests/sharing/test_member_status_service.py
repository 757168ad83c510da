"""Accepting and rejecting (R1 to R4) at the service level: every transition, who may, the vault rules."""

from __future__ import annotations

import pytest

from ims_console.activity.models import Job, Trace
from ims_console.core.errors import ConsoleCode
from sharing.acceptance import image_member_status_update
from sharing.models import ImageMember, Vault
from tests.conftest import caller_of, refused
from tests.factories import ImageFactory, ImageMemberFactory

pytestmark = pytest.mark.django_db


def update(persona, images, status, **kwargs):
    return image_member_status_update(
        caller=kwargs.pop("caller", None) or caller_of(persona), image_ids=[str(i.pk) for i in images], status=status, **kwargs
    )


@pytest.mark.parametrize(
    ("before", "after"),
    [("pending", "accepted"), ("pending", "rejected"), ("accepted", "rejected"), ("rejected", "accepted")],
)
def test_each_transition_single_and_batch_with_a_job_and_an_updatemember_trace_per_image(owner, recipient, before, after):
    images = ImageFactory.create_batch(3, project=owner.project)
    members = [ImageMemberFactory(image=i, project=recipient.project, status=before) for i in images]
    update(recipient, images[:1], after)
    update(recipient, images[1:], after)
    for member in members:
        member.refresh_from_db()
        assert member.status == after
        assert member.updated_at > member.created_at
    jobs = Job.objects.filter(job_type="imsUpdateImageMembersJob")
    assert [len(j.entities["results"]) for j in jobs.order_by("begin_time")] == [1, 2]
    traces = Trace.objects.filter(name="updateMember")
    assert traces.count() == 3
    assert {(t.resource_id, t.project_id, t.result, t.username) for t in traces} == {
        (str(i.pk), recipient.project.pk, f"success: {after}", recipient.user.username) for i in images
    }


def test_setting_the_status_it_already_has_changes_nothing_but_is_reported(owner, recipient):
    image = ImageFactory(project=owner.project)
    member = ImageMemberFactory(image=image, project=recipient.project, status="accepted")
    result = update(recipient, [image], "accepted")
    assert (result.changed, result.unchanged) == (0, 1)
    assert ImageMember.objects.get(pk=member.pk).updated_at == member.updated_at


def test_the_owner_cannot_change_a_recipients_status(owner, recipient):
    image = ImageFactory(project=owner.project)
    ImageMemberFactory(image=image, project=recipient.project)
    error = refused(["IMG.0047"], lambda: update(owner, [image], "accepted"))
    assert error.status == 403


def test_anyone_else_gets_404(owner, recipient, outsider):
    image = ImageFactory(project=owner.project)
    ImageMemberFactory(image=image, project=recipient.project)
    error = refused(["IMG.0027"], lambda: update(outsider, [image], "accepted"))
    assert error.status == 404


def test_one_image_not_shared_with_you_in_a_batch_changes_nothing(owner, recipient, outsider):
    mine = ImageFactory(project=owner.project)
    ImageMemberFactory(image=mine, project=recipient.project)
    other = ImageFactory(project=outsider.project)
    refused(["IMG.0027"], lambda: update(recipient, [mine, other], "accepted"))


def test_read_only_users_cannot_accept_or_reject(owner, recipient):
    image = ImageFactory(project=owner.project)
    ImageMemberFactory(image=image, project=recipient.project)
    refused([ConsoleCode.READ_ONLY], lambda: update(recipient, [image], "accepted", caller=caller_of(recipient, role="readonly")))


@pytest.mark.parametrize("status", ["pending", "shared", ""])
def test_only_accepted_or_rejected_are_statuses_to_set(owner, recipient, status):
    image = ImageFactory(project=owner.project)
    ImageMemberFactory(image=image, project=recipient.project)
    refused(["IMG.0001"], lambda: update(recipient, [image], status))


def test_an_image_the_owner_stopped_sharing_cannot_be_accepted(owner, recipient):
    image = ImageFactory(project=owner.project)
    ImageMemberFactory(image=image, project=recipient.project, status="rejected").delete()
    refused(["IMG.0027"], lambda: update(recipient, [image], "accepted"))


@pytest.fixture
def full_ecs(owner, recipient):
    image = ImageFactory(project=owner.project, full_ecs_cbr=True, size=40 * 1024**3)
    ImageMemberFactory(image=image, project=recipient.project)
    return image


def vault(persona, **kwargs) -> Vault:
    defaults = {"name": "v", "protection_type": "backup", "resource_type": "server", "capacity_gb": 100, "used_gb": 0}
    return Vault.objects.create(project=persona.project, **{**defaults, **kwargs})


def test_r4_accepting_a_full_ecs_image_needs_a_vault(recipient, full_ecs):
    error = refused(["IMG.0184"], lambda: update(recipient, [full_ecs], "accepted"))
    assert "Choose a server-backup vault" in error.problems[0].message


def test_r4_an_unknown_or_foreign_vault_is_not_found(recipient, outsider, full_ecs):
    refused(["IMG.0184"], lambda: update(recipient, [full_ecs], "accepted", vault_id="not-a-uuid"))
    foreign = vault(outsider)
    refused(["IMG.0184"], lambda: update(recipient, [full_ecs], "accepted", vault_id=str(foreign.pk)))


@pytest.mark.parametrize("kind", [{"resource_type": "disk"}, {"protection_type": "replication"}])
def test_r4_the_vault_must_be_a_server_backup_vault(recipient, full_ecs, kind):
    wrong = vault(recipient, **kind)
    refused(["IMG.0193"], lambda: update(recipient, [full_ecs], "accepted", vault_id=str(wrong.pk)))


def test_r4_the_vault_needs_room_for_the_backup(recipient, full_ecs):
    small = vault(recipient, capacity_gb=100, used_gb=61)
    error = refused(["IMG.0182"], lambda: update(recipient, [full_ecs], "accepted", vault_id=str(small.pk)))
    assert "has 39 GB free; the backup of" in error.problems[0].message
    fits = vault(recipient, name="fits", capacity_gb=100, used_gb=60)
    update(recipient, [full_ecs], "accepted", vault_id=str(fits.pk))
    member = ImageMember.objects.get(image=full_ecs)
    assert (member.status, member.vault_id) == ("accepted", fits.pk)


def test_r4_rejecting_a_full_ecs_image_needs_no_vault(recipient, full_ecs):
    update(recipient, [full_ecs], "rejected")
    assert ImageMember.objects.get(image=full_ecs).status == "rejected"


@pytest.mark.slow
def test_accepting_ten_thousand_shares_costs_a_fixed_number_of_queries(owner, recipient, django_assert_max_num_queries):
    from tests.conftest import share_many

    share_many(owner, recipient, 10_000)
    # Accept All: the members read (values, no model objects), the UPDATE in batches of 5,000 rows (two here),
    # the job, the traces (one executemany or COPY), and the savepoint and its release that the service's
    # transaction becomes inside the test's.
    with django_assert_max_num_queries(7):
        result = image_member_status_update(caller=caller_of(recipient), image_ids=[], status="accepted", all_pending=True)
    assert result.changed == 10_000
    assert ImageMember.objects.filter(status="accepted").count() == 10_000
    assert Trace.objects.filter(name="updateMember", result="success: accepted").count() == 10_000


def test_the_database_refuses_a_vault_more_than_full(recipient):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        vault(recipient, capacity_gb=10, used_gb=11)

