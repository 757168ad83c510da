"""The words Activity uses for jobs and traces: what a job did, how it ended, what a trace records."""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from ims_console.activity.models import Job, Trace
from ims_console.backends.openstack import jobs as openstack_jobs
from ims_console.core import l10n
from ims_console.core.errors import ConsoleCode

ACTION_LABELS: dict[str, StrOrPromise] = {
    Job.Type.ADD_MEMBERS: _("Share"),
    Job.Type.DELETE_MEMBERS: _("Stop sharing"),
    Job.Type.UPDATE_MEMBERS: _("Accept or reject"),
    Job.Type.UPDATE_IMAGE: _("Modify image"),
    Job.Type.DELETE_IMAGES: _("Delete images"),
    Job.Type.COPY_IMAGE: _("Replicate image"),
    Job.Type.CREATE_ACCESS_KEY: _("Create access key"),
    Job.Type.UPDATE_ACCESS_KEY: _("Change access key"),
    Job.Type.DELETE_ACCESS_KEY: _("Delete access key"),
}
ACCESS_KEY_LABELS: dict[str, StrOrPromise] = {"activated": _("Activate access key"), "deactivated": _("Deactivate access key")}
# What an accept or reject job did, recorded in its entities since this page exists (older jobs say both).
MEMBER_STATUS_LABELS: dict[str, StrOrPromise] = {"accepted": _("Accept"), "rejected": _("Reject")}
STATUS_LABELS: dict[str, StrOrPromise] = {
    Job.Status.INIT: _("Waiting"), Job.Status.RUNNING: _("Running"), Job.Status.SUCCESS: _("Succeeded"), Job.Status.FAIL: _("Failed"),
}
TRACE_LABELS: dict[str, StrOrPromise] = {
    Trace.Name.ADD_MEMBER: _("Shared with"),
    Trace.Name.DELETE_MEMBER: _("Stopped sharing with"),
    Trace.Name.UPDATE_MEMBER: _("Share status changed by"),
    Trace.Name.UPDATE_IMAGE: _("Modified"),
    Trace.Name.DELETE_IMAGE: _("Deleted"),
    Trace.Name.COPY_IMAGE: _("Created as a replica"),
    Trace.Name.CREATE_ACCESS_KEY: _("Access key created"),
    Trace.Name.UPDATE_ACCESS_KEY: _("Access key changed"),
    Trace.Name.DELETE_ACCESS_KEY: _("Access key deleted"),
}


def action_label(job: Job) -> str:
    """From the job's type, and its summary where the type does not say enough (the list does not read the
    job's results)."""
    summary = job.summary or {}
    if job.job_type == Job.Type.DELETE_MEMBERS and summary.get("reason") == "expired":
        return gettext("Share expired")
    if job.job_type == Job.Type.UPDATE_MEMBERS and summary.get("reason") == "share end":
        return gettext("Change share end")
    if job.job_type == Job.Type.UPDATE_ACCESS_KEY:
        return str(ACCESS_KEY_LABELS.get(summary.get("reason", ""), ACTION_LABELS[Job.Type.UPDATE_ACCESS_KEY]))
    if job.job_type == Job.Type.UPDATE_MEMBERS:
        return str(MEMBER_STATUS_LABELS.get(summary.get("member_status", ""), ACTION_LABELS[Job.Type.UPDATE_MEMBERS]))
    return str(ACTION_LABELS.get(job.job_type, job.job_type))


STALLED_LABEL = _("Failed: worker stopped")
ACCESS_KEY_JOBS = {Job.Type.CREATE_ACCESS_KEY, Job.Type.UPDATE_ACCESS_KEY, Job.Type.DELETE_ACCESS_KEY}


def status_label(job: Job) -> str:
    """ "Succeeded"; for a job whose worker was killed, STALLED_LABEL, both before the jobs region has ended it
    (openstack_jobs.end_stalled) and after."""
    if openstack_jobs.stalled(job) or (job.status == Job.Status.FAIL and job.error_code == ConsoleCode.JOB_STALLED):
        return str(STALLED_LABEL)
    return str(STATUS_LABELS.get(job.status, job.status))


