"""IMS's own API (embedded mode), as Huawei Cloud's SDK for IMS calls it, signed with access keys (or with a token):
the batch member operations that answer a job, the job itself, the image list with IMS's filters, and Replicate.

The same services as the pages do the work, all or nothing: a refusal before the job is IMS's error body with the
IMS code. In embedded mode a batch is applied within the request, so its job has ended (SUCCESS) when it is
answered; the job is the one Activity shows."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from ninja import Body, Field, Query, Router, Schema

from ims_console.activity import selectors as activity_selectors
from ims_console.activity.audit import job_results
from ims_console.activity.models import Job
from ims_console.api.auth import caller_of, image_auth
from ims_console.api.errors import ApiError, from_ims
from ims_console.api.images import image_body
from ims_console.core.errors import IMSError
from ims_console.core.ids import parse_uuid
from sharing import acceptance, replication, visible
from sharing import services as sharing_services
from sharing.visible import Filters

router = Router(tags=["IMS"], auth=image_auth)
list_router = Router(tags=["IMS"], auth=image_auth)

ANSWERS: dict[int, Any] = {200: dict, 400: dict, 401: dict, 403: dict, 404: dict}
IMAGE_TYPES = {"private", "shared", "gold", "market"}


def _ids(body: dict, key: str) -> list[str]:
    value = body.get(key)
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise ApiError(400, f"“{key}” must be a list of at least one ID, as strings.", "IMG.0001")
    return value


def _run(call) -> Any:
    try:
        return call()
    except IMSError as error:
        refused = from_ims(error)
        # IMS answers a refused batch with 400, the member quota included; not found and not allowed keep theirs.
        raise ApiError(refused.status if refused.status in (403, 404) else 400, refused.message, refused.code) from None


@router.post("/cloudimages/members", response=ANSWERS, summary="Share images with projects (batch)")
def members_add(request: HttpRequest, payload: dict = Body(...)) -> JsonResponse:  # noqa: B008
    caller = caller_of(request)
    caller.require_write()  # a read-only role is refused before the request is read
    images, projects = _ids(payload, "images"), _ids(payload, "projects")
    result = _run(lambda: sharing_services.image_members_add(caller=caller, image_ids=images, project_ids=projects))
    return JsonResponse({"job_id": result.job.pk})


@router.put("/cloudimages/members", response=ANSWERS, summary="Accept or reject images shared with you (batch)")
def members_update(request: HttpRequest, payload: dict = Body(...)) -> JsonResponse:  # noqa: B008
    caller = caller_of(request)
    caller.require_write()  # a read-only role is refused before the request is read
    images = _ids(payload, "images")
    status, project_id, vault_id = payload.get("status"), payload.get("project_id"), payload.get("vault_id") or ""
    if status not in ("accepted", "rejected"):
        raise ApiError(400, f"“status” must be accepted or rejected, not {status!r}.", "IMG.0001")
    if project_id != caller.project_id:
        raise ApiError(400, f"“project_id” must be your project, {caller.project_id} (the X-Project-Id of the request), "
                            f"not {project_id!r}.", "IMG.0001")
    if not isinstance(vault_id, str):
        raise ApiError(400, "“vault_id” must be a vault's ID.", "IMG.0001")
    result = _run(lambda: acceptance.image_member_status_update(caller=caller, image_ids=images, status=status,
                                                                 vault_id=vault_id))
    return JsonResponse({"job_id": result.job.pk})


@router.delete("/cloudimages/members", response=ANSWERS, summary="Stop sharing images with projects (batch)")
def members_delete(request: HttpRequest, payload: dict = Body(...)) -> JsonResponse:  # noqa: B008
    caller = caller_of(request)
    caller.require_write()  # a read-only role is refused before the request is read
    images, projects = _ids(payload, "images"), _ids(payload, "projects")
    result = _run(lambda: sharing_services.image_members_remove(caller=caller, image_ids=images, project_ids=projects))
    return JsonResponse({"job_id": result.job.pk})


def _time(value) -> str | None:
    return f"{value:%Y-%m-%dT%H:%M:%S}.{value.microsecond // 1000:03d}Z" if value else None


@router.get("/{project_id}/jobs/{job_id}", response=ANSWERS, summary="An IMS job")
def job_show(request: HttpRequest, project_id: str, job_id: str) -> JsonResponse:
    """The job as Activity shows it: status, type, times, each pair's result, and why it failed."""
    caller = caller_of(request)
    job = activity_selectors.job_of(caller.project_id, job_id) if project_id == caller.project_id else None
    if job is None:
        raise ApiError(404, f"Job {job_id[:40]} does not exist in project {project_id[:40]}.", "IMG.0001")
    entities: dict[str, Any] = {"results": [{k: r[k] for k in ("image_id", "project_id", "status") if k in r}
                                            for r in job_results(job.entities or {})]}
    if job.job_type == Job.Type.COPY_IMAGE and "image_id" in (job.entities or {}):
        entities["image_id"] = job.entities["image_id"]
    return JsonResponse({
        "job_id": job.pk, "job_type": job.job_type, "status": job.status, "begin_time": _time(job.begin_time),
        "end_time": _time(job.end_time), "entities": entities, "error_code": job.error_code or None,
        "fail_reason": job.fail_reason or None,
    })


