"""OpenStack mode: images shared with the caller's project: the lists by share status, the red dot's count (cached
for PENDING_SECONDS), Accept All's summary, and accepting or rejecting (Glance's member status)."""

from __future__ import annotations

from django.core.cache import cache
from django.utils.translation import gettext

from ims_console.activity import audit
from ims_console.activity.models import Job, Trace
from ims_console.backends.openstack.glance import call, each
from ims_console.backends.openstack.images import images_get, owners_named, page_of
from ims_console.backends.openstack.members import failed
from ims_console.backends.openstack.pairs import Applied, call_again
from ims_console.backends.openstack.records import image_record, not_available
from ims_console.backends.protocol import Scope
from ims_console.backends.records import COUNT_LIMIT, ImagePage, ImageQuery, ImageRecord, PendingSummary, SharingResult
from ims_console.core.errors import ConsoleCode, IMSError
from ims_console.core.ids import parse_uuid
from ims_console.identity.caller import Caller

# How long the red dot's count of pending shares is kept before Glance is asked again.
PENDING_SECONDS = 30


def image_list_shared_with_me(caller: Caller, status: str, query: ImageQuery) -> ImagePage:
    page = page_of(caller, query, {"visibility": "shared", "member_status": status}, share_status=status)
    items = owners_named([i for i in page.items if i.owner_project_id != caller.project_id])
    return ImagePage(items=items, total=None, next_marker=page.next_marker, previous_marker=page.previous_marker,
                     query=query)


def shares_pending_count(caller: Caller) -> int:
    """The red dot on every page: asked of Glance at most every PENDING_SECONDS per project (so that a list
    page costs one Glance request), and again at once after this console accepts or rejects."""
    key = pending_key(caller)
    count = cache.get(key)
    if count is None:
        count = len(pending_images(caller, COUNT_LIMIT + 1))
        cache.set(key, count, PENDING_SECONDS)
    return count


def shares_pending_summary(caller: Caller, limit: int) -> PendingSummary:
    pending = pending_images(caller, COUNT_LIMIT + 1)
    cache.set(pending_key(caller), len(pending), PENDING_SECONDS)
    return PendingSummary(
        count=len(pending), first=pending[:limit], full_ecs=[i for i in pending if i.accept_needs_vault],
    )


def image_member_status_update(caller: Caller, image_ids: list[str], status: str, vault_id: str = "", *, all_pending: bool = False
) -> SharingResult:
    caller.require_write()
    if status not in ("accepted", "rejected"):
        raise IMSError("IMG.0001", gettext("Status “%(status)s” is not one of accepted, rejected.") % {"status": status}, field="status")
    if all_pending:
        images = pending_images(caller, COUNT_LIMIT * 10)
        if not images:
            raise IMSError(ConsoleCode.NOTHING_PENDING, gettext("No image is waiting for you to accept it."))
    else:
        if not image_ids:
            raise IMSError.nothing_selected()

        def not_own(image_id: str) -> None:
            image = call(caller, "GET", f"/v2/images/{image_id}", image_id=image_id) if parse_uuid(image_id) else None
            if image is None:
                raise IMSError.image_not_found(image_id)
            if image.get("owner") == caller.project_id:
                raise IMSError("IMG.0047", gettext("You own image “%(name)s”; only a project it is shared with can accept or reject it.") % {"name": image.get('name')}, item=image_id, status=403)

        each(not_own, image_ids)
        images = images_get(caller, image_ids, scope=Scope.SHARED)
    if status == "accepted" and any(i.accept_needs_vault and i.share_status != "accepted" for i in images):
        raise IMSError.many([IMSError(ConsoleCode.NOT_AVAILABLE, not_available(gettext("Accepting a full-ECS image (which needs a backup vault)")), field="vault_id")])
    changing = [i for i in images if i.share_status != status]
    names = {i.id: i.name for i in images}

    def put(image: ImageRecord) -> IMSError | None:
        try:
            call_again(caller, "PUT", f"/v2/images/{image.id}/members/{caller.project_id}", image_id=image.id,
                       json={"status": status})
        except IMSError as error:
            return error
        return None

    try:
        applied = Applied(add=False, pairs=[(i.id, caller.project_id) for i in changing], done_as=status)
        for image, failure in zip(changing, each(put, changing), strict=True):
            if failure is not None:
                applied.refused[(image.id, caller.project_id)] = IMSError(
                    failure.code, f"“{image.name}”: {failure.message}", item=image.id,
                    status=400 if failure.status < 500 else failure.status,
                )
    finally:
        cache.delete(pending_key(caller))
    if not applied.complete:
        raise failed(caller, Job.Type.UPDATE_MEMBERS, Trace.Name.UPDATE_MEMBER, applied, names,
                      extra={"member_status": status})
    audit.record_done(
        caller, Job.Type.UPDATE_MEMBERS, Trace.Name.UPDATE_MEMBER,
        changed=[(i.id, caller.project_id) for i in changing],
        unchanged=[(i.id, caller.project_id) for i in images if i.share_status == status],
        result=f"success: {status}", unchanged_result=f"unchanged: already {status}",
        names=names, extra={"member_status": status},
    )
    return SharingResult(job_id="", images=len(images), projects=1, changed=len(changing),
                         unchanged=len(images) - len(changing))


def pending_images(caller: Caller, limit: int) -> list[ImageRecord]:
    images = call(caller, "GET", "/v2/images", params={"visibility": "shared", "member_status": "pending",
                                                         "limit": limit})["images"]
    return [image_record(i, share_status="pending") for i in images if i.get("owner") != caller.project_id]


def pending_key(caller: Caller) -> str:
    return f"ims:openstack:pending:{caller.project_id}"
