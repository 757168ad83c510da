"""Glance v2's images (embedded mode): list with Glance's filters, sorting and `next` link; show; create a record
and upload, then download its data; update name, description and visibility with a JSON patch; delete. The same
services as the pages do the work, so the same rules hold."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from ninja import Body, Query, Router, Schema

from images import files
from images import services as image_services
from images.forms import ImageModifyForm
from images.models import Image
from ims_console.api.auth import caller_of, image_auth
from ims_console.api.errors import ApiError
from ims_console.core.ids import parse_uuid
from ims_console.core.vocabulary import ImageType
from ims_console.identity.caller import Caller
from sharing import members as sharing_members
from sharing import visible
from sharing.visible import Filters

router = Router(tags=["Images (Glance v2)"], auth=image_auth)

ANSWERS: dict[int, Any] = {200: dict, 400: dict, 401: dict, 403: dict, 404: dict}
ENV_TYPES = {ImageType.SYSTEM: "FusionCompute", ImageType.FULL_ECS: "FusionCompute", ImageType.DATA: "DataImage",
             ImageType.ISO: "IsoImage"}
# What a JSON patch may not change (Glance's read-only and reserved attributes).
READ_ONLY = {"id", "status", "owner", "size", "virtual_size", "checksum", "os_hash_algo", "os_hash_value", "created_at",
             "updated_at", "file", "schema", "self", "direct_url", "locations", "disk_format", "container_format"}
DEFAULT_LIMIT, MAX_LIMIT = 25, 1000


def _time(value) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def image_body(image: Any, project_id: str) -> dict:
    """An image as Glance shows it, with IMS's own properties (`__imagetype`, `__os_type`, `__platform`, ...)."""
    own = image.project_id == project_id
    visibility = image.visibility
    if visibility == "private" and (getattr(image, "has_members", False) or not own):
        visibility = "shared"
    body = {
        "id": str(image.pk), "name": image.name, "status": image.status, "visibility": visibility,
        "owner": image.project_id, "size": image.size or None, "virtual_size": None, "min_disk": image.min_disk,
        "min_ram": 0, "disk_format": image.disk_format, "container_format": image.container_format,
        "checksum": image.checksum or None, "os_hash_algo": "sha512" if image.os_hash_value else None,
        "os_hash_value": image.os_hash_value or None, "protected": False, "os_hidden": False,
        "tags": [f"{k}={v}" if v else k for k, v in (image.tags or {}).items()],
        "created_at": _time(image.created_at), "updated_at": _time(image.updated_at),
        "self": f"/v2/images/{image.pk}", "file": f"/v2/images/{image.pk}/file", "schema": "/v2/schemas/image",
        "description": image.description, "__description": image.description,
        "__imagetype": "private" if own else "shared", "__os_type": image.os_type, "__os_version": image.os_version,
        "__platform": (image.os_version.split() or ["Other"])[0], "__isregistered": "true",
        "virtual_env_type": ENV_TYPES.get(image.image_type, "FusionCompute"),
        "__image_source_type": "uds", "__system_encrypted": "1" if image.key_id else "0",
    }
    if image.image_type == ImageType.FULL_ECS:
        body["__whole_image"] = "true"
        body["__backup_source"] = image.backup_source
    if image.key_id:
        body["__system__cmkid"] = str(image.key_id)
    if not own and getattr(image, "member_status", None):
        body["member_status"] = image.member_status
    for key, value in (image.properties or {}).items():
        body.setdefault(key, value)
    return body


def seen_image(caller: Caller, image_id: str) -> Image:
    image = visible.image_seen(caller.project_id, image_id) if parse_uuid(image_id) else None
    if image is None:
        raise ApiError(404, f"No image found with ID {image_id}")
    return image


def own_image(caller: Caller, image_id: str) -> Image:
    """The caller's own image; one it only sees is 403, as Glance answers a write to it; any other, 404."""
    image = seen_image(caller, image_id)
    if image.project_id != caller.project_id:
        raise ApiError(403, f"You are not permitted to modify image {image_id}: it belongs to another project.")
    return image


class ImageQuery(Schema):
    visibility: str | None = None
    member_status: str | None = None
    owner: str | None = None
    name: str | None = None
    status: str | None = None
    id: str | None = None
    limit: int | None = None
    marker: str | None = None
    sort_key: str | None = None
    sort_dir: str | None = None
    sort: str | None = None


def _order(query: ImageQuery) -> list[tuple[str, str]]:
    if query.sort:
        order = []
        for part in query.sort.split(","):
            key, _, direction = part.strip().partition(":")
            order.append((key, direction or "desc"))
    else:
        keys = [k.strip() for k in (query.sort_key or "created_at").split(",")]
        dirs = [d.strip() for d in (query.sort_dir or "desc").split(",")]
        order = [(k, dirs[min(n, len(dirs) - 1)]) for n, k in enumerate(keys)]
    for key, direction in order:
        if key not in visible.SORT_KEYS:
            raise ApiError(400, f"Invalid sort key: {key}. It should be one of: {', '.join(visible.SORT_KEYS)}.")
        if direction not in ("asc", "desc"):
            raise ApiError(400, f"Invalid sort direction: {direction}. It should be asc or desc.")
    return order


