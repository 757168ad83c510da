"""OpenStack mode's background jobs: a submission of more pairs than IMS_BACKGROUND_PAIRS is validated in the
request, then recorded as a Job and run by the task worker (Django's Tasks framework, django-tasks-db's
`db_worker`), so that no request waits for hundreds of Glance calls.

The job keeps IMS's all-or-nothing promise as the request would (ims_console.backends.openstack.pairs): a pair
the cloud refuses undoes the pairs the job added, and what could not be undone is recorded as left in the cloud. Its progress (`done` of `total` pairs) is written as it
goes, at most every PROGRESS_EVERY seconds, and shown by the jobs region above the lists
(ims_console.views.background_jobs). The user's token travels in the job row, not in the task's arguments, and
is emptied when the job ends.

A worker that is killed (SIGKILL, out of memory, the machine going down) leaves its job running for ever, with the
token in it: django-tasks-db does not run a task again. So the worker writes a heartbeat with its progress, and
a running job not heard of for stalled_after() is ended as stalled (end_stalled) when its project next opens a
page (the one write a GET may make: the jobs region's).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.db.models.fields.json import KeyTextTransform
from django.tasks import task
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from ims_console.activity import audit
from ims_console.activity.audit import Entry
from ims_console.activity.models import Job, Trace
from ims_console.backends.openstack.pairs import CALL_ATTEMPTS, LEFT, apply_pairs
from ims_console.core import l10n
from ims_console.core.errors import ConsoleCode
from ims_console.identity.caller import Caller, Remote
from ims_console.web import observe

PROGRESS_EVERY = 0.5
# Ended jobs stay in view this long, so that whoever started one sees how it ended.
SHOWN_AFTER_END = timedelta(minutes=10)
# A job nobody has picked up after this long is said to be waiting for the worker.
WORKER_LATE = timedelta(seconds=15)
# A running job's worker writes a heartbeat with its progress (at most every PROGRESS_EVERY seconds) after every
# pair, so between two heartbeats it waits at most for one pair's calls: CALL_ATTEMPTS attempts of a call that is
# safe to repeat, each its timeout with the two connection retries, and the backoff between them. A running job not
# heard of for stalled_after() has lost its worker.
MIN_STALLED_AFTER = timedelta(minutes=2)


def stalled_after() -> timedelta:
    return max(MIN_STALLED_AFTER, timedelta(seconds=3 * CALL_ATTEMPTS * settings.IMS_REMOTE_TIMEOUT + 10))


def stalled(job: Job, now: datetime | None = None) -> bool:
    """A running background job whose worker has not been heard of for too long: it was killed mid-job."""
    now = now or timezone.now()
    last = job.heartbeat_at or job.begin_time
    return job.background and job.status == Job.Status.RUNNING and now - last > stalled_after()


def start(caller: Caller, job_type: str, pairs: list[tuple[str, str]], *, opened: list[str], images: int,
          projects: int, names: dict[str, str] | None = None) -> Job:
    """Record the job and queue it for the worker once the job row is committed. `names` (image ID to name) and
    the caller's address go with it, for its traces and the Activity page."""
    assert caller.remote is not None
    entities = {"pairs": [list(p) for p in pairs], "opened": opened, "images": images, "projects": projects,
                "names": names or {}, "source_ip": caller.source_ip, "language": translation.get_language()}
    job = Job.objects.create(
        job_type=job_type, status=Job.Status.INIT, project_id=caller.project_id, username=caller.username,
        background=True, total=len(pairs), begin_time=timezone.now(),
        credential={"token": caller.remote.token, "image_url": caller.remote.image_url},
        entities=entities, summary=audit.summarize(entities),
    )
    transaction.on_commit(lambda: run_job.enqueue(job.id))
    return job


