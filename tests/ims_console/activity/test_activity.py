"""Activity (issue 12, point 9): a project's jobs with their per-pair results, filtered, keyset-paged and exported
as CSV, and an image's Activity tab for its owner, showing recipients' accepts and rejects without their users or
addresses."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ims_console.activity import audit, export
from ims_console.activity.models import Job, Trace
from ims_console.activity.selectors import JobRow
from sharing.models import ImageMember
from tests.conftest import make_persona, snapshot
from tests.factories import ImageFactory

pytestmark = pytest.mark.django_db

ACTIVITY = reverse("activity")
CSV_URL = reverse("activity_csv")
SHARE = reverse("sharing:share")
STATUS = reverse("sharing:member_status")


def share(owner, images, *projects, ip="198.51.100.7"):
    response = owner.client.post(
        SHARE, {"image_id": [i.id for i in images], "project_ids": ",".join(p.id for p in projects)}, REMOTE_ADDR=ip
    )
    assert response.status_code == 302, response.content.decode()


def rows(response) -> list[JobRow]:
    return response.context["page"].rows


def test_a_share_is_listed_with_who_what_and_its_pairs_and_its_page_names_them(owner, recipient):
    web, db = ImageFactory(project=owner.project, name="web"), ImageFactory(project=owner.project, name="db")
    other = make_persona()
    share(owner, [web, db], recipient.project, other.project)
    response = owner.client.get(ACTIVITY)
    (row,) = rows(response)
    assert (row.action, row.status, row.summary, row.job.username) == ("Share", "Succeeded", "4 pairs", owner.user.username)
    images, projects = row.subjects.split(" → ")
    assert set(images.split(", ")) == {"web", "db"}
    assert set(projects.split(", ")) == {recipient.project.name, other.project.name}
    html = response.content.decode()
    assert "Page 1 of 1" in html and f'href="{reverse("activity_job", args=[row.job.pk])}"' in html

    detail = owner.client.get(reverse("activity_job", args=[row.job.pk]))
    assert detail.context["source_ip"] == "198.51.100.7"
    pairs = {(r["image_name"], r["project_name"], r["status"]) for r in detail.context["results"]}
    assert pairs == {(i, p.name, "success") for i in ("web", "db") for p in (recipient.project, other.project)}
    assert "198.51.100.7" in detail.content.decode()


def test_accepting_is_the_recipients_activity_and_the_owners_tab_hides_the_recipients_user_and_address(owner, recipient):
    image = ImageFactory(project=owner.project, name="golden")
    share(owner, [image], recipient.project)
    recipient.client.post(STATUS, {"status": "accepted", "image_id": image.id}, REMOTE_ADDR="203.0.113.99")
    assert [r.action for r in rows(recipient.client.get(ACTIVITY))] == ["Accept"]
    assert [r.action for r in rows(owner.client.get(ACTIVITY))] == ["Share"]

    tab = owner.client.get(reverse("image_activity", args=[image.id]))
    accepted, shared = tab.context["traces"].rows
    assert (accepted.action, accepted.project_id, accepted.by_recipient) == ("Accepted by", recipient.project.id, True)
    assert (accepted.username, accepted.source_ip, accepted.job_id) == ("", "", "")
    assert (shared.action, shared.username, shared.source_ip) == ("Shared with", owner.user.username, "198.51.100.7")
    html = tab.content.decode()
    assert "203.0.113.99" not in html and recipient.user.username not in html
    assert 'aria-current="page">Activity</a>' in html


def test_every_kind_of_change_is_listed_newest_first(owner, recipient):
    image = ImageFactory(project=owner.project, name="old")
    share(owner, [image], recipient.project)
    owner.client.post(reverse("sharing:members_delete", args=[image.id]), {"project_id": recipient.project.id})
    owner.client.post(reverse("images:modify", args=[image.id]), {"name": "new", "description": ""})
    owner.client.post(reverse("images:delete"), {"image_id": image.id})
    assert [r.action for r in rows(owner.client.get(ACTIVITY))] == [
        "Delete images", "Modify image", "Stop sharing", "Share",
    ]


def make_jobs(project_id: str, count: int, *, username: str = "alice", job_type: str = Job.Type.ADD_MEMBERS,
              start: datetime | None = None, status: str = Job.Status.SUCCESS) -> list[Job]:
    """Jobs written in bulk, one a minute from `start` (the factories would take minutes for 10,000)."""
    start = start or datetime(2026, 3, 1, 12, tzinfo=UTC)
    def entities() -> dict:
        return {"results": [{"image_id": str(uuid.uuid4()), "project_id": "a" * 32, "status": "success"}]}

    jobs = [
        Job(job_type=job_type, status=status, project_id=project_id, username=username,
            begin_time=start + timedelta(minutes=n), end_time=start + timedelta(minutes=n),
            entities=(e := entities()), summary=audit.summarize(e))
        for n in range(count)
    ]
    return Job.objects.bulk_create(jobs, batch_size=1000)


def test_filters_by_action_status_user_image_and_days(owner, recipient):
    make_jobs(owner.project.id, 3, username="alice", start=datetime(2026, 3, 1, 12, tzinfo=UTC))
    make_jobs(owner.project.id, 2, username="bob", job_type=Job.Type.DELETE_MEMBERS,
              start=datetime(2026, 3, 5, 12, tzinfo=UTC), status=Job.Status.FAIL)
    image = ImageFactory(project=owner.project)
    share(owner, [image], recipient.project)

    def count(**params) -> int:
        return len(rows(owner.client.get(ACTIVITY, params)))

    assert count() == 6
    assert count(action=Job.Type.DELETE_MEMBERS) == 2
    assert count(status=Job.Status.FAIL) == 2
    assert count(user="ALICE") == 3
    assert count(image=str(image.id).upper()) == 1
    assert count(since="2026-03-01", until="2026-03-01") == 3
    assert count(since="2026-03-02", until="2026-03-31") == 2
    # The days are the user's: 23:30 UTC on 1 March is already 2 March in Berlin (the demo users' zone).
    make_jobs(owner.project.id, 1, username="late", start=datetime(2026, 3, 1, 23, 30, tzinfo=UTC))
    owner.membership.time_zone = "Europe/Berlin"
    owner.membership.save()
    assert count(user="late", since="2026-03-02", until="2026-03-02") == 1
    assert count(user="late", until="2026-03-01") == 0


@pytest.mark.parametrize(("params", "field", "words"), [
    ({"image": "not-an-id"}, "id_image", "“not-an-id” is not an image ID"),
    ({"since": "2026-03-05", "until": "2026-03-01"}, "id_until", "“To” (2026-03-01) is before “From” (2026-03-05)"),
    ({"since": "2026-13-45"}, "id_since", "Enter a valid date"),
    ({"until": "9999-12-31"}, "id_until", "9999-12-31 is out of range: choose a day from 2000-01-01 to 2099-12-31."),
    ({"since": "0001-01-01"}, "id_since", "0001-01-01 is out of range"),
])
def test_a_filter_that_cannot_be_used_is_explained_next_to_it_and_lists_nothing(owner, params, field, words):
    make_jobs(owner.project.id, 2)
    response = owner.client.get(ACTIVITY, params)
    html = response.content.decode()
    assert response.status_code == 200 and response.context["page"] is None
    assert f'aria-describedby="{field}_error"' in html and f'id="{field}_error"' in html and words in html
    assert CSV_URL in html
    assert owner.client.get(CSV_URL, params).status_code == 400


def test_pages_follow_the_markers_and_say_where_they_are(owner):
    make_jobs(owner.project.id, 45)
    first = owner.client.get(ACTIVITY).context["page"]
    assert (first.page_label, first.total_label, len(first.rows)) == ("Page 1 of 3", "45", 20)
    second = owner.client.get(ACTIVITY, {"after": first.next_marker}).context["page"]
    third = owner.client.get(ACTIVITY, {"after": second.next_marker}).context["page"]
    assert (second.page_label, third.page_label, len(third.rows), third.next_marker) == ("Page 2 of 3", "Page 3 of 3", 5, None)
    seen = [r.job.pk for page in (first, second, third) for r in page.rows]
    assert seen == list(Job.objects.order_by("-begin_time", "-id").values_list("pk", flat=True))
    back = owner.client.get(ACTIVITY, {"before": third.previous_marker}).context["page"]
    assert [r.job.pk for r in back.rows] == [r.job.pk for r in second.rows]


@pytest.mark.slow
def test_the_page_costs_the_same_queries_with_2_or_10000_jobs(owner, django_assert_max_num_queries):
    make_jobs(owner.project.id, 2)
    with django_assert_max_num_queries(9) as few:
        owner.client.get(ACTIVITY)
    make_jobs(owner.project.id, 10_000, start=datetime(2026, 4, 1, tzinfo=UTC))
    with django_assert_max_num_queries(len(few.captured_queries)):
        first = owner.client.get(ACTIVITY, {"user": "alice"}).context["page"]
    assert first.total_label == "more than 1,000"
    # A later page adds the marker's lookup and the count of the jobs before it, nothing that grows.
    with django_assert_max_num_queries(len(few.captured_queries) + 2):
        later = owner.client.get(ACTIVITY, {"after": first.next_marker}).context["page"]
    assert later.page_label == "Page 2 of more than 50"


def test_the_list_reads_each_jobs_summary_not_its_thousands_of_results(owner, recipient, django_assert_max_num_queries):
    images = [ImageFactory(project=owner.project, name=f"img-{n}") for n in range(5)]
    projects = [make_persona().project for _ in range(4)] + [recipient.project]
    share(owner, images, *projects)
    with django_assert_max_num_queries(12) as captured:
        (row,) = rows(owner.client.get(ACTIVITY))
    assert row.summary == "25 pairs"
    assert row.subjects.endswith(" and 2 more") and row.subjects.count(" and 2 more") == 2
    assert not [q["sql"] for q in captured.captured_queries if '"entities"' in q["sql"]]


def test_accepts_rejects_and_expiries_are_named_from_the_summary_without_a_query_a_row(
    owner, recipient, django_assert_max_num_queries
):
    images = [ImageFactory(project=owner.project) for _ in range(4)]
    share(owner, images, recipient.project)
    for image, status in zip(images, ["accepted", "rejected", "accepted"], strict=False):
        recipient.client.post(STATUS, {"status": status, "image_id": image.id})
    ImageMember.objects.filter(image=images[3]).update(expires_at=timezone.now())
    from sharing import expiry

    expiry.end_expired_shares()
    ImageMember.objects.filter(image=images[2]).update(expires_at=timezone.now())
    expiry.end_expired_shares()
    with django_assert_max_num_queries(12) as few:
        owner_rows = rows(owner.client.get(ACTIVITY))
    assert [r.action for r in owner_rows] == ["Share expired", "Share expired", "Share"]
    assert not [q["sql"] for q in few.captured_queries if '"entities"' in q["sql"]]
    with django_assert_max_num_queries(len(few.captured_queries)):
        recipient_rows = rows(recipient.client.get(ACTIVITY))
    assert [r.action for r in recipient_rows] == ["Accept", "Reject", "Accept"]


def test_the_summaries_of_jobs_recorded_before_them_are_filled_in_as_new_jobs_get_them(owner, recipient):
    import importlib

    from django.apps import apps

    share(owner, [ImageFactory(project=owner.project), ImageFactory(project=owner.project)], recipient.project)
    job = Job.objects.get()
    expected = job.summary
    Job.objects.update(summary={})
    importlib.import_module("ims_console.migrations.0008_job_summary").fill_summaries(apps, None)
    job.refresh_from_db()
    assert job.summary == expected == audit.summarize(job.entities)


def read_csv(response) -> list[dict]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="activity-')
    lines = csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode()))
    # The headers are in the user's language ("Image Name"); the tests read them as keys ("image_name").
    return [{key.lower().replace(" ", "_"): value for key, value in line.items()} for line in lines]


def test_the_csv_has_a_line_per_pair_with_names_in_batches_and_keeps_the_filters(owner, recipient, monkeypatch):
    monkeypatch.setattr(export, "CSV_BATCH", 2)
    images = [ImageFactory(project=owner.project, name=f"img-{n}") for n in range(3)]
    for image in images:
        share(owner, [image], recipient.project)
    make_jobs(owner.project.id, 2, username="bob", job_type=Job.Type.DELETE_MEMBERS)
    lines = read_csv(owner.client.get(CSV_URL))
    assert len(lines) == 5
    shares = [line for line in lines if line["action"] == "Share"]
    assert [line["image_name"] for line in shares] == ["img-2", "img-1", "img-0"]
    assert {(line["project_id"], line["project_name"], line["result"], line["user"]) for line in shares} == {
        (recipient.project.id, recipient.project.name, "success", owner.user.username)
    }
    assert [line["action"] for line in read_csv(owner.client.get(CSV_URL, {"user": "bob"}))] == ["Stop sharing"] * 2
    job = Job.objects.filter(job_type=Job.Type.ADD_MEMBERS).earliest("begin_time")
    (only,) = read_csv(owner.client.get(CSV_URL, {"job": job.pk}))
    assert only["image_name"] == "img-0"


def test_a_csv_cell_that_a_spreadsheet_would_run_as_a_formula_is_kept_as_text(owner, recipient):
    image = ImageFactory(project=owner.project, name="=HYPERLINK(\"http://evil\")")
    share(owner, [image], recipient.project)
    (line,) = read_csv(owner.client.get(CSV_URL))
    assert line["image_name"] == "'=HYPERLINK(\"http://evil\")"


def test_an_images_tab_pages_its_traces(owner, recipient):
    image = ImageFactory(project=owner.project, name="busy")
    now = timezone.now()
    Trace.objects.bulk_create(
        Trace(name=Trace.Name.UPDATE_IMAGE, username="alice", project_id=owner.project.id, resource_id=str(image.id),
              result=f"success: {n}", time=now + timedelta(seconds=n))
        for n in range(25)
    )
    url = reverse("image_activity", args=[image.id])
    first = owner.client.get(url).context["traces"]
    assert [r.result for r in first.rows][:2] == ["success: 24", "success: 23"] and len(first.rows) == 20
    second = owner.client.get(url, {"after": first.next_marker}).context["traces"]
    assert [r.result for r in second.rows] == [f"success: {n}" for n in range(4, -1, -1)]
    assert second.next_marker is None and second.previous_marker
    # Paged in place by htmx: the tab's region alone.
    region = owner.client.get(url, {"after": first.next_marker}, headers={"HX-Request": "true", "HX-Target": "image-activity"})
    html = region.content.decode()
    assert html.lstrip().startswith('<section id="image-activity"') and "success: 4" in html and "<html" not in html
    # A marker that is not a trace of this image is the first page.
    assert owner.client.get(url, {"after": "x"}).context["traces"].rows[0].result == "success: 24"
    assert owner.client.get(url, {"after": "9" * 40}).context["traces"].rows[0].result == "success: 24"


# --- Tenancy, roles, methods ---


def test_anonymous_users_are_sent_to_log_in(client, owner):
    (job,) = make_jobs(owner.project.id, 1)
    image = ImageFactory(project=owner.project)
    for url in (ACTIVITY, CSV_URL, reverse("activity_job", args=[job.pk]), reverse("image_activity", args=[image.id])):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_another_projects_jobs_and_images_do_not_exist_for_an_outsider(owner, outsider, recipient):
    image = ImageFactory(project=owner.project)
    share(owner, [image], recipient.project)
    job = Job.objects.get()
    assert rows(outsider.client.get(ACTIVITY)) == []
    assert read_csv(outsider.client.get(CSV_URL)) == []
    assert read_csv(outsider.client.get(CSV_URL, {"job": job.pk})) == []
    assert outsider.client.get(reverse("activity_job", args=[job.pk])).status_code == 404
    assert outsider.client.get(reverse("image_activity", args=[image.id])).status_code == 404
    # The recipient sees the image under Images Shared with Me, not its owner's trail.
    assert recipient.client.get(reverse("image_activity", args=[image.id])).status_code == 404
    assert recipient.client.get(reverse("activity_job", args=[job.pk])).status_code == 404


def test_read_only_users_can_read_the_activity_and_nothing_on_it_changes_anything(owner, readonly, recipient):
    image = ImageFactory(project=owner.project)
    share(owner, [image], recipient.project)
    job = Job.objects.get()
    before = snapshot()
    assert [r.action for r in rows(readonly.client.get(ACTIVITY))] == ["Share"]
    assert readonly.client.get(reverse("activity_job", args=[job.pk])).status_code == 200
    assert readonly.client.get(reverse("image_activity", args=[image.id])).status_code == 200
    assert len(read_csv(readonly.client.get(CSV_URL))) == 1
    assert snapshot() == before


def test_only_get_is_allowed(owner):
    (job,) = make_jobs(owner.project.id, 1)
    image = ImageFactory(project=owner.project)
    before = snapshot()
    for url in (ACTIVITY, CSV_URL, reverse("activity_job", args=[job.pk]), reverse("image_activity", args=[image.id])):
        assert owner.client.post(url).status_code == 405
    assert snapshot() == before


def test_an_empty_project_says_what_will_be_listed(owner):
    html = owner.client.get(ACTIVITY).content.decode()
    assert "Nothing has been done from this project yet." in html
    # The embedded store records every change: no note that some are missing.
    assert "Only changes made through this console are listed" not in html
    html = owner.client.get(ACTIVITY, {"user": "nobody"}).content.decode()
    assert "No job matches these filters." in html
    assert ImageMember.objects.count() == 0
