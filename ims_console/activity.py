"""Activity: the audit trail this console records (ims_console.audit), shown in the console as IMS leaves to CTS.

Two views read it. A project's Activity page lists its jobs (every change made from it, in both modes: a share, a
stop, an accept or reject, a modify, a delete, a replicate), filtered, keyset-paged, one per line with its
per-pair results a click away, and exported as CSV. An image's Activity tab lists the traces of that image: what
its owner did to it, with who and from which address, and what each recipient did (accepted or rejected), without
the recipient's user or address, which belong to another tenant.

The trail is the console's own record, kept in its own database whatever the image service (like the session),
so these reads do not go through the backend. Every read is scoped to the caller's project: another project's job
is not found (404), and an image's tab is reached only after the backend has found the image the caller's own.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from images.models import Image
from ims_console import project_lookup
from ims_console.audit import job_results
from ims_console.backends import get_backend, openstack_jobs
from ims_console.backends.records import COUNT_LIMIT
from ims_console.ids import parse_uuid
from ims_console.ims_errors import ConsoleCode
from ims_console.keyset import keyset_page, page_label
from ims_console.models import Job, Project, Trace

ACTION_LABELS: dict[str, str] = {
    Job.Type.ADD_MEMBERS: "Share",
    Job.Type.DELETE_MEMBERS: "Stop sharing",
    Job.Type.UPDATE_MEMBERS: "Accept or reject",
    Job.Type.UPDATE_IMAGE: "Modify image",
    Job.Type.DELETE_IMAGES: "Delete images",
    Job.Type.COPY_IMAGE: "Replicate image",
}
# What an accept or reject job did, recorded in its entities since this page exists (older jobs say both).
MEMBER_STATUS_LABELS: dict[str, str] = {"accepted": "Accept", "rejected": "Reject"}
STATUS_LABELS: dict[str, str] = {
    Job.Status.INIT: "Waiting", Job.Status.RUNNING: "Running", Job.Status.SUCCESS: "Succeeded", Job.Status.FAIL: "Failed",
}
TRACE_LABELS: dict[str, str] = {
    Trace.Name.ADD_MEMBER: "Shared with",
    Trace.Name.DELETE_MEMBER: "Stopped sharing with",
    Trace.Name.UPDATE_MEMBER: "Share status changed by",
    Trace.Name.UPDATE_IMAGE: "Modified",
    Trace.Name.DELETE_IMAGE: "Deleted",
    Trace.Name.COPY_IMAGE: "Created as a replica",
}
PAGE_SIZE = 20
# A job's page lists this many of its pairs; the CSV export has them all.
RESULTS_SHOWN = 500


def action_label(job: Job) -> str:
    """From the job's type, and its summary where the type does not say enough (the list does not read the
    job's results)."""
    summary = job.summary or {}
    if job.job_type == Job.Type.DELETE_MEMBERS and summary.get("reason") == "expired":
        return "Share expired"
    if job.job_type == Job.Type.UPDATE_MEMBERS and summary.get("reason") == "share end":
        return "Change share end"
    if job.job_type == Job.Type.UPDATE_MEMBERS:
        return MEMBER_STATUS_LABELS.get(summary.get("member_status", ""), ACTION_LABELS[Job.Type.UPDATE_MEMBERS])
    return ACTION_LABELS.get(job.job_type, job.job_type)


# The days the filters take: wide enough for any job, narrow enough that a day's bounds are a time in every zone.
DAYS = (date(2000, 1, 1), date(2099, 12, 31))