def _filters(query: ImageQuery) -> Filters:
    if query.visibility not in (None, "", "private", "shared", "public", "all", "community"):
        raise ApiError(400, f"Invalid visibility value: {query.visibility}")
    if query.member_status not in (None, "", "pending", "accepted", "rejected", "all"):
        raise ApiError(400, f"Invalid status value: {query.member_status}")
    ids = []
    if query.id:
        raw = query.id[3:] if query.id.startswith("in:") else query.id
        ids = [str(u) for part in raw.split(",") if (u := parse_uuid(part.strip()))]
        if not ids:
            ids = ["00000000-0000-0000-0000-000000000000"]  # no image has it: an empty list, as Glance gives
    visibility = "" if query.visibility in ("all", "community") else (query.visibility or "")
    return Filters(visibility=visibility, member_status=query.member_status or "accepted", owner=query.owner or "",
                   name=query.name or "", status=query.status or "", ids=ids)


@router.get("/images", response=ANSWERS, summary="List images")
def images_list(request: HttpRequest, query: Query[ImageQuery]) -> JsonResponse:
    caller = caller_of(request)
    limit = query.limit if query.limit is not None else DEFAULT_LIMIT
    if limit < 0:
        raise ApiError(400, f"limit={limit} is out of range: it must be 0 or more.")
    limit = min(limit, MAX_LIMIT)  # Glance gives at most its api_limit_max, whatever is asked
    order, filters = _order(query), _filters(query)
    marker = None
    if query.marker:
        marker = visible.image_seen(caller.project_id, query.marker) if parse_uuid(query.marker) else None
        if marker is None:
            raise ApiError(400, f"marker={query.marker} is not an image you can see.")
    rows = visible.page(visible.visible(caller.project_id, filters), order, marker, limit + 1)
    body: dict[str, Any] = {
        "images": [image_body(i, caller.project_id) for i in rows[:limit]], "first": "/v2/images",
        "schema": "/v2/schemas/images",
    }
    if len(rows) > limit and limit:
        params = {k: v for k, v in query.dict().items() if v is not None and k != "marker"}
        body["next"] = "/v2/images?" + urlencode({**params, "marker": str(rows[limit - 1].pk), "limit": limit})
    return JsonResponse(body)


@router.get("/images/{image_id}", response=ANSWERS, summary="Show an image")
def image_show(request: HttpRequest, image_id: str) -> JsonResponse:
    caller = caller_of(request)
    return JsonResponse(image_body(seen_image(caller, image_id), caller.project_id))


def _text(body: dict, key: str, default: str = "") -> str:
    value = body.get(key, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise ApiError(400, f"Invalid value for {key}: {value!r} is not a string.")
    return value


def _checked_name(name: str, description: str) -> None:
    form = ImageModifyForm(data={"name": name, "description": description})
    if not form.is_valid():
        errors = next(iter(form.errors.as_data().values()))
        raise ApiError(400, f"{errors[0].code}: {errors[0].messages[0]}" if errors[0].code else errors[0].messages[0])


@router.post("/images", response={201: dict, 400: dict, 401: dict, 403: dict}, summary="Create an image record")
def image_create(request: HttpRequest, payload: dict = Body(...)) -> JsonResponse:  # noqa: B008
    caller = caller_of(request)
    caller.require_write()  # a read-only role is refused before the request is read
    name, description = _text(payload, "name"), _text(payload, "description")
    _checked_name(name, description)
    visibility = _text(payload, "visibility", "private")
    if visibility not in ("private", "shared"):
        raise ApiError(403, f"Visibility {visibility} is not allowed: images are private or shared here.")
    min_disk = payload.get("min_disk", 0)
    if not isinstance(min_disk, int) or isinstance(min_disk, bool) or not 0 <= min_disk <= 1024:
        raise ApiError(400, f"Invalid value for min_disk: {min_disk!r} is not a whole number of GB from 0 to 1024.")
    tags = payload.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) and len(t) <= 255 for t in tags) or len(tags) > 50:
        raise ApiError(400, "Invalid value for tags: a list of at most 50 strings of at most 255 characters.")
    known = {"name", "description", "visibility", "min_disk", "min_ram", "tags", "protected", "disk_format",
             "container_format", "__os_type", "os_type", "__os_version", "os_distro", "__imagetype", "id"}
    extra = {k: v for k, v in payload.items() if k not in known and not k.startswith("__")}
    if any(not isinstance(v, str) or len(k) > 255 or len(v) > 65535 for k, v in extra.items()) or len(extra) > 128:
        raise ApiError(400, "Additional properties must be strings (at most 128 of them).")
    if extra.keys() & READ_ONLY:
        raise ApiError(403, f"Attribute '{sorted(extra.keys() & READ_ONLY)[0]}' is read-only.")
    disk_format = _text(payload, "disk_format", "qcow2")[:16]
    os_type = _text(payload, "__os_type") or _text(payload, "os_type")
    image = files.image_create(
        caller=caller, name=name, description=description, visibility=visibility, min_disk=min_disk,
        disk_format=disk_format, container_format=_text(payload, "container_format", "bare")[:16],
        image_type=ImageType.ISO if disk_format == "iso" else ImageType.SYSTEM,
        os_type={"linux": "Linux", "windows": "Windows"}.get(os_type.lower(), "Other"),
        os_version=(_text(payload, "__os_version") or _text(payload, "os_distro"))[:255], properties=extra, tags=tags,
    )
    return JsonResponse(image_body(image, caller.project_id), status=201)


