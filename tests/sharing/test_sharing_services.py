"""The sharing rules S1 to S15 at the service level: the IMS code of every refusal, and that nothing was written."""

from __future__ import annotations

import pytest
from django.test import override_settings

from ims_console.activity.models import Job, Trace
from ims_console.core.errors import ConsoleCode
from sharing.models import ImageMember
from sharing.services import image_members_add, image_members_remove
from tests.conftest import caller_of, refused
from tests.factories import (
    AccountFactory,
    ImageFactory,
    ImageMemberFactory,
    KeyGrantFactory,
    ProjectFactory,
)

pytestmark = pytest.mark.django_db


def share(owner, images, projects, **kwargs):
    return image_members_add(
        caller=kwargs.get("caller") or caller_of(owner),
        image_ids=[str(i.pk) for i in images],
        project_ids=[p if isinstance(p, str) else p.pk for p in projects],
    )


def test_s15_sharing_adds_pending_members_one_job_and_an_addmember_trace_per_pair(owner, recipient, outsider):
    images = ImageFactory.create_batch(2, project=owner.project)
    result = share(owner, images, [recipient.project, outsider.project])
    assert (result.images, result.projects, result.changed, result.unchanged) == (2, 2, 4, 0)
    members = ImageMember.objects.all()
    assert {(m.image_id, m.project_id, m.status, m.owner_project_id) for m in members} == {
        (i.pk, p.pk, "pending", owner.project.pk) for i in images for p in (recipient.project, outsider.project)
    }
    job = Job.objects.get()
    assert (job.job_type, job.status, job.project_id) == ("imsAddImageMembersJob", "SUCCESS", owner.project.pk)
    assert len(job.entities["results"]) == 4
    assert {r["status"] for r in job.entities["results"]} == {"success"}
    traces = Trace.objects.all()
    assert len(traces) == 4
    trace = traces[0]
    assert (trace.name, trace.username, trace.project_id, trace.source_ip, trace.result, trace.job_id) == (
        "addMember", owner.user.username, owner.project.pk, "192.0.2.10", "success", job.id,
    )


def test_s1_public_images_cannot_be_shared(owner, recipient):
    image = ImageFactory(project=owner.project, visibility="public")
    refused(["IMG.0089"], lambda: share(owner, [image], [recipient.project]))


@pytest.mark.parametrize("status", ["saving", "queued", "killed"])
def test_s2_only_normal_images_can_be_shared(owner, recipient, status):
    image = ImageFactory(project=owner.project, status=status)
    refused(["IMG.0046"], lambda: share(owner, [image], [recipient.project]))


@pytest.mark.parametrize("bad", ["0123", "g" * 32, "a" * 31, "a" * 33, "not-a-project"])
def test_s3_project_ids_are_32_hex_characters(owner, recipient, bad):
    image = ImageFactory(project=owner.project)
    error = refused(["IMG.0067"], lambda: share(owner, [image], [recipient.project, bad]))
    assert f"“{bad}” is not a project ID" in error.problems[0].message


def test_s3_upper_case_and_spaces_are_normalised(owner, recipient):
    image = ImageFactory(project=owner.project)
    share(owner, [image], [f"  {recipient.project.pk.upper()} "])
    assert ImageMember.objects.get().project_id == recipient.project.pk


@override_settings(IMS_MAX_PROJECT_IDS_PER_SUBMISSION=3)
def test_s4_at_most_the_limit_of_project_ids_counted_after_removing_duplicates(owner):
    image = ImageFactory(project=owner.project)
    projects = [ProjectFactory().pk for _ in range(4)]
    share(owner, [image], projects[:3] + [projects[0].upper()])
    assert ImageMember.objects.count() == 3
    other = ImageFactory(project=owner.project)
    error = refused([ConsoleCode.TOO_MANY_PROJECT_IDS], lambda: share(owner, [other], projects))
    assert "4 project IDs were entered" in error.problems[0].message


def test_s5_a_project_cannot_share_with_itself(owner):
    image = ImageFactory(project=owner.project)
    refused(["IMG.0076"], lambda: share(owner, [image], [owner.project]))


