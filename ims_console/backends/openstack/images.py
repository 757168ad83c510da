"""OpenStack mode: the caller's images in Glance: the list (a page a request), lookups in a scope, Modify, Delete."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from django.utils.translation import gettext, ngettext

from ims_console.activity import audit
from ims_console.activity.models import Job, Trace
from ims_console.backends.openstack.glance import JSON_PATCH, call, each
from ims_console.backends.openstack.pairs import FAILED, SUCCESS, call_again, first_named
from ims_console.backends.openstack.records import image_record, image_type_of, os_type_of
from ims_console.backends.protocol import Scope
from ims_console.backends.records import ImagePage, ImageQuery, ImageRecord
from ims_console.core import l10n
from ims_console.core.errors import ConsoleCode, IMSError
from ims_console.core.ids import parse_uuid
from ims_console.identity import project_lookup
from ims_console.identity.caller import Caller
from sharing import rules as sharing_rules


def image_list_private(caller: Caller, query: ImageQuery) -> ImagePage:
    return page_of(caller, query, {"owner": caller.project_id})


def image_get(caller: Caller, image_id: str, *, scope: Scope = Scope.OWN) -> ImageRecord:
    return images_get(caller, [image_id], scope=scope)[0]


def images_get(caller: Caller, image_ids: list[str], *, scope: Scope = Scope.OWN) -> list[ImageRecord]:
    """The images asked for, in `scope`, asked of Glance concurrently; any unknown one is 404 (IMG.0027)."""

    def get(image_id: str) -> ImageRecord:
        if parse_uuid(image_id) is None:
            raise IMSError.image_not_found(image_id)
        image = call(caller, "GET", f"/v2/images/{image_id}", image_id=image_id)
        own = image.get("owner") == caller.project_id
        if own and scope in (Scope.OWN, Scope.VISIBLE):
            return image_record(image)
        if not own and scope in (Scope.SHARED, Scope.VISIBLE):
            member = call(caller, "GET", f"/v2/images/{image_id}/members/{caller.project_id}", image_id=image_id)
            return image_record(image, member=member)
        raise IMSError.image_not_found(image_id)

    records = each(get, dict.fromkeys(image_ids))
    if scope != Scope.OWN:
        records = owners_named(records)
    return sorted(records, key=lambda r: (r.name, r.id))


def image_update(caller: Caller, image_id: str, *, name: str, description: str) -> ImageRecord:
    caller.require_write()
    image_get(caller, image_id)
    image = call(caller, "GET", f"/v2/images/{image_id}", image_id=image_id)
    # IMS keeps an image's description in __description; a plain OpenStack image gets a description property.
    field = "__description" if "__description" in image else "description"
    patch = [{"op": "replace", "path": "/name", "value": name},
             {"op": "add", "path": f"/{field}", "value": description}]
    call(caller, "PATCH", f"/v2/images/{image_id}", image_id=image_id, data=json.dumps(patch),
          headers={"Content-Type": JSON_PATCH})
    changed = [f for f, old, new in (("name", image.get("name", ""), name), ("description", image.get(field, ""), description))
               if (old or "") != new]
    audit.record_done(caller, Job.Type.UPDATE_IMAGE, Trace.Name.UPDATE_IMAGE, changed=[(image_id, "")],
                      result=f"success: {', '.join(changed)} changed" if changed else "success: nothing changed",
                      names={image_id: name})
    return image_get(caller, image_id)


def images_delete(caller: Caller, image_ids: list[str]) -> int:
    """Delete the caller's images in Glance, IMS_OS_PARALLEL_CALLS at once. All of them are the caller's and none is
    protected, or nothing is deleted (an ID given twice is one image). Glance deletes one image a call: if it refuses
    some after all, the others stay deleted, and the refusal and a failed job say which were and which were not."""
    caller.require_write()
    images = list({i.id: i for i in images_get(caller, image_ids)}.values())
    protected = [
        IMSError(ConsoleCode.IMAGE_PROTECTED, gettext(
            "Image “%(name)s” is protected in the cloud: it cannot be deleted until its protection is removed there."
        ) % {"name": i.name}, item=i.id)
        for i in images if i.protected
    ]
    if protected:
        raise IMSError.many(protected)

    def delete(image: ImageRecord) -> IMSError | None:
        try:  # safe to repeat: an image an earlier attempt deleted is gone (404), which is what was asked
            call_again(caller, "DELETE", f"/v2/images/{image.id}", image_id=image.id, gone_is_done=True)
        except IMSError as error:
            return error
        return None

    refused = {i.id: error for i, error in zip(images, each(delete, images), strict=True) if error is not None}
    names = {i.id: i.name for i in images}
    if refused:
        raise not_all_deleted(caller, images, refused, names)
    audit.record_done(caller, Job.Type.DELETE_IMAGES, Trace.Name.DELETE_IMAGE, changed=[(i.id, "") for i in images],
                      names=names)
    return len(images)


def not_all_deleted(caller: Caller, images: list[ImageRecord], refused: dict[str, IMSError],
                    names: dict[str, str]) -> IMSError:
    """A deletion the cloud took in part or not at all: a failed job with each image's result, and the refusal that
    names each image not deleted (its item) and, if some were, how many (PARTLY_DONE). A cloud that failed (5xx, no
    answer) is a 503 page that says so."""
    deleted = [i for i in images if i.id not in refused]
    problems = [
        IMSError(error.code, gettext("Image “%(name)s” was not deleted: %(reason)s") % {
            "name": names[image_id], "reason": error.message}, item=image_id)
        for image_id, error in refused.items()
    ]
    if deleted:
        problems.append(IMSError(ConsoleCode.PARTLY_DONE, ngettext(
            "%(done)s of %(count)s images were deleted (%(names)s); the other one was not.",
            "%(done)s of %(count)s images were deleted (%(names)s); the other %(others)s were not.", len(refused),
        ) % {"done": l10n.number(len(deleted)), "count": l10n.number(len(images)),
             "names": first_named(f"“{i.name}”" for i in deleted), "others": l10n.number(len(refused))}))
    results = [{"image_id": i.id, "status": FAILED if i.id in refused else SUCCESS} for i in images]
    audit.record_failed(caller, Job.Type.DELETE_IMAGES, Trace.Name.DELETE_IMAGE, results=results, done=len(deleted),
                        problems=problems, names=names)
    unavailable = next((e for e in refused.values() if e.status >= 500), None)
    if unavailable is not None:
        return IMSError(unavailable.code, unavailable.message, status=503, problems=problems[len(refused):])
    return IMSError.many(problems)


def owned(caller: Caller, image_ids: list[str]) -> list[ImageRecord]:
    """The caller's own images, in the order asked: unknown ones are 404, ones shared with it IMG.0047."""
    if not image_ids:
        raise IMSError.nothing_selected()

    def get(image_id: str) -> ImageRecord:
        try:
            return image_get(caller, image_id)
        except IMSError as error:
            if error.code != "IMG.0027":
                raise
            shared = images_get(caller, [image_id], scope=Scope.SHARED)[0]
            raise IMSError.only_the_owner(image_id, shared.name) from None

    return each(get, dict.fromkeys(image_ids))