@router.post("/cloudimages/{image_id}/copy", response=ANSWERS, summary="Replicate an image within the region")
def image_copy(request: HttpRequest, image_id: str, payload: dict = Body(...)) -> JsonResponse:  # noqa: B008
    caller = caller_of(request)
    caller.require_write()  # a read-only role is refused before the request is read
    name, description, key_id = payload.get("name"), payload.get("description") or "", payload.get("cmk_id") or ""
    if not isinstance(name, str) or not name:
        raise ApiError(400, "“name” is required: the replica's name.", "IMG.0001")
    if not isinstance(description, str) or not isinstance(key_id, str):
        raise ApiError(400, "“description” and “cmk_id” must be strings.", "IMG.0001")
    if not parse_uuid(image_id):
        raise ApiError(404, f"Image {image_id[:40]} does not exist.", "IMG.0027")
    copy = _run(lambda: replication.image_replicate(caller=caller, image_id=image_id, name=name,
                                                    description=description, key_id=key_id))
    return JsonResponse({"job_id": activity_selectors.job_of_copy(str(copy.pk))})


class CloudImagesQuery(Schema):
    imagetype: str | None = Field(None, alias="__imagetype")
    name: str | None = None
    id: str | None = None
    status: str | None = None
    visibility: str | None = None
    member_status: str | None = None
    os_type: str | None = Field(None, alias="__os_type")
    platform: str | None = Field(None, alias="__platform")
    limit: int | None = None
    marker: str | None = None
    sort_key: str | None = None
    sort_dir: str | None = None


@list_router.get("/cloudimages", response=ANSWERS, summary="List images with IMS's filters")
def cloudimages_list(request: HttpRequest, query: Query[CloudImagesQuery]) -> JsonResponse:
    """IMS's `__imagetype` (private: own; shared: shared with you, by `member_status`, all statuses by default;
    gold and market: none here), `__os_type` and `__platform` are read from the query as IMS names them."""
    caller = caller_of(request)
    image_type = query.imagetype or ""
    if image_type and image_type not in IMAGE_TYPES:
        raise ApiError(400, f"“__imagetype” must be one of {', '.join(sorted(IMAGE_TYPES))}, not {image_type!r}.")
    limit = query.limit if query.limit is not None else 500
    if not 0 <= limit <= 1000:
        raise ApiError(400, f"“limit” must be from 0 to 1000, not {limit}.")
    sort_key, sort_dir = query.sort_key or "created_at", query.sort_dir or "desc"
    if sort_key not in visible.SORT_KEYS or sort_dir not in ("asc", "desc"):
        raise ApiError(400, f"Sorting by {sort_key!r} {sort_dir!r} is not offered: sort_key is one of "
                            f"{', '.join(visible.SORT_KEYS)}, sort_dir asc or desc.")
    ids = [str(u) for part in (query.id or "").split(",") if (u := parse_uuid(part.strip()))]
    filters = Filters(
        visibility="shared" if image_type == "shared" else (query.visibility or ""),
        member_status=query.member_status or ("all" if image_type == "shared" else "accepted"),
        owner=caller.project_id if image_type == "private" else "", name=query.name or "", status=query.status or "",
        ids=ids or (["00000000-0000-0000-0000-000000000000"] if query.id else []),
        os_type=query.os_type or "",
    )
    images = visible.visible(caller.project_id, filters)
    if image_type in ("gold", "market"):
        images = images.none()
    elif image_type == "shared":
        images = images.exclude(project_id=caller.project_id)
    platform = query.platform or ""
    marker = visible.image_seen(caller.project_id, query.marker) if query.marker and parse_uuid(query.marker) else None
    if query.marker and marker is None:
        raise ApiError(400, f"marker={query.marker[:40]} is not an image you can see.")
    rows = visible.page(images, [(sort_key, sort_dir)], marker, limit)
    bodies = [image_body(i, caller.project_id) for i in rows]
    if platform:
        bodies = [b for b in bodies if b["__platform"].lower() == platform.lower()]
    return JsonResponse({"images": bodies})