class ActivityForm(forms.Form):
    """The Activity page's filters, from the URL. Unlike a list's sort or page size, a filter the user typed that
    cannot be used is an error next to its field (the page then lists nothing rather than everything)."""

    action = forms.ChoiceField(required=False, label="Action", choices=[("", "All actions"), *ACTION_LABELS.items()])
    status = forms.ChoiceField(required=False, label="Status", choices=[("", "All statuses"), *STATUS_LABELS.items()])
    user = forms.CharField(required=False, max_length=150, label="User")
    image = forms.CharField(required=False, max_length=64, label="Image ID")
    since = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))
    # One job (its CSV export, from the job's page), and the page markers: in the URL, not fields to fill in.
    job = forms.CharField(required=False, max_length=32, widget=forms.HiddenInput)
    after = forms.CharField(required=False, max_length=32, widget=forms.HiddenInput)
    before = forms.CharField(required=False, max_length=32, widget=forms.HiddenInput)

    def clean_image(self) -> str:
        value = self.cleaned_data["image"].strip()
        if value and parse_uuid(value) is None:
            raise forms.ValidationError(
                f"“{value}” is not an image ID: an image ID is a UUID such as 2f1e8c3a-0b7d-4c52-9a61-5d8e0f4b7c19, "
                "shown on the image's page."
            )
        return str(parse_uuid(value)) if value else ""

    def clean(self):
        data = super().clean()
        for name in ("since", "until"):
            day = data.get(name)
            if day and not DAYS[0] <= day <= DAYS[1]:
                self.add_error(name, f"{day.isoformat()} is out of range: choose a day from {DAYS[0].isoformat()} to "
                                     f"{DAYS[1].isoformat()}.")
                data.pop(name, None)
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", f"“To” ({until.isoformat()}) is before “From” ({since.isoformat()}).")
        return data

    @property
    def filtered(self) -> bool:
        return any(self.data.get(f) for f in ("action", "status", "user", "image", "since", "until", "job"))


def _day_start(day: date) -> datetime:
    """Midnight of a day in the user's time zone (the dates typed are the user's)."""
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def project_jobs(project_id: str, filters: dict) -> QuerySet[Job]:
    """The jobs of a project that pass the filters (cleaned ActivityForm data)."""
    jobs = Job.objects.filter(project_id=project_id).defer("credential")
    if filters.get("job"):
        jobs = jobs.filter(pk=filters["job"])
    if filters.get("action"):
        jobs = jobs.filter(job_type=filters["action"])
    if filters.get("status"):
        jobs = jobs.filter(status=filters["status"])
    if filters.get("user"):
        jobs = jobs.filter(username__iexact=filters["user"].strip())
    if filters.get("image"):
        # The traces name the image each job acted on (the index on resource and time finds them).
        jobs = jobs.filter(pk__in=Trace.objects.filter(resource_id=filters["image"], project_id=project_id).values("job_id"))
    if filters.get("since"):
        jobs = jobs.filter(begin_time__gte=_day_start(filters["since"]))
    if filters.get("until"):
        jobs = jobs.filter(begin_time__lt=_day_start(filters["until"] + timedelta(days=1)))
    return jobs


@dataclass(frozen=True)
class JobRow:
    job: Job
    action: str
    status: str
    summary: str
    # The first images and projects the job acted on, by name (the page resolves them in two queries).
    subjects: str


@dataclass(frozen=True)
class ActivityPage:
    rows: list[JobRow]
    total: int
    position: int
    next_marker: str | None
    previous_marker: str | None

    @property
    def total_label(self) -> str:
        return f"more than {COUNT_LIMIT:,}" if self.total > COUNT_LIMIT else f"{self.total:,}"

    @property
    def page_label(self) -> str:
        return page_label(position=self.position, total=self.total, shown=len(self.rows), size=PAGE_SIZE,
                          count_limit=COUNT_LIMIT)


STALLED_LABEL = "Failed: worker stopped"


def status_label(job: Job) -> str:
    """ "Succeeded"; for a job whose worker was killed, STALLED_LABEL, both before the jobs region has ended it
    (openstack_jobs.end_stalled) and after."""
    if openstack_jobs.stalled(job) or (job.status == Job.Status.FAIL and job.error_code == ConsoleCode.JOB_STALLED):
        return STALLED_LABEL
    return STATUS_LABELS.get(job.status, job.status)


def results_of(job: Job) -> list[dict]:
    """A job's per-item results (its page and the CSV export read them; the list reads its summary)."""
    return job_results(job.entities or {})


def recorded_names(job: Job) -> dict[str, str]:
    """The names the job's images had when it ran."""
    return (job.entities or {}).get("names", {})


def summary_of(job: Job) -> str:
    """ "4 pairs", "3 pairs: 1 unchanged, 2 success", with the progress of a running job."""
    summary = job.summary or {}
    counts: dict[str, int] = summary.get("counts", {})
    total = sum(counts.values())
    noun = "pair" if summary.get("project_count") else "image"
    text = f"{total:,} {noun}{'' if total == 1 else 's'}"
    if set(counts) - {"success"}:
        text += ": " + ", ".join(f"{n:,} {status}" for status, n in sorted(counts.items()))
    if job.status == Job.Status.RUNNING and job.total:
        text += f" ({job.done:,} of {job.total:,} done)"
    return text


