"""Share expiry (issue 12, point 10): an owner may set the day a share ends; the task worker ends it then, as a
stop sharing would; recipients and the Sharing tab show when."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ims_console.backends import openstack_jobs
from ims_console.ims_errors import ConsoleCode, IMSError
from ims_console.models import Job, Trace
from sharing import rules, services
from sharing.models import ImageMember, Vault
from tests.conftest import caller_of, snapshot
from tests.factories import ImageFactory, ImageMemberFactory, VaultFactory

pytestmark = pytest.mark.django_db

SHARE = reverse("sharing:share")
HTMX = {"HX-Request": "true"}
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def today() -> date:
    """Today where the test personas are (the console's default time zone, which the requests use)."""
    return datetime.now(BERLIN).date()


def in_days(n: int) -> str:
    return (today() + timedelta(days=n)).isoformat()


def test_the_day_typed_ends_at_midnight_after_it_in_the_owners_time_zone_even_across_a_clock_change():
    today = date(2026, 10, 20)
    assert rules.share_expiry("", today=today, tz=BERLIN) is None
    ends = rules.share_expiry(" 2026-10-25 ", today=today, tz=BERLIN)
    # 25 October 2026 is 25 hours long in Berlin (summer time ends): its end is 23:00 UTC, not 22:00.
    assert ends == datetime(2026, 10, 26, tzinfo=BERLIN) and ends.astimezone(UTC) == datetime(2026, 10, 25, 23, tzinfo=UTC)


@pytest.mark.parametrize(("text", "words"), [
    ("31.12.2026", "“31.12.2026” is not a date: enter the day the share ends as YYYY-MM-DD, for example 2026-11-19."),
    ("2026-10-20", "2026-10-20 is not after today (2026-10-20): a share can end tomorrow at the earliest."),
    ("2026-01-01", "2026-01-01 is not after today (2026-10-20)"),
    ("9999-12-31", "9999-12-31 is more than 3 years ahead: leave the date empty to share until you stop sharing."),
])
def test_a_day_that_cannot_be_an_expiry_is_refused_naming_it(text, words):
    with pytest.raises(IMSError) as error:
        rules.share_expiry(text, today=date(2026, 10, 20), tz=BERLIN)
    assert (error.value.code, error.value.field) == (ConsoleCode.EXPIRY_INVALID, "expires_on")
    assert words in error.value.message


def test_sharing_with_an_expiry_stores_it_queues_its_end_and_says_when(owner, recipient, django_capture_on_commit_callbacks):
    image = ImageFactory(project=owner.project, name="web")
    with django_capture_on_commit_callbacks(execute=True):
        response = owner.client.post(
            SHARE, {"image_id": image.id, "project_ids": recipient.project.id, "expires_on": in_days(7)}, headers=HTMX
        )
    assert owner.membership.time_zone == "Europe/Berlin"
    ends = datetime.combine(today() + timedelta(days=8), datetime.min.time(), tzinfo=BERLIN)
    assert f"Shared 1 image with 1 project; the share ends by itself at the end of {in_days(7)}." in response.content.decode()
    assert ImageMember.objects.get().expires_at == ends
    # The task worker is asked to end it then, not before.
    task = DBTaskResult.objects.get()
    assert task.task_path == "sharing.tasks.end_expired_shares" and task.run_after == ends
    assert Trace.objects.get().result == f"success; ends {ends.isoformat()}"


def test_sharing_without_an_expiry_queues_nothing(owner, recipient, django_capture_on_commit_callbacks):
    image = ImageFactory(project=owner.project)
    with django_capture_on_commit_callbacks(execute=True):
        owner.client.post(SHARE, {"image_id": image.id, "project_ids": recipient.project.id, "expires_on": ""})
    assert ImageMember.objects.get().expires_at is None and not DBTaskResult.objects.exists()


@pytest.mark.parametrize("expires_on", ["tomorrow", "2020-01-01"])
def test_a_refused_expiry_is_shown_next_to_its_field_keeps_what_was_typed_and_changes_nothing(
    owner, recipient, expires_on, django_capture_on_commit_callbacks
):
    image = ImageFactory(project=owner.project)
    before = snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        html = owner.client.post(
            SHARE, {"image_id": image.id, "project_ids": recipient.project.id, "expires_on": expires_on}, headers=HTMX
        ).content.decode()
    assert snapshot() == before and not DBTaskResult.objects.exists()
    assert f'name="expires_on" value="{expires_on}" type="date"' in html
    assert 'id="expires-on-error"' in html and expires_on in html.split('id="expires-on-error"')[1].split("</ul>")[0]
    assert recipient.project.id in html  # the Project ID box keeps its IDs


def test_sharing_again_with_a_later_day_extends_the_share(owner, recipient):
    image = ImageFactory(project=owner.project)
    owner.client.post(SHARE, {"image_id": image.id, "project_ids": recipient.project.id, "expires_on": in_days(2)})
    response = owner.client.post(
        SHARE, {"image_id": image.id, "project_ids": recipient.project.id, "expires_on": in_days(30)}, headers=HTMX
    )
    assert f"Nothing new: that pair was already shared; the share ends by itself at the end of {in_days(30)}." in (
        response.content.decode()
    )
    member = ImageMember.objects.get()
    assert member.expires_at == datetime.combine(today() + timedelta(days=31), datetime.min.time(), tzinfo=BERLIN)
    latest = Trace.objects.order_by("-time", "-id").first()
    assert latest.result == f"unchanged: already shared; ends {member.expires_at.astimezone(BERLIN).isoformat()}"
    # Sharing again without a day leaves the expiry as it is.
    owner.client.post(SHARE, {"image_id": image.id, "project_ids": recipient.project.id})
    assert ImageMember.objects.get().expires_at == member.expires_at


def test_add_tenant_takes_an_expiry_too(owner, recipient):
    image = ImageFactory(project=owner.project)
    url = reverse("sharing:members_add", args=[image.id])
    assert 'name="expires_on"' in owner.client.get(url, headers=HTMX).content.decode()
    owner.client.post(url, {"project_ids": recipient.project.id, "expires_on": in_days(1)})
    assert ImageMember.objects.get().expires_at is not None


def test_recipients_and_the_sharing_tab_see_when_the_share_ends(owner, recipient):
    image = ImageFactory(project=owner.project, name="web")
    owner.client.post(SHARE, {"image_id": image.id, "project_ids": recipient.project.id, "expires_on": in_days(3)})
    words = f"ends at the end of {in_days(3)}"
    assert words in recipient.client.get(reverse("sharing:shared_pending")).content.decode()
    assert words in recipient.client.get(reverse("sharing:shared_image", args=[image.id])).content.decode()
    tab = owner.client.get(reverse("sharing:image_sharing", args=[image.id])).content.decode()
    assert "Share Ends" in tab and words in tab


def test_expired_shares_end_by_themselves_as_a_stop_would_and_others_stay(owner, recipient):
    erp = ImageFactory(project=owner.project, full_ecs_cbr=True, size=50 * 1024**3, name="erp")
    web = ImageFactory(project=owner.project, name="web")
    vault = VaultFactory(project=recipient.project, capacity_gb=500, used_gb=50)
    past = timezone.now() - timedelta(minutes=1)
    ImageMemberFactory(image=erp, project=recipient.project, status="accepted", vault=vault, reserved_gb=50, expires_at=past)
    lasting = ImageMemberFactory(image=web, project=recipient.project, expires_at=timezone.now() + timedelta(days=1))
    forever = ImageMemberFactory(image=erp, project=owner.project.account.projects.create(name="other", region="eu-de"))

    assert services.end_expired_shares() == 1

    assert set(ImageMember.objects.values_list("pk", flat=True)) == {lasting.pk, forever.pk}
    assert Vault.objects.get(pk=vault.pk).used_gb == 0
    job = Job.objects.get()
    assert (job.job_type, job.project_id, job.username, job.entities["reason"]) == (
        Job.Type.DELETE_MEMBERS, owner.project.id, services.EXPIRY_USER, "expired"
    )
    trace = Trace.objects.get()
    assert (trace.name, trace.resource_id, trace.member_project_id, trace.result) == (
        "deleteMember", str(erp.pk), recipient.project.id, "expired"
    )
    # The owner's activity says so; the recipient no longer has the image.
    assert [r.action for r in owner.client.get(reverse("activity")).context["page"].rows] == ["Share expired"]
    tab = owner.client.get(reverse("image_activity", args=[erp.pk])).context["traces"].rows
    assert [t.action for t in tab] == ["Share expired for"]
    assert "erp" not in recipient.client.get(reverse("sharing:shared_with_me")).content.decode()
    assert services.end_expired_shares() == 0


@pytest.mark.django_db(transaction=True)
def test_the_task_worker_ends_them_when_their_time_comes(owner, recipient):
    image = ImageFactory(project=owner.project)
    owner.client.post(SHARE, {"image_id": image.id, "project_ids": recipient.project.id, "expires_on": in_days(1)})
    openstack_jobs.run_queued_tasks()  # not yet due: the worker leaves it queued
    assert ImageMember.objects.exists() and DBTaskResult.objects.get().status == "READY"
    # The day passes.
    ImageMember.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    DBTaskResult.objects.update(run_after=timezone.now() - timedelta(seconds=1))
    openstack_jobs.run_queued_tasks()
    assert not ImageMember.objects.exists() and DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_the_sweep_and_the_owner_stopping_at_once_end_the_share_once(owner, recipient):
    """Both take the image's lock first: whichever comes second finds the share gone (see also test_concurrency)."""
    image = ImageFactory(project=owner.project)
    ImageMemberFactory(image=image, project=recipient.project, expires_at=timezone.now() - timedelta(seconds=1))
    services.image_members_remove(caller=caller_of(owner), image_ids=[str(image.pk)], project_ids=[recipient.project.id])
    assert services.end_expired_shares() == 0 and Job.objects.count() == 1
