"""The reads of the Activity screens: a project's jobs a page at a time, one job, and an image's traces.

The trail is the console's own record, kept in its own database whatever the image service (like the session),
so these reads do not go through the backend. Every read is scoped to the caller's project: another project's job
is not found (404), and an image's tab is reached only after the backend has found the image the caller's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ims_console.activity.audit import job_results
from ims_console.activity.filters import project_jobs
from ims_console.activity.labels import action_label, status_label, summary_of, trace_label
from ims_console.activity.models import Job, Trace
from ims_console.activity.names import image_name, names_for, names_of_results, recorded_names, subjects
from ims_console.backends.records import COUNT_LIMIT
from ims_console.core.keyset import keyset_page, page_label

PAGE_SIZE = 20
# A job's page lists this many of its pairs; the CSV export has them all.
RESULTS_SHOWN = 500


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
            summary=summary_of(job), subjects=subjects(job.summary or {}, images, projects),
        )
        for job in page.rows
    ]
    return ActivityPage(
        rows=rows, total=total, position=page.position or 0,
        next_marker=rows[-1].job.pk if rows and page.has_next else None,
        previous_marker=rows[0].job.pk if rows and page.has_previous else None,
    )


@dataclass(frozen=True)
class JobPage:
    """A job's page: what it was, how it ended, where it came from, and its first RESULTS_SHOWN results by name."""

    job: Job
    action: str
    status: str
    summary: str
    source_ip: str
    results: list[dict]
    more: int


def job_page(project_id: str, job_id: str) -> JobPage | None:
    """One job of the project, or None (another project's job is not found)."""
    job = Job.objects.filter(project_id=project_id, pk=job_id).defer("credential").first()
    if job is None:
        return None
    results = results_of(job)
    shown = results[:RESULTS_SHOWN]
    images, projects = names_of_results(project_id, shown)
    recorded = recorded_names(job)
    return JobPage(
        job=job, action=action_label(job), status=status_label(job), summary=summary_of(job),
        source_ip=job_source_ip(job), more=max(0, len(results) - len(shown)),
        results=[{**r, "image_name": image_name(r, images, recorded), "project_name": projects.get(r.get("project_id", ""), "")}
                 for r in shown],
    )


def job_source_ip(job: Job) -> str:
    """The address the job was started from, as its traces recorded it."""
    trace = Trace.objects.filter(job_id=job.pk).exclude(source_ip=None).values("source_ip").first()
    return str(trace["source_ip"]) if trace else ""


def results_of(job: Job) -> list[dict]:
    """A job's per-item results (its page and the CSV export read them; the list reads its summary)."""
    return job_results(job.entities or {})


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
            time=trace.time, action=trace_label(trace),
            project_id=concerned, project_name=names.get(concerned, ""), result=trace.result,
            username=trace.username if own else "", source_ip=(trace.source_ip or "") if own else "",
            by_recipient=not own, job_id=trace.job_id if own else "",
        ))
    return TracePage(
        rows=rows,
        next_marker=str(page.rows[-1].pk) if page.rows and page.has_next else None,
        previous_marker=str(page.rows[0].pk) if page.rows and page.has_previous else None,
    )


def job_of(project_id: str, job_id: str) -> Job | None:
    """One job of the project, whole (IMS's `GET /v1/{project_id}/jobs/{job_id}`)."""
    return Job.objects.filter(project_id=project_id, pk=job_id).defer("credential").first()


def job_of_copy(image_id: str) -> str:
    """The ID of the job that made a replica."""
    trace = Trace.objects.filter(name=Trace.Name.COPY_IMAGE, resource_id=image_id).values("job_id").first()
    return trace["job_id"] if trace else ""