def summary_of(job: Job) -> str:
    """ "4 pairs", "3 pairs: 1 unchanged, 2 success", with the progress of a running job."""
    summary = job.summary or {}
    counts: dict[str, int] = summary.get("counts", {})
    total = sum(counts.values())
    if summary.get("project_count"):
        text = ngettext("%(count)s pair", "%(count)s pairs", total)
    elif job.job_type in ACCESS_KEY_JOBS:
        text = ngettext("%(count)s access key", "%(count)s access keys", total)
    else:
        text = ngettext("%(count)s image", "%(count)s images", total)
    text %= {"count": l10n.number(total)}
    if set(counts) - {"success"}:
        text += ": " + ", ".join(f"{l10n.number(n)} {result_label(status)}" for status, n in sorted(counts.items()))
    if job.status == Job.Status.RUNNING and job.total:
        text += " " + gettext("(%(done)s of %(total)s done)") % {"done": l10n.number(job.done), "total": l10n.number(job.total)}
    return text


def trace_label(trace: Trace) -> str:
    if trace.name == Trace.Name.DELETE_MEMBER and trace.result == "expired":
        return gettext("Share expired for")
    if trace.name == Trace.Name.UPDATE_MEMBER and trace.result.removeprefix("unchanged: ").startswith(("ends ", "end removed")):
        return gettext("Share end changed for")
    if trace.name == Trace.Name.UPDATE_MEMBER:
        status = trace.result.rsplit(" ", 1)[-1]
        if status in BY_LABELS:
            return str(BY_LABELS[status][trace.result.startswith("unchanged")])
    return str(TRACE_LABELS.get(trace.name, trace.name))


# Who set a share's status, as a trace of the owner's image says it (the second: it was already so).
BY_LABELS = {
    "accepted": (_("Accepted by"), _("Accepted again by")),
    "rejected": (_("Rejected by"), _("Rejected again by")),
}
# The words of the results jobs and traces record (IMS's job results, CTS-style trace results), shown in the user's
# language: a recorded result is kept as written ("unchanged: already shared; ends 2026-12-31T00:00:00+01:00"),
# and each of its parts is put into words when it is shown. A part not known here is shown as recorded.
RESULT_WORDS = {
    "success": pgettext_lazy("result", "success"),
    "unchanged": pgettext_lazy("result", "unchanged"),
    "failed": pgettext_lazy("result", "failed"),
    "undone": pgettext_lazy("result", "undone"),
    "left in the cloud": pgettext_lazy("result", "left in the cloud"),
    "expired": pgettext_lazy("result", "expired"),
    "waiting": pgettext_lazy("result", "waiting"),
    "unknown": pgettext_lazy("result", "unknown"),
    "accepted": pgettext_lazy("result", "accepted"),
    "rejected": pgettext_lazy("result", "rejected"),
    "pending": pgettext_lazy("result", "pending"),
    "already shared": _("already shared"),
    "already accepted": _("already accepted"),
    "already rejected": _("already rejected"),
    "already pending": _("already pending"),
    "image deleted": _("image deleted"),
    "nothing changed": _("nothing changed"),
    "end removed": _("end removed"),
    "activated": pgettext_lazy("result", "activated"),
    "deactivated": pgettext_lazy("result", "deactivated"),
    "created": pgettext_lazy("result", "created"),
    "deleted": pgettext_lazy("result", "deleted"),
}
_ENDS = re.compile(r"ends (\S+)")
_COPY = re.compile(r"copy of (\S+)")
_VISIBILITY = re.compile(r"visibility (\w+)")
_CHANGED = re.compile(r"((?:\w+)(?:, \w+)*) changed")


def result_label(recorded: str) -> str:
    """A recorded result in the user's language: "unchanged: already shared; ends 2026-12-31T00:00:00+01:00" is
    "unverändert: bereits freigegeben; endet am 31.12.2026 …" in German."""
    return "; ".join(_result_part(part) for part in recorded.split("; ")) if recorded else recorded


def _result_part(part: str) -> str:
    head, sep, tail = part.partition(": ")
    if sep and head in ("success", "unchanged", "failed"):
        return f"{RESULT_WORDS[head]}: {_result_part(tail)}"
    if part in RESULT_WORDS:
        return str(RESULT_WORDS[part])
    if match := _ENDS.fullmatch(part):
        try:
            when = datetime.fromisoformat(match[1])
        except ValueError:
            return part
        return gettext("ends %(time)s") % {"time": l10n.long_datetime(when)}
    if match := _COPY.fullmatch(part):
        return gettext("copy of %(image_id)s") % {"image_id": match[1]}
    if match := _VISIBILITY.fullmatch(part):
        return gettext("visibility %(visibility)s") % {"visibility": match[1]}
    if match := _CHANGED.fullmatch(part):
        return gettext("%(fields)s changed") % {"fields": match[1]}
    return part
