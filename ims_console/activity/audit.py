"""The audit trail: IMS jobs and CTS-style traces, written one way.

Every write records one Job (IMS's asynchronous job, with its per-item results) and traces of who did what to
which resource, from which address, with what result (S15 in docs/rules.md). Traces always go in through
bulk_insert: one statement for one trace or for ten thousand.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

from django.utils import timezone

from ims_console.activity.models import Job, Trace
from ims_console.core.bulk import bulk_insert
from ims_console.core.errors import ConsoleCode, IMSError
from ims_console.identity.caller import Caller

TRACE_FIELDS = (
    "name", "user", "username", "project_id", "resource_type", "resource_id", "member_project_id", "source_ip",
    "result", "job_id", "time",
)


class Entry(NamedTuple):
    """One trace: the resource acted on, the member project or account it concerns (if any), the result."""

    resource_id: str
    member: str
    result: str
    resource_type: str = "image"


def record_job(caller: Caller, job_type: str, *, entities: dict, now: datetime) -> Job:
    """A job the console ran to completion (it validates first, so a job succeeds whole)."""
    return Job.objects.create(
        job_type=job_type, status=Job.Status.SUCCESS, project_id=caller.project_id, username=caller.username,
        total=len(entities.get("results", [])), done=len(entities.get("results", [])), begin_time=now,
        end_time=timezone.now(), entities=entities, summary=summarize(entities),
    )


def job_results(entities: dict) -> list[dict]:
    """A job's per-item results as IMS reports them: pairs for members jobs, images for the others."""
    if "results" in entities:
        return list(entities["results"])
    if "pairs" in entities:  # a background job that has not ended: its pairs, not yet done
        return [{"image_id": i, "project_id": p, "status": "waiting"} for i, p in entities["pairs"]]
    if "image_id" in entities:  # a replica
        return [{"image_id": entities["image_id"], "status": "success"}]
    return []


# How many of a job's images and projects its summary names (the Activity list shows them; the job's page all).
SUMMARY_NAMED = 3


def summarize(entities: dict) -> dict:
    """What the Activity list shows of a job, kept beside its results so that a page of jobs does not read them (a
    job's results can hold 10,000 pairs): how many results of each status, and its first images and projects."""
    results = job_results(entities)
    counts: dict[str, int] = {}
    for result in results:
        counts[result["status"]] = counts.get(result["status"], 0) + 1
    image_ids = list(dict.fromkeys(r["image_id"] for r in results))
    project_ids = list(dict.fromkeys(r["project_id"] for r in results if r.get("project_id")))
    named = set(image_ids[:SUMMARY_NAMED])
    # What kind of change the job was, where its type does not say: an accept or a reject, an expiry.
    kind = {k: entities[k] for k in ("member_status", "reason") if k in entities}
    return {
        **kind, "counts": counts, "images": image_ids[:SUMMARY_NAMED], "image_count": len(image_ids),
        "projects": project_ids[:SUMMARY_NAMED], "project_count": len(project_ids),
        "names": {
            **{i: n for i, n in entities.get("names", {}).items() if i in named},
            **{r["image_id"]: r["image_name"] for r in results if r.get("image_name") and r["image_id"] in named},
        },
    }


def record_traces(caller: Caller, name: str, entries: Iterable[Entry], *, job: Job | None = None,
                  now: datetime | None = None) -> None:
    now = now or timezone.now()
    bulk_insert(Trace, TRACE_FIELDS, [
        (name, caller.user_id, caller.username, caller.project_id, e.resource_type, e.resource_id, e.member,
         caller.source_ip or None, e.result, job.id if job else "", now)
        for e in entries
    ])


def pair_results(changed: list[tuple[str, str]], unchanged: list[tuple[str, str]] | None = None,
                 names: dict[str, str] | None = None) -> dict:
    """A members job's entities: each (image, project) pair with its result, as IMS reports them, and the names
    the images had then (`names`, image ID to name), once per image: Activity shows another tenant's image by the
    name it had when the job ran, never by its name now, and an image since deleted (or one of the cloud's, in
    OpenStack mode) by the name it had."""
    results = [{"image_id": i, "project_id": p, "status": "success"} for i, p in changed]
    results += [{"image_id": i, "project_id": p, "status": "unchanged"} for i, p in unchanged or []]
    return {"results": results, **({"names": recorded_names(results, names)} if names else {})}


def recorded_names(results: list[dict], names: dict[str, str]) -> dict[str, str]:
    """The names of the images the results concern."""
    wanted = {r["image_id"] for r in results}
    return {i: n for i, n in names.items() if i in wanted}


def record_failed(caller: Caller, job_type: str, trace: str, *, results: list[dict], done: int,
                  problems: list[IMSError], names: dict[str, str], extra: dict | None = None) -> Job:
    """A change the cloud took in part (OpenStack mode): a failed job with each pair's result (done, refused,
    undone, left in the cloud), its problems as its reason, and one trace per pair with its result."""
    now = timezone.now()
    entities = {"results": results, "names": recorded_names(results, names), **(extra or {})}
    job = Job.objects.create(
        job_type=job_type, status=Job.Status.FAIL, project_id=caller.project_id, username=caller.username,
        total=len(results), done=done, begin_time=now, end_time=now, entities=entities, summary=summarize(entities),
        error_code=problems[0].code if problems else ConsoleCode.JOB_FAILED,
        fail_reason="\n".join(p.message for p in problems),
    )
    record_traces(caller, trace, [Entry(r["image_id"], r.get("project_id", ""), r["status"]) for r in results],
                  job=job, now=now)
    return job


def record_done(caller: Caller, job_type: str, trace: str, *, changed: list[tuple[str, str]],
                unchanged: list[tuple[str, str]] | None = None, result: str = "success",
                unchanged_result: str = "unchanged", names: dict[str, str] | None = None,
                extra: dict | None = None) -> Job:
    """A change made elsewhere (OpenStack mode: in Glance, within the request) recorded as the embedded services
    record theirs: one job with its per-pair results, one trace per pair. An image's own change has pairs with no
    project ("")."""
    now = timezone.now()
    entities = pair_results(changed, unchanged, names)
    for row in entities["results"]:
        if not row["project_id"]:
            del row["project_id"]
    job = record_job(caller, job_type, entities={**entities, **(extra or {})}, now=now)
    record_traces(caller, trace, [Entry(i, p, result) for i, p in changed]
                  + [Entry(i, p, unchanged_result) for i, p in unchanged or []], job=job, now=now)
    return job