def test_s6_the_project_must_exist(owner):
    image = ImageFactory(project=owner.project)
    refused(["IMG.0108"], lambda: share(owner, [image], ["0" * 32]))


def test_s6_s11_the_project_must_be_in_the_images_region(owner):
    image = ImageFactory(project=owner.project)
    elsewhere = ProjectFactory(region="eu-nl")
    error = refused(["IMG.0108"], lambda: share(owner, [image], [elsewhere]))
    assert "cannot be found in the current region (eu-de)" in error.problems[0].message


def test_s7_the_256th_recipient_is_accepted_and_the_257th_refused(owner):
    image = ImageFactory(project=owner.project)
    projects = ProjectFactory.create_batch(257)
    share(owner, [image], projects[:100])
    share(owner, [image], projects[100:200])
    share(owner, [image], projects[200:256])
    assert ImageMember.objects.filter(image=image).count() == 256
    error = refused(["IMG.0088"], lambda: share(owner, [image], projects[256:]))
    assert "at most 256 recipients" in error.problems[0].message


def test_s7_full_ecs_images_take_ten_recipients(owner):
    image = ImageFactory(project=owner.project, full_ecs_cbr=True)
    projects = ProjectFactory.create_batch(11)
    share(owner, [image], projects[:10])
    refused(["IMG.0088"], lambda: share(owner, [image], projects[10:]))


def test_s7_two_submissions_that_together_exceed_the_limit(owner):
    image = ImageFactory(project=owner.project, full_ecs_cbr=True)
    projects = ProjectFactory.create_batch(12)
    share(owner, [image], projects[:6])
    refused(["IMG.0088"], lambda: share(owner, [image], projects[6:]))
    assert ImageMember.objects.count() == 6


def test_s7_rejected_members_count_too(owner):
    image = ImageFactory(project=owner.project, full_ecs_cbr=True)
    for _ in range(10):
        ImageMemberFactory(image=image, rejected=True)
    eleventh = ProjectFactory()
    refused(["IMG.0088"], lambda: share(owner, [image], [eleventh]))


def test_s8_full_ecs_images_from_csbs_cannot_be_shared(owner, recipient):
    cbr = ImageFactory(project=owner.project, full_ecs_cbr=True)
    csbs = ImageFactory(project=owner.project, full_ecs_csbs=True)
    refused(["IMG.0135"], lambda: share(owner, [cbr, csbs], [recipient.project]))
    share(owner, [cbr], [recipient.project])


def test_s9_images_encrypted_with_the_default_key_cannot_be_shared(owner, recipient):
    image = ImageFactory(project=owner.project, encrypted_default_key=True)
    refused(["IMG.0098"], lambda: share(owner, [image], [recipient.project]))


def test_s9_a_custom_key_image_needs_a_grant_for_every_recipients_account(owner, recipient, outsider):
    image = ImageFactory(project=owner.project, encrypted_custom_key=True)
    KeyGrantFactory(key=image.key, grantee_account=recipient.account)
    error = refused(["IMG.0099"], lambda: share(owner, [image], [recipient.project, outsider.project]))
    assert outsider.project.pk in error.problems[0].message
    share(owner, [image], [recipient.project])
    assert ImageMember.objects.get().project_id == recipient.project.pk


def test_s9_projects_of_the_keys_own_account_need_no_grant(owner):
    image = ImageFactory(project=owner.project, encrypted_custom_key=True)
    sibling = ProjectFactory(account=owner.account, region="eu-de")
    share(owner, [image], [sibling])
    assert ImageMember.objects.count() == 1


def test_s10_a_recipient_cannot_share_an_image_shared_with_it(owner, recipient, outsider):
    image = ImageFactory(project=owner.project)
    ImageMemberFactory(image=image, project=recipient.project, status="accepted")
    refused(["IMG.0047"], lambda: share(recipient, [image], [outsider.project]))


def test_an_image_nobody_shared_with_you_does_not_exist(owner, outsider, recipient):
    image = ImageFactory(project=owner.project)
    error = refused(["IMG.0027"], lambda: share(outsider, [image], [recipient.project]))
    assert error.status == 404