def page_of(caller: Caller, query: ImageQuery, filters: dict[str, str], share_status: str = "") -> ImagePage:
    """One Glance request per page, keyset-paged by Glance's own marker; backwards by asking in reverse."""
    backwards = bool(query.before) and not query.after
    order = query.order if not backwards else ("asc" if query.order == "desc" else "desc")
    params: dict[str, Any] = {**filters, "limit": query.limit + 1, "sort_key": query.sort, "sort_dir": order}
    if query.sort != "name":
        params["sort"] = f"{query.sort}:{order},id:{order}"
        del params["sort_key"], params["sort_dir"]
    if query.name:
        # A whole image ID finds that image (Glance's "in" operator on id); anything else is an exact name, as
        # Glance filters names.
        image_id = parse_uuid(query.name.strip())
        if image_id:
            params["id"] = f"in:{image_id}"
        else:
            params["name"] = query.name
    marker = query.before if backwards else query.after
    if marker and parse_uuid(marker):
        params["marker"] = marker
    images = call(caller, "GET", "/v2/images", params=params)["images"]
    if query.image_type or query.os_type:
        images = [i for i in images if (not query.image_type or image_type_of(i) == query.image_type)
                  and (not query.os_type or os_type_of(i) == query.os_type)]
    more = len(images) > query.limit
    images = images[: query.limit]
    if backwards:
        images.reverse()
    items = [image_record(i, share_status=share_status) for i in images]
    has_next = more if not backwards else True
    has_previous = (more if backwards else bool(marker))
    return ImagePage(
        items=items, total=None,
        next_marker=items[-1].id if items and has_next else None,
        previous_marker=items[0].id if items and has_previous else None,
        query=query,
    )


def owners_named(images: list[ImageRecord]) -> list[ImageRecord]:
    """Images with their owners' project and account names, where the lookup account can tell them."""
    known = project_lookup.names([i.owner_project_id for i in images])
    return [replace(i, owner_project_name=info.name, owner_account_name=info.account_name)
            if (info := known.get(i.owner_project_id)) else i for i in images]


def members_of_image(caller: Caller, image: ImageRecord) -> list[dict]:
    """An image's members: Glance keeps them only for images whose visibility is "shared"."""
    if image.visibility != "shared":
        return []
    return call(caller, "GET", f"/v2/images/{image.id}/members", image_id=image.id)["members"]


def members_of_images(caller: Caller, images: list[ImageRecord]) -> list[list[dict]]:
    """Each image's members, asked of Glance concurrently."""
    return each(lambda image: members_of_image(caller, image), images)


def refusals_of(image: ImageRecord) -> list[IMSError]:
    return sharing_rules.image_refusals(
        image_id=image.id, name=image.name, visibility=image.visibility, status=image.status,
        image_type=image.image_type, backup_source=image.backup_source, key_is_default=False,
    )