@task()
def run_job(job_id: str) -> str:
    """Run one background job to its end; what it did is in the job row, whatever happens."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id, status=Job.Status.INIT).first()
        if job is None:
            return "not waiting"
        job.status, job.heartbeat_at = Job.Status.RUNNING, timezone.now()
        job.save(update_fields=["status", "heartbeat_at"])
    observe.adopt(job.request_id)
    caller = Caller(user_id=None, username=job.username, account_id="", project_id=job.project_id, role="admin",
                    source_ip=job.entities.get("source_ip", ""), remote=Remote(**job.credential))
    pairs = [(image_id, project_id) for image_id, project_id in job.entities["pairs"]]
    last = time.monotonic()
    # What the job records (its refusals, its reason) is written in the language of the user who started it.
    translation.activate(job.entities.get("language") or settings.LANGUAGE_CODE)

    def progress(done: int) -> None:
        """The pairs done so far, and the heartbeat that says the worker is alive (see stalled)."""
        nonlocal last
        if time.monotonic() - last >= PROGRESS_EVERY:
            Job.objects.filter(pk=job.pk).update(done=done, heartbeat_at=timezone.now())
            last = time.monotonic()

    add = job.job_type == Job.Type.ADD_MEMBERS
    ended = False
    try:
        applied = apply_pairs(caller, pairs, add=add, opened=job.entities.get("opened", []), progress=progress)
        job.entities["results"] = applied.results()
        if applied.complete:
            job.status, job.done = Job.Status.SUCCESS, len(pairs)
        else:
            # Every refusal, then what stays in the cloud after all (pairs an add could not undo, shares a removal
            # did remove): the panel, Activity and the job's page say exactly that.
            problems = applied.problems(job.entities.get("names", {}))
            job.status, job.error_code = Job.Status.FAIL, problems[0].code
            job.fail_reason = "\n".join(p.message for p in problems)
            job.done = applied.standing
        ended = True
    finally:
        if not ended:
            # Anything else is the console's own fault: the job still ends (and its token is erased) before the
            # error goes on to the worker, which records it as a failed task with its traceback.
            job.status, job.error_code = Job.Status.FAIL, ConsoleCode.JOB_FAILED
            job.fail_reason = gettext("The console failed while running this job; see the task worker's log.")
        job.end_time, job.credential = timezone.now(), {}
        job.summary = audit.summarize(job.entities)
        job.save(update_fields=[
            "status", "error_code", "fail_reason", "entities", "summary", "done", "end_time", "credential",
        ])
        # One trace per pair, as a request's change has (the Activity tab of each image lists them).
        trace = Trace.Name.ADD_MEMBER if add else Trace.Name.DELETE_MEMBER
        audit.record_traces(caller, trace, [Entry(r["image_id"], r["project_id"], r["status"])
                                            for r in job.entities.get("results", [])], job=job, now=job.end_time)
        translation.deactivate()
    return job.status


def stalled_reason(*, heard: str, done: int, total: int) -> str:
    return gettext(
        "The task worker stopped while running this job (it was last heard of at %(heard)s UTC, after %(done)s of "
        "%(total)s pairs). The pairs it reached stay as the cloud has them and the rest were not done: look at the "
        "images' Sharing tabs, then share or stop sharing again."
    ) % {"heard": heard, "done": done, "total": total}


def end_stalled(job_id: str) -> bool:
    """End a stalled job (see stalled) as failed, erasing its token. Every pair's result is "unknown": the worker
    did not say which pairs the cloud took. If its worker was only slow and comes back, its own end overwrites
    this one, so what it did is what stays recorded."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id, status=Job.Status.RUNNING, background=True).first()
        if job is None or not stalled(job):
            return False
        heard = job.heartbeat_at or job.begin_time
        job.status, job.error_code = Job.Status.FAIL, ConsoleCode.JOB_STALLED
        job.fail_reason = stalled_reason(heard=f"{heard:%Y-%m-%d %H:%M:%S}", done=job.done, total=job.total)
        job.entities["results"] = [
            {"image_id": i, "project_id": p, "status": "unknown"} for i, p in job.entities.get("pairs", [])
        ]
        job.summary = audit.summarize(job.entities)
        job.end_time, job.credential = timezone.now(), {}
        job.save(update_fields=["status", "error_code", "fail_reason", "entities", "summary", "end_time", "credential"])
    return True


def run_queued_tasks() -> None:
    """Run every queued task with django-tasks-db's own worker loop, then return (its --batch mode): for the
    benchmark and the tests, which look at a job before and after it runs."""
    from django_tasks_db.management.commands.db_worker import Worker

    Worker(queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
           max_tasks=None, worker_id="in-process", excluded_queue_names=[]).run()


