"""Share expiry (issue 12, point 10): an owner may set the day a share ends; the task worker ends it then, as a
stop sharing would; recipients and the Sharing tab show when."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ims_console.activity.models import Job, Trace
from ims_console.backends.openstack import jobs as openstack_jobs
from ims_console.core.errors import ConsoleCode, IMSError
from sharing import expiry, rules, services
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

    assert expiry.end_expired_shares() == 1

    assert set(ImageMember.objects.values_list("pk", flat=True)) == {lasting.pk, forever.pk}
    assert Vault.objects.get(pk=vault.pk).used_gb == 0
    job = Job.objects.get()
    assert (job.job_type, job.project_id, job.username, job.entities["reason"]) == (
        Job.Type.DELETE_MEMBERS, owner.project.id, expiry.EXPIRY_USER, "expired"
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
    assert expiry.end_expired_shares() == 0


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
    assert expiry.end_expired_shares() == 0 and Job.objects.count() == 1


# ---- Change End on the Sharing tab: move a share's end, or remove it.


def end_url(image) -> str:
    return reverse("sharing:member_end", args=[image.id])


def test_change_end_moves_the_end_earlier_or_later_queues_it_and_records_it(owner, recipient, django_capture_on_commit_callbacks):
    image = ImageFactory(project=owner.project, name="web")
    member = ImageMemberFactory(image=image, project=recipient.project,
                                expires_at=datetime.combine(today() + timedelta(days=31), datetime.min.time(), tzinfo=BERLIN))
    dialog = owner.client.get(end_url(image), {"project_id": recipient.project.id}, headers=HTMX).content.decode()
    # The dialog opens on the day the share ends now, and offers to remove that end.
    assert f'name="expires_on" value="{in_days(30)}" type="date"' in dialog and "Remove the end" in dialog

    with django_capture_on_commit_callbacks(execute=True):
        response = owner.client.post(end_url(image), {"project_id": recipient.project.id, "expires_on": in_days(2)},
                                     headers=HTMX)

    ends = datetime.combine(today() + timedelta(days=3), datetime.min.time(), tzinfo=BERLIN)
    assert f"The share of “web” with {recipient.project.name} ends by itself at the end of {in_days(2)}." in (
        response.content.decode()
    )
    member.refresh_from_db()
    assert member.expires_at == ends and member.status == "pending"
    assert DBTaskResult.objects.get().run_after == ends
    job = Job.objects.get()
    assert (job.job_type, job.summary["reason"]) == (Job.Type.UPDATE_MEMBERS, "share end")
    trace = Trace.objects.get()
    assert (trace.name, trace.member_project_id, trace.result) == ("updateMember", recipient.project.id, f"ends {ends.isoformat()}")
    (row,) = owner.client.get(reverse("activity")).context["page"].rows
    assert row.action == "Change share end"
    tab = owner.client.get(reverse("image_activity", args=[image.id])).content.decode()
    assert "Share end changed for" in tab


@pytest.mark.parametrize("how", [{"remove": "1", "expires_on": "2020-01-01"}, {"expires_on": ""}])
def test_change_end_removes_the_end_with_its_button_or_an_empty_day(owner, recipient, how):
    image = ImageFactory(project=owner.project, name="web")
    ImageMemberFactory(image=image, project=recipient.project, expires_at=timezone.now() + timedelta(days=5))

    response = owner.client.post(end_url(image), {"project_id": recipient.project.id, **how}, headers=HTMX)

    assert f"The share of “web” with {recipient.project.name} lasts until you stop sharing." in response.content.decode()
    assert ImageMember.objects.get().expires_at is None
    assert Trace.objects.get().result == "end removed"
    assert expiry.end_expired_shares(now=timezone.now() + timedelta(days=3650)) == 0
    # Removing it again changes nothing, and says so.
    again = owner.client.post(end_url(image), {"project_id": recipient.project.id, **how}, headers=HTMX)
    assert "Nothing changed: the share of “web”" in again.content.decode()


@pytest.mark.parametrize("expires_on", ["next week", in_days(0), in_days(3 * 365 + 1)])
def test_change_end_refuses_a_day_next_to_its_field_and_changes_nothing(owner, recipient, expires_on):
    image = ImageFactory(project=owner.project)
    ImageMemberFactory(image=image, project=recipient.project, expires_at=timezone.now() + timedelta(days=5))
    before = snapshot()

    html = owner.client.post(end_url(image), {"project_id": recipient.project.id, "expires_on": expires_on},
                             headers=HTMX).content.decode()

    assert snapshot() == before and not DBTaskResult.objects.exists()
    assert f'name="expires_on" value="{expires_on}" type="date"' in html
    assert expires_on in html.split('id="expires-on-error"')[1].split("</ul>")[0]


def test_change_end_of_a_project_that_is_not_a_recipient_says_so_and_changes_nothing(owner, recipient, outsider):
    image = ImageFactory(project=owner.project, name="web")
    before = snapshot()
    for project_id in (recipient.project.id, "not-a-project", ""):
        html = owner.client.post(end_url(image), {"project_id": project_id, "expires_on": in_days(3)},
                                 headers=HTMX).content.decode()
        assert "is not a recipient of <strong>web</strong>" in html
    assert snapshot() == before


def test_change_end_is_the_owners_alone(owner, readonly, outsider, recipient, client):
    image = ImageFactory(project=owner.project)
    ImageMemberFactory(image=image, project=recipient.project, expires_at=timezone.now() + timedelta(days=5))
    before = snapshot()
    post = {"project_id": recipient.project.id, "expires_on": in_days(9)}
    # Anonymous: to the login page. Another tenant (the recipient too): the image does not exist. Read-only: 403.
    assert client.post(end_url(image), post).status_code == 302
    assert outsider.client.post(end_url(image), post).status_code == 404
    assert recipient.client.get(end_url(image), {"project_id": recipient.project.id}).status_code == 404
    assert readonly.client.post(end_url(image), post).status_code == 403
    assert readonly.client.get(end_url(image), {"project_id": recipient.project.id}).status_code == 403
    assert owner.client.put(end_url(image), post).status_code == 405
    assert snapshot() == before
    # Read-only users do not see the link; the owner does.
    assert "Change End" not in readonly.client.get(reverse("sharing:image_sharing", args=[image.id])).content.decode()
    assert "Change End" in owner.client.get(reverse("sharing:image_sharing", args=[image.id])).content.decode()


def test_change_end_works_without_javascript(owner, recipient):
    image = ImageFactory(project=owner.project, name="web")
    ImageMemberFactory(image=image, project=recipient.project)
    page = owner.client.get(end_url(image), {"project_id": recipient.project.id})
    assert page.status_code == 200 and "<html" in page.content.decode() and "Change Share End" in page.content.decode()
    # A plain form post: back to the Sharing tab, with the message.
    response = owner.client.post(end_url(image), {"project_id": recipient.project.id, "expires_on": in_days(4)}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("sharing:image_sharing", args=[image.id])
    assert f"ends by itself at the end of {in_days(4)}" in response.content.decode()