def test_s12_existing_pairs_are_left_as_they_are_and_reported(owner, recipient, outsider):
    image = ImageFactory(project=owner.project)
    accepted = ImageMemberFactory(image=image, project=recipient.project, status="accepted")
    result = share(owner, [image], [recipient.project, outsider.project])
    assert (result.changed, result.unchanged) == (1, 1)
    accepted.refresh_from_db()
    assert accepted.status == "accepted"
    assert ImageMember.objects.get(project=outsider.project).status == "pending"
    assert set(Trace.objects.values_list("result", flat=True)) == {"success", "unchanged: already shared"}


def test_s13_all_or_nothing_every_problem_is_listed_and_nothing_is_shared(owner, recipient):
    good = ImageFactory(project=owner.project)
    creating = ImageFactory(project=owner.project, creating=True, name="still-creating")
    error = refused(
        ["IMG.0046", "IMG.0076", "IMG.0108"],
        lambda: share(owner, [good, creating], [recipient.project, owner.project, "f" * 32]),
    )
    assert "still-creating" in error.problems[0].message
    assert error.problems[1].item == owner.project.pk
    assert error.problems[2].item == "f" * 32


def test_s14_s15_stop_sharing_removes_members_with_a_job_and_deletemember_traces(owner, recipient, outsider):
    images = ImageFactory.create_batch(2, project=owner.project)
    share(owner, images, [recipient.project, outsider.project])
    result = image_members_remove(caller=caller_of(owner), image_ids=[str(images[0].pk)], project_ids=[recipient.project.pk])
    assert result.changed == 1
    assert not ImageMember.objects.filter(image=images[0], project=recipient.project).exists()
    assert ImageMember.objects.count() == 3
    job = Job.objects.get(job_type="imsDelImageMembersJob")
    assert job.entities["results"] == [{"image_id": str(images[0].pk), "project_id": recipient.project.pk, "status": "success"}]
    assert Trace.objects.filter(name="deleteMember", member_project_id=recipient.project.pk).count() == 1


def test_stop_sharing_with_a_project_that_is_not_a_recipient_changes_nothing(owner, recipient, outsider):
    image = ImageFactory(project=owner.project)
    share(owner, [image], [recipient.project])
    refused([ConsoleCode.NOT_A_RECIPIENT], lambda: image_members_remove(
        caller=caller_of(owner), image_ids=[str(image.pk)], project_ids=[recipient.project.pk, outsider.project.pk]
    ))


def test_read_only_users_cannot_share_or_stop_sharing(owner, recipient):
    image = ImageFactory(project=owner.project)
    readonly = caller_of(owner, role="readonly")
    error = refused([ConsoleCode.READ_ONLY], lambda: share(owner, [image], [recipient.project], caller=readonly))
    assert error.status == 403
    ImageMemberFactory(image=image, project=recipient.project)
    refused([ConsoleCode.READ_ONLY], lambda: image_members_remove(caller=readonly, image_ids=[str(image.pk)], project_ids=[recipient.project.pk]))


def test_the_database_refuses_a_second_member_for_the_same_pair_and_a_share_with_the_owner(owner, recipient):
    from django.db import IntegrityError, transaction

    image = ImageFactory(project=owner.project)
    ImageMemberFactory(image=image, project=recipient.project)
    with pytest.raises(IntegrityError), transaction.atomic():
        ImageMemberFactory(image=image, project=recipient.project)
    with pytest.raises(IntegrityError), transaction.atomic():
        ImageMemberFactory(image=image, project=owner.project)


@pytest.mark.slow
def test_sharing_100_images_with_100_projects_costs_a_fixed_number_of_queries(owner, django_assert_max_num_queries):
    def run(images: int, projects: int) -> int:
        batch = ImageFactory.create_batch(images, project=owner.project)
        targets = ProjectFactory.create_batch(projects, account=AccountFactory())
        with django_assert_max_num_queries(9) as captured:
            result = share(owner, batch, targets)
        assert result.changed == images * projects
        return len(captured.captured_queries)

    small = run(1, 1)
    assert run(100, 100) == small
    assert ImageMember.objects.count() == 10_001