def shown(project_id: str) -> QuerySet[Job]:
    """The background jobs the jobs region shows: running ones, and ones that ended a moment ago."""
    recent = timezone.now() - SHOWN_AFTER_END
    return Job.objects.filter(project_id=project_id, background=True).filter(
        Q(end_time__isnull=True) | Q(end_time__gte=recent)
    ).defer("credential", "entities").annotate(
        images=KeyTextTransform("images", "entities"), projects=KeyTextTransform("projects", "entities"),
    ).order_by("-begin_time")


@dataclass(frozen=True)
class JobLine:
    """A background job as the jobs region says it."""

    id: str
    running: bool
    status: str
    headline: str
    detail: str
    done: int
    total: int
    problems: list[str]


def describe(job: Job, now: datetime | None = None) -> JobLine:
    now = now or timezone.now()
    images, projects = int(job.images or 0), int(job.projects or 0)  # type: ignore[attr-defined]
    adding = job.job_type == Job.Type.ADD_MEMBERS
    what = {"images": l10n.images_count(images), "projects": l10n.projects_count(projects)}
    problems: list[str] = []
    if job.status == Job.Status.SUCCESS:
        headline = gettext("Shared %(images)s with %(projects)s") if adding else gettext("Stopped sharing %(images)s with %(projects)s")
        detail = gettext("All %(pairs)s done.") % {"pairs": l10n.pairs_count(job.total)} if job.total > 1 else gettext("Done.")
    elif job.status == Job.Status.FAIL and job.error_code == ConsoleCode.JOB_STALLED:
        headline = gettext("Sharing %(images)s with %(projects)s stopped") if adding else gettext("Stopping sharing of %(images)s with %(projects)s stopped")
        problems = job.fail_reason.splitlines()
        detail = gettext("Some pairs may be done and others not.")
    elif job.status == Job.Status.FAIL:
        headline = gettext("Sharing %(images)s with %(projects)s failed") if adding else gettext("Stopping sharing of %(images)s with %(projects)s failed")
        problems = job.fail_reason.splitlines()
        left = (job.summary or {}).get("counts", {}).get(LEFT, 0)
        if adding and left:
            detail = ngettext(
                "%(count)s pair of %(total)s remains in the cloud: the console could not remove it again (listed below; "
                "remove it on the image's Sharing tab). The others were not shared or were removed again.",
                "%(count)s pairs of %(total)s remain in the cloud: the console could not remove them again (listed "
                "below; remove them on the images' Sharing tabs). The others were not shared or were removed again.",
                left,
            ) % {"count": l10n.number(left), "total": l10n.number(job.total)}
        elif adding:
            detail = gettext("Nothing was shared: the pairs already added were removed again.")
        else:
            detail = ngettext("%(count)s share of %(total)s removed; the others remain.",
                              "%(count)s shares of %(total)s removed; the others remain.", job.done,
                              ) % {"count": l10n.number(job.done), "total": l10n.number(job.total)}
    else:
        headline = gettext("Sharing %(images)s with %(projects)s") if adding else gettext("Stopping sharing of %(images)s with %(projects)s")
        if job.status == Job.Status.INIT and now - job.begin_time > WORKER_LATE:
            detail = gettext("Waiting for the task worker: it has not picked this job up. Is `manage.py db_worker` running?")
        elif job.status == Job.Status.INIT:
            detail = gettext("Waiting to start.")
        else:
            detail = gettext("%(done)s of %(pairs)s done.") % {
                "done": l10n.number(job.done), "pairs": l10n.pairs_count(job.total),
            }
    return JobLine(
        id=job.id, running=job.end_time is None, status=job.status, headline=headline % what, detail=detail,
        done=job.done, total=job.total, problems=problems,
    )


# The region shows the newest few background jobs of the project (running, or ended in the last 10 minutes).
JOBS_SHOWN = 5


@dataclass(frozen=True)
class JobsRegion:
    jobs: list[JobLine]

    @property
    def watching(self) -> str:
        """The running jobs, which the region asks about again."""
        return " ".join(job.id for job in self.jobs if job.running)


def region(project_id: str) -> JobsRegion:
    """The region's jobs. A job whose worker was killed is ended here, when its project looks at it next (no
    query more when none is)."""
    jobs = list(shown(project_id)[:JOBS_SHOWN])
    lost = [job.id for job in jobs if stalled(job)]
    if lost:
        for job_id in lost:
            end_stalled(job_id)
        jobs = list(shown(project_id)[:JOBS_SHOWN])
    return JobsRegion([describe(job) for job in jobs])
