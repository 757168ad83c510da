"""The words Activity uses for jobs and traces: what a job did, how it ended, what a trace records."""

from __future__ import annotations

from ims_console.activity.models import Job, Trace
from ims_console.backends.openstack import jobs as openstack_jobs
from ims_console.core.errors import ConsoleCode

ACTION_LABELS: dict[str, str] = {
    Job.Type.ADD_MEMBERS: "Share",
    Job.Type.DELETE_MEMBERS: "Stop sharing",
    Job.Type.UPDATE_MEMBERS: "Accept or reject",
    Job.Type.UPDATE_IMAGE: "Modify image",
    Job.Type.DELETE_IMAGES: "Delete images",
    Job.Type.COPY_IMAGE: "Replicate image",
    Job.Type.CREATE_ACCESS_KEY: "Create access key",
    Job.Type.UPDATE_ACCESS_KEY: "Change access key",
    Job.Type.DELETE_ACCESS_KEY: "Delete access key",
}
ACCESS_KEY_LABELS: dict[str, str] = {"activated": "Activate access key", "deactivated": "Deactivate access key"}
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
    Trace.Name.CREATE_ACCESS_KEY: "Access key created",
    Trace.Name.UPDATE_ACCESS_KEY: "Access key changed",
    Trace.Name.DELETE_ACCESS_KEY: "Access key deleted",
}


def action_label(job: Job) -> str:
    """From the job's type, and its summary where the type does not say enough (the list does not read the
    job's results)."""
    summary = job.summary or {}
    if job.job_type == Job.Type.DELETE_MEMBERS and summary.get("reason") == "expired":
        return "Share expired"
    if job.job_type == Job.Type.UPDATE_MEMBERS and summary.get("reason") == "share end":
        return "Change share end"
    if job.job_type == Job.Type.UPDATE_ACCESS_KEY:
        return ACCESS_KEY_LABELS.get(summary.get("reason", ""), ACTION_LABELS[Job.Type.UPDATE_ACCESS_KEY])
    if job.job_type == Job.Type.UPDATE_MEMBERS:
        return MEMBER_STATUS_LABELS.get(summary.get("member_status", ""), ACTION_LABELS[Job.Type.UPDATE_MEMBERS])
    return ACTION_LABELS.get(job.job_type, job.job_type)


STALLED_LABEL = "Failed: worker stopped"
ACCESS_KEY_JOBS = {Job.Type.CREATE_ACCESS_KEY, Job.Type.UPDATE_ACCESS_KEY, Job.Type.DELETE_ACCESS_KEY}


def status_label(job: Job) -> str:
    """ "Succeeded"; for a job whose worker was killed, STALLED_LABEL, both before the jobs region has ended it
    (openstack_jobs.end_stalled) and after."""
    if openstack_jobs.stalled(job) or (job.status == Job.Status.FAIL and job.error_code == ConsoleCode.JOB_STALLED):
        return STALLED_LABEL
    return STATUS_LABELS.get(job.status, job.status)


def summary_of(job: Job) -> str:
    """ "4 pairs", "3 pairs: 1 unchanged, 2 success", with the progress of a running job."""
    summary = job.summary or {}
    counts: dict[str, int] = summary.get("counts", {})
    total = sum(counts.values())
    noun = "pair" if summary.get("project_count") else "access key" if job.job_type in ACCESS_KEY_JOBS else "image"
    text = f"{total:,} {noun}{'' if total == 1 else 's'}"
    if set(counts) - {"success"}:
        text += ": " + ", ".join(f"{n:,} {status}" for status, n in sorted(counts.items()))
    if job.status == Job.Status.RUNNING and job.total:
        text += f" ({job.done:,} of {job.total:,} done)"
    return text


def trace_label(trace: Trace) -> str:
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