@router.patch("/images/{image_id}", response=ANSWERS, summary="Update an image (JSON patch)",
              openapi_extra={"requestBody": {"content": {"application/openstack-images-v2.1-json-patch": {
                  "schema": {"type": "array", "items": {"type": "object"}}}}, "required": True}})
def image_update(request: HttpRequest, image_id: str) -> JsonResponse:
    caller = caller_of(request)
    caller.require_write()  # a read-only role is refused before the request is read
    patch = _json(request)
    if not isinstance(patch, list) or not all(isinstance(op, dict) for op in patch):
        raise ApiError(400, "A JSON patch is a list of operations.")
    image = own_image(caller, image_id)
    name, description, visibility = image.name, image.description, image.visibility
    for op in patch:
        path, action, value = op.get("path"), op.get("op"), op.get("value")
        if action not in ("replace", "add", "remove") or not isinstance(path, str) or not path.startswith("/"):
            raise ApiError(400, f"Unable to apply the operation {op!r}: give op replace, add or remove and a /path.")
        attribute = {"__description": "description"}.get(path[1:], path[1:])  # IMS names it so
        if attribute in READ_ONLY:
            raise ApiError(403, f"Attribute '{attribute}' is read-only.")
        if attribute in ("name", "description") and action != "remove":
            if not isinstance(value, str):
                raise ApiError(400, f"Invalid value for {attribute}: {value!r} is not a string.")
            name, description = (value, description) if attribute == "name" else (name, value)
        elif attribute == "visibility" and action != "remove":
            if value not in ("private", "shared"):
                raise ApiError(403, f"Visibility {value} is not allowed: images are private or shared here.")
            visibility = value
        else:
            raise ApiError(403, f"Attribute '{attribute}' cannot be changed here: name, description and visibility can.")
    _checked_name(name, description)
    if (name, description) != (image.name, image.description):
        image_services.image_update(caller=caller, image_id=str(image.pk), name=name, description=description)
    if visibility != image.visibility:
        image_services.image_visibility_set(caller=caller, image_id=str(image.pk), visibility=visibility)
    return JsonResponse(image_body(seen_image(caller, image_id), caller.project_id))


def _json(request: HttpRequest) -> Any:
    try:
        return json.loads(request.body or b"null")
    except ValueError:
        raise ApiError(400, "The request body is not JSON.") from None


@router.delete("/images/{image_id}", response={204: None, 401: dict, 403: dict, 404: dict}, summary="Delete an image")
def image_delete(request: HttpRequest, image_id: str) -> HttpResponse:
    caller = caller_of(request)
    caller.require_write()  # a read-only role is refused before the request is read
    image = own_image(caller, image_id)
    image_services.images_delete(caller=caller, image_ids=[str(image.pk)], before_delete=sharing_members.end_members_of_images)
    files.files_delete([image.file])
    return HttpResponse(status=204)


@router.put("/images/{image_id}/file", response={204: None, 400: dict, 401: dict, 403: dict, 404: dict, 409: dict,
                                                  413: dict, 415: dict}, summary="Upload an image's data",
            openapi_extra={"requestBody": {"content": {"application/octet-stream": {
                "schema": {"type": "string", "format": "binary"}}}, "required": True}})
def image_upload(request: HttpRequest, image_id: str) -> HttpResponse:
    caller = caller_of(request)
    image = own_image(caller, image_id)
    caller.require_write()
    if request.content_type != "application/octet-stream":
        raise ApiError(415, f"The Content-Type {request.content_type or 'none'} is not supported: send application/octet-stream.")
    files.image_upload(caller=caller, image_id=str(image.pk), stream=request)  # type: ignore[arg-type]
    return HttpResponse(status=204)


@router.get("/images/{image_id}/file", response={200: None, 204: None, 401: dict, 404: dict},
            summary="Download an image's data")
def image_download(request: HttpRequest, image_id: str) -> HttpResponse | FileResponse:
    caller = caller_of(request)
    image = seen_image(caller, image_id)
    data = files.image_data(image)
    if data is None:
        return HttpResponse(status=204)
    response = FileResponse(data, content_type="application/octet-stream")
    response["Content-MD5"] = image.checksum
    return response
