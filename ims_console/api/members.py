"""Glance v2's image members (embedded mode), with Glance's statuses and who-may-do-what, through the services the
Share Image dialog and Images Shared with Me use, so that every IMS rule holds here too (refused with its code):

- the owner lists, adds (409 if the project is a member already, 413 past the recipient limit) and removes members,
  but cannot set a member's status (403);
- a member sees only its own row and sets its own status (accepted, rejected, or back to pending), but cannot
  remove itself (403);
- anyone else gets 404, as if the image did not exist."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Body, Router

from ims_console.api.auth import caller_of, image_auth
from ims_console.api.errors import ApiError, from_ims
from ims_console.api.images import seen_image
from ims_console.core.errors import IMSError
from sharing import acceptance, visible
from sharing import services as sharing_services
from sharing.models import ImageMember

router = Router(tags=["Image members (Glance v2)"], auth=image_auth)

ANSWERS: dict[int, Any] = {200: dict, 400: dict, 401: dict, 403: dict, 404: dict}


def member_body(member: ImageMember | tuple) -> dict:
    """A member as Glance shows it, from the model or from a row of visible.MEMBER_FIELDS."""
    image_id, project_id, status, created_at, updated_at = (
        member if isinstance(member, tuple) else
        (member.image_id, member.project_id, member.status, member.created_at, member.updated_at)
    )
    return {
        "image_id": str(image_id), "member_id": project_id, "status": status,
        "created_at": f"{created_at:%Y-%m-%dT%H:%M:%SZ}", "updated_at": f"{updated_at:%Y-%m-%dT%H:%M:%SZ}",
        "schema": "/v2/schemas/member",
    }


def _member_row(request: HttpRequest, image_id: str, member_id: str) -> tuple[bool, ImageMember]:
    """The member row the caller may see: any of its own image's, or its own row of another's image."""
    caller = caller_of(request)
    image = seen_image(caller, image_id)
    owner = image.project_id == caller.project_id
    member = visible.member_of(str(image.pk), member_id) if owner or member_id == caller.project_id else None
    if member is None:
        raise ApiError(404, f"{member_id} is not a member of image {image_id}.")
    return owner, member


@router.get("/images/{image_id}/members", response=ANSWERS, summary="List an image's members")
def members_list(request: HttpRequest, image_id: str) -> JsonResponse:
    caller = caller_of(request)
    image = seen_image(caller, image_id)
    members: list[ImageMember | tuple]
    if image.project_id == caller.project_id:
        members = list(visible.members_of(str(image.pk)))
    else:
        own = visible.member_of(str(image.pk), caller.project_id)
        members = [own] if own else []
    return JsonResponse({"members": [member_body(m) for m in members], "schema": "/v2/schemas/members"})


@router.post("/images/{image_id}/members", response={**ANSWERS, 409: dict, 413: dict}, summary="Add a member")
def member_create(request: HttpRequest, image_id: str, payload: dict = Body(...)) -> JsonResponse:  # noqa: B008
    caller = caller_of(request)
    caller.require_write()  # a read-only role is refused before the request is read
    project_id = payload.get("member")
    if not isinstance(project_id, str) or not project_id:
        raise ApiError(400, "Give the project to share with as {\"member\": \"<project ID>\"}.")
    image = seen_image(caller, image_id)
    if image.project_id != caller.project_id:
        raise ApiError(403, f"You are not permitted to create members of image {image_id}: only its owner can.")
    wanted = project_id.strip().lower()
    if visible.member_of(str(image.pk), wanted):
        raise ApiError(409, f"Member {wanted} already exists for image {image_id}.")
    try:
        result = sharing_services.image_members_add(caller=caller, image_ids=[str(image.pk)], project_ids=[project_id])
    except IMSError as error:
        raise from_ims(error) from None
    if not result.changed:  # added meanwhile by another request
        raise ApiError(409, f"Member {wanted} already exists for image {image_id}.")
    member = visible.member_of(str(image.pk), wanted)
    assert member is not None
    return JsonResponse(member_body(member))


@router.get("/images/{image_id}/members/{member_id}", response=ANSWERS, summary="Show a member")
def member_show(request: HttpRequest, image_id: str, member_id: str) -> JsonResponse:
    return JsonResponse(member_body(_member_row(request, image_id, member_id)[1]))


@router.put("/images/{image_id}/members/{member_id}", response=ANSWERS, summary="Set a member's status")
def member_update(request: HttpRequest, image_id: str, member_id: str, payload: dict = Body(...)) -> JsonResponse:  # noqa: B008
    """The member's own answer: accepted, rejected or pending; `vault_id` (IMS) for a full-ECS image."""
    caller = caller_of(request)
    caller.require_write()  # a read-only role is refused before the request is read
    owner, member = _member_row(request, image_id, member_id)
    if owner:
        raise ApiError(403, f"You are not permitted to set the status of member {member_id}: only the member can.")
    status = payload.get("status")
    if status not in ("accepted", "rejected", "pending"):
        raise ApiError(400, f"Invalid status {status!r}: it must be accepted, rejected or pending.")
    vault_id = payload.get("vault_id") or ""
    if not isinstance(vault_id, str):
        raise ApiError(400, f"Invalid vault_id {vault_id!r}: it is a vault's ID.")
    try:
        acceptance.image_member_status_update(caller=caller, image_ids=[str(member.image_id)], status=status,
                                              vault_id=vault_id, allow_pending=True)
    except IMSError as error:
        raise from_ims(error) from None
    updated = visible.member_of(str(member.image_id), member_id)
    assert updated is not None
    return JsonResponse(member_body(updated))


@router.delete("/images/{image_id}/members/{member_id}", response={204: None, 401: dict, 403: dict, 404: dict},
               summary="Remove a member")
def member_delete(request: HttpRequest, image_id: str, member_id: str) -> HttpResponse:
    caller = caller_of(request)
    caller.require_write()  # a read-only role is refused before the request is read
    owner, member = _member_row(request, image_id, member_id)
    if not owner:
        raise ApiError(403, f"You are not permitted to remove member {member_id}: only the image's owner can.")
    try:
        sharing_services.image_members_remove(caller=caller, image_ids=[str(member.image_id)], project_ids=[member_id])
    except IMSError as error:
        raise from_ims(error) from None
    return HttpResponse(status=204)


MEMBER_SCHEMA = {
    "name": "member",
    "properties": {
        "image_id": {"type": "string", "description": "An identifier for the image",
                     "pattern": "^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$"},
        "member_id": {"type": "string", "description": "An identifier for the image member (the project ID)"},
        "status": {"type": "string", "enum": ["pending", "accepted", "rejected"],
                   "description": "The status of this image member"},
        "created_at": {"type": "string", "description": "Date and time of image member creation"},
        "updated_at": {"type": "string", "description": "Date and time of last modification of image member"},
        "schema": {"type": "string", "readOnly": True},
    },
}


@router.get("/schemas/member", response={200: dict, 401: dict}, summary="The member schema")
def schema_member(request: HttpRequest) -> JsonResponse:
    return JsonResponse(MEMBER_SCHEMA)


@router.get("/schemas/members", response={200: dict, 401: dict}, summary="The members schema")
def schema_members(request: HttpRequest) -> JsonResponse:
    return JsonResponse({
        "name": "members", "properties": {"members": {"type": "array", "items": MEMBER_SCHEMA},
                                          "schema": {"type": "string"}},
        "links": [{"rel": "schema", "href": "{schema}"}],
    })