def names_for(project_id: str, image_ids: Iterable[str], project_ids: Iterable[str]) -> tuple[dict[str, str], dict[str, str]]:
    """Image and project names for some IDs, in two queries. Images: the names now of the project's own images
    only; another tenant's image is named as its job recorded it (image_name), never by its name now, which a
    former recipient must not learn. In OpenStack mode the projects are Keystone's, named by the lookup account
    where one is configured (cached; no names, not an error, when Keystone cannot say)."""
    images_wanted = {i for i in image_ids if parse_uuid(i)}
    projects_wanted = {p for p in project_ids if p}
    found = (Image.objects.filter(pk__in=images_wanted, project_id=project_id).values_list("pk", "name")
             if images_wanted else [])
    images = {str(k): v for k, v in found}
    projects = dict(Project.objects.filter(pk__in=projects_wanted).values_list("pk", "name")) if projects_wanted else {}
    unnamed = sorted(projects_wanted - set(projects))
    if unnamed and "project_lookup" in get_backend().capabilities:
        projects.update({i: info.name for i, info in project_lookup.names(unnamed).items()})
    return images, projects


def names_of_results(project_id: str, results: list[dict]) -> tuple[dict[str, str], dict[str, str]]:
    return names_for(project_id, (r["image_id"] for r in results), (r.get("project_id", "") for r in results))


def image_name(result: dict, images: dict[str, str], recorded: dict[str, str]) -> str:
    """An own image's name now, else the name its job recorded (`recorded`, the job's entities' names; jobs of
    before kept it in each result), else ""."""
    image_id = result["image_id"]
    return images.get(image_id) or recorded.get(image_id) or result.get("image_name", "")


def _subjects(summary: dict, images: dict[str, str], projects: dict[str, str]) -> str:
    """ "web, db → eu-de_globex and 2 more": the first images and projects a job acted on, by name."""
    recorded = summary.get("names", {})

    def some(ids: list[str], count: int, names: dict[str, str]) -> str:
        shown = ", ".join(names.get(i) or recorded.get(i) or i for i in ids)
        return shown + (f" and {count - len(ids):,} more" if count > len(ids) else "")

    text = some(summary.get("images", []), summary.get("image_count", 0), images)
    if summary.get("projects"):
        text += " → " + some(summary["projects"], summary.get("project_count", 0), projects)
    return text


def activity_page(project_id: str, filters: dict) -> ActivityPage:
    """One page of a project's jobs, newest first, in four queries whatever their number: the bounded count, the
    marker, where the page starts, the page; and two for the names of what the page's jobs acted on. The jobs'
    results are not read (their summaries say enough), so a page weighs the same whatever its jobs' sizes."""
    jobs = project_jobs(project_id, filters).defer("entities")
    total = jobs.values("pk").order_by()[: COUNT_LIMIT + 1].count()
    before, after = filters.get("before", ""), filters.get("after", "")
    marker_id = before or after
    marker = jobs.filter(pk=marker_id).values("begin_time", "id").first() if marker_id else None
    page = keyset_page(
        jobs, sort="begin_time", tiebreak="id", ascending=False, marker=marker,
        backwards=bool(before) and marker is not None, limit=PAGE_SIZE, count_limit=COUNT_LIMIT,
    )
    images, projects = names_for(
        project_id, (i for job in page.rows for i in (job.summary or {}).get("images", [])),
        (p for job in page.rows for p in (job.summary or {}).get("projects", [])),
    )
    rows = [
        JobRow(
            job=job, action=action_label(job), status=status_label(job),
            summary=summary_of(job), subjects=_subjects(job.summary or {}, images, projects),
        )
        for job in page.rows
    ]
    return ActivityPage(
        rows=rows, total=total, position=page.position or 0,
        next_marker=rows[-1].job.pk if rows and page.has_next else None,
        previous_marker=rows[0].job.pk if rows and page.has_previous else None,
    )


def job_of(project_id: str, job_id: str) -> Job | None:
    return Job.objects.filter(project_id=project_id, pk=job_id).defer("credential").first()


def job_source_ip(job: Job) -> str:
    """The address the job was started from, as its traces recorded it."""
    trace = Trace.objects.filter(job_id=job.pk).exclude(source_ip=None).values("source_ip").first()
    return str(trace["source_ip"]) if trace else ""


# --- CSV export ---

CSV_HEADER = [
    "time", "job_id", "action", "user", "status", "image_id", "image_name", "project_id", "project_name", "result",
    "error_code", "fail_reason",
]
# Jobs read at a time: a job's results can hold 10,000 pairs, so a batch is kept small.
CSV_BATCH = 100


def _cell(value: object) -> str:
    """A cell a spreadsheet shows as text: a value starting with =, +, -, @ or a control character would be run as
    a formula (image names are chosen by other tenants, too), so it gets a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(project_id: str, filters: dict) -> Iterator[str]:
    """Every job that passes the filters, one line per pair (or image), newest first, read CSV_BATCH jobs at a
    time (a keyset walk: memory and each query stay the same however many jobs there are)."""
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_HEADER)
    jobs = project_jobs(project_id, filters).order_by("-begin_time", "-id")
    marker: dict | None = None
    while True:
        page = keyset_page(jobs, sort="begin_time", tiebreak="id", ascending=False, marker=marker, backwards=False,
                           limit=CSV_BATCH)
        results = {job.pk: results_of(job) for job in page.rows}
        images, projects = names_of_results(project_id, [r for rs in results.values() for r in rs])
        for job in page.rows:
            common = [timezone.localtime(job.begin_time).isoformat(), job.pk, action_label(job), job.username]
            for result in results[job.pk] or [{"image_id": "", "project_id": "", "status": ""}]:
                yield writer.writerow([_cell(v) for v in [
                    *common, job.status, result["image_id"], image_name(result, images, recorded_names(job)),
                    result.get("project_id", ""), projects.get(result.get("project_id", ""), ""), result["status"],
                    job.error_code, job.fail_reason,
                ]])
        if not page.has_next:
            return
        last = page.rows[-1]
        marker = {"begin_time": last.begin_time, "id": last.pk}


# --- An image's Activity tab ---


@dataclass(frozen=True)
class TraceRow:
    time: datetime
    action: str
    # The project the action concerns (the recipient), with its name when the console knows it.
    project_id: str
    project_name: str
    result: str
    # Who and from where: for the owner's own actions only (a recipient's user and address are another tenant's).
    username: str
    source_ip: str
    by_recipient: bool
    job_id: str


@dataclass(frozen=True)
class TracePage:
    rows: list[TraceRow]
    next_marker: str | None
    previous_marker: str | None


def image_traces(project_id: str, image_id: str, *, after: str = "", before: str = "") -> TracePage:
    """An image's traces, newest first, in three queries (the marker, the page, the project names). The caller has
    checked that the image is the project's own."""
    traces = Trace.objects.filter(resource_type="image", resource_id=image_id)
    marker_id = before or after
    marker = None
    if marker_id.isdigit() and len(marker_id) <= 18:  # a trace's ID, not a number beyond its column
        marker = traces.filter(pk=int(marker_id)).values("time", "id").first()
    page = keyset_page(traces, sort="time", tiebreak="id", ascending=False, marker=marker,
                       backwards=bool(before) and marker is not None, limit=PAGE_SIZE)
    ids = {t.member_project_id for t in page.rows} | {t.project_id for t in page.rows}
    names = names_for(project_id, (), ids)[1]
    rows = []
    for trace in page.rows:
        own = trace.project_id == project_id
        concerned = trace.member_project_id if own else trace.project_id
        rows.append(TraceRow(
            time=trace.time, action=_trace_label(trace),
            project_id=concerned, project_name=names.get(concerned, ""), result=trace.result,
            username=trace.username if own else "", source_ip=(trace.source_ip or "") if own else "",
            by_recipient=not own, job_id=trace.job_id if own else "",
        ))
    return TracePage(
        rows=rows,
        next_marker=str(page.rows[-1].pk) if page.rows and page.has_next else None,
        previous_marker=str(page.rows[0].pk) if page.rows and page.has_previous else None,
    )


def _trace_label(trace: Trace) -> str:
    if trace.name == Trace.Name.DELETE_MEMBER and trace.result == "expired":
        return "Share expired for"
    if trace.name == Trace.Name.UPDATE_MEMBER and trace.result.removeprefix("unchanged: ").startswith(("ends ", "end removed")):
        return "Share end changed for"
    if trace.name == Trace.Name.UPDATE_MEMBER:
        status = trace.result.rsplit(" ", 1)[-1]
        if status in MEMBER_STATUS_LABELS:
            again = trace.result.startswith("unchanged")
            return f"{MEMBER_STATUS_LABELS[status]}ed{' again' if again else ''} by"
    return TRACE_LABELS.get(trace.name, trace.name)


def csv_filename(project: Project) -> str:
    return f"activity-{project.name}-{timezone.localdate().isoformat()}.csv"

