"""OpenStack mode: the IMS protocol over a real cloud's Glance v2 image API, through `requests`.

Open Telekom Cloud and Huawei Cloud offer IMS's images through the native Glance v2 API (with IMS's own image
properties, read below where present), so this backend serves them and any OpenStack cloud alike. The caller's
project-scoped token and the image endpoint of its region come in `Caller.remote` (ims_console.caller.Remote).

The same rules as the embedded backend hold where the cloud can tell (docs/rules.md): status and ownership,
project ID format, not yourself, the recipient limit (Glance's 413 becomes IMG.0088), all or nothing (a pair the
cloud refuses undoes the pairs this submission added). What Glance cannot tell is said, not guessed: whether a
project exists and in which region (so S6 is left to the cloud), how many images a list holds (`total` is None).
KMS keys, vaults and Replicate are not part of these APIs: they are refused as not available in this cloud.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache

from ims_console import audit, project_lookup
from ims_console.backends import openstack_jobs
from ims_console.backends.glance import JSON_PATCH, call, remote_of
from ims_console.backends.openstack_pairs import Applied, apply_pairs, call_again
from ims_console.backends.protocol import Scope
from ims_console.backends.records import (
    COUNT_LIMIT,
    ImagePage,
    ImageQuery,
    ImageRecord,
    KeyRecord,
    MemberPage,
    MemberRecord,
    PendingSummary,
    ProjectAccount,
    SharingResult,
    VaultRecord,
)
from ims_console.caller import Caller
from ims_console.ids import parse_uuid
from ims_console.ims_errors import ConsoleCode, IMSError
from ims_console.models import Job, Trace
from ims_console.vocabulary import BackupSource, ImageType, OSType
from sharing import rules as sharing_rules

# How long the red dot's count of pending shares is kept before Glance is asked again.
PENDING_SECONDS = 30
NOT_AVAILABLE = "is not available in this cloud: its image API (Glance v2) has no such operation."
KMS_NOT_AVAILABLE = "KMS keys are not available in this cloud: its image API (Glance v2) has no keys or grants."

def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def _image_type(image: dict) -> str:
    """IMS's properties when present (OTC/Huawei Cloud: __whole_image for full-ECS images, virtual_env_type
    DataImage or IsoImage, __os_type, __os_version, __system__cmkid for the encryption key, as IMS's API reference
    lists them), else what a plain OpenStack image says of itself (disk_format, os_type, os_distro)."""
    if str(image.get("__whole_image", "")).lower() == "true":
        return ImageType.FULL_ECS
    kind = image.get("virtual_env_type", "")
    if kind == "DataImage":
        return ImageType.DATA
    if kind == "IsoImage" or image.get("disk_format") == "iso":
        return ImageType.ISO
    return ImageType.SYSTEM


def _os_type(image: dict) -> str:
    value = str(image.get("__os_type") or image.get("os_type") or "").lower()
    return {"linux": OSType.LINUX, "windows": OSType.WINDOWS}.get(value, OSType.OTHER)


def image_record(image: dict, *, share_status: str = "", member: dict | None = None) -> ImageRecord:
    image_type = _image_type(image)
    backup_source = BackupSource.CBR if image_type == ImageType.FULL_ECS else BackupSource.NONE
    key_id = image.get("__system__cmkid") or None
    refusals = sharing_rules.image_refusals(
        image_id=image["id"], name=image.get("name") or "", visibility=image.get("visibility", ""),
        status=image.get("status", ""), image_type=image_type, backup_source=backup_source, key_is_default=False,
    )
    os_version = image.get("__os_version") or " ".join(
        str(image[k]) for k in ("os_distro", "os_version") if image.get(k)
    )
    return ImageRecord(
        id=image["id"],
        name=image.get("name") or "",
        description=image.get("__description") or image.get("description") or "",
        status=image.get("status", ""),
        visibility=image.get("visibility", ""),
        image_type=image_type,
        os_type=_os_type(image),
        os_version=os_version,
        disk_format=image.get("disk_format") or "",
        min_disk=int(image.get("min_disk") or 0),
        size=int(image.get("size") or 0),
        encrypted=key_id is not None,
        key_id=key_id,
        key_alias="",
        backup_source=backup_source,
        tags={tag: "" for tag in image.get("tags") or []},
        created_at=_time(image.get("created_at")) or datetime.min,
        updated_at=_time(image.get("updated_at")) or datetime.min,
        owner_project_id=image.get("owner") or "",
        owner_project_name=image.get("owner") or "",
        share_refusal=" ".join(f"{p.message} ({p.code})" for p in refusals),
        share_status=share_status or (member or {}).get("status", ""),
        shared_at=_time((member or {}).get("created_at")),
        share_updated_at=_time((member or {}).get("updated_at")),
        replicate_refusal="Replicate " + NOT_AVAILABLE,
        accept_needs_vault=sharing_rules.accept_needs_vault(image_type),
    )


class OpenStackBackend:
    # Glance v2 has images and members only; the seams for the rest stay (see the module's docstring).
    @property
    def capabilities(self) -> frozenset[str]:
        return frozenset({"background_jobs"} | ({"project_lookup"} if project_lookup.configured() else set()))

    # ---- Images.

    def image_list_private(self, caller: Caller, query: ImageQuery) -> ImagePage:
        return self._list(caller, query, {"owner": caller.project_id})

    def image_get(self, caller: Caller, image_id: str, *, scope: Scope = Scope.OWN) -> ImageRecord:
        return self.images_get(caller, [image_id], scope=scope)[0]

    def images_get(self, caller: Caller, image_ids: list[str], *, scope: Scope = Scope.OWN) -> list[ImageRecord]:
        records = []
        for image_id in dict.fromkeys(image_ids):
            if parse_uuid(image_id) is None:
                raise IMSError.image_not_found(image_id)
            image = call(caller, "GET", f"/v2/images/{image_id}", image_id=image_id)
            own = image.get("owner") == caller.project_id
            if own and scope in (Scope.OWN, Scope.VISIBLE):
                records.append(image_record(image))
            elif not own and scope in (Scope.SHARED, Scope.VISIBLE):
                member = call(caller, "GET", f"/v2/images/{image_id}/members/{caller.project_id}", image_id=image_id)
                records.append(image_record(image, member=member))
            else:
                raise IMSError.image_not_found(image_id)
        if scope != Scope.OWN:
            records = _owners_named(records)
        return sorted(records, key=lambda r: (r.name, r.id))

    def image_update(self, caller: Caller, image_id: str, *, name: str, description: str) -> ImageRecord:
        caller.require_write()
        self.image_get(caller, image_id)
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
        return self.image_get(caller, image_id)

    def images_delete(self, caller: Caller, image_ids: list[str]) -> int:
        caller.require_write()
        # All of them are the caller's, or nothing is deleted (an ID given twice is one image).
        images = list({i.id: i for i in self.images_get(caller, image_ids)}.values())
        for image in images:
            call(caller, "DELETE", f"/v2/images/{image.id}", image_id=image.id)
        audit.record_done(caller, Job.Type.DELETE_IMAGES, Trace.Name.DELETE_IMAGE, changed=[(i.id, "") for i in images],
                          names={i.id: i.name for i in images})
        return len(images)

    def image_replicate(self, caller: Caller, image_id: str, *, name: str, description: str, key_id: str = "") -> ImageRecord:
        caller.require_write()
        raise IMSError(ConsoleCode.NOT_AVAILABLE, "Replicate " + NOT_AVAILABLE)

    # ---- Members of the caller's images.

    def image_members_list(self, caller: Caller, image_ids: list[str]) -> list[MemberRecord]:
        return _named(self._members_of(caller, image_ids))

    def _members_of(self, caller: Caller, image_ids: list[str]) -> list[MemberRecord]:
        records = [
            MemberRecord(
                image_id=image.id, image_name=image.name, project_id=member["member_id"],
                project_name=member["member_id"], account_name="", status=member["status"],
                created_at=_time(member["created_at"]) or datetime.min,
                updated_at=_time(member["updated_at"]) or datetime.min,
            )
            for image in self.images_get(caller, image_ids) for member in _members(caller, image)
        ]
        return sorted(records, key=lambda m: (m.project_id, m.image_name))

    def image_members_page(self, caller: Caller, image_id: str, *, after: str = "", before: str = "", limit: int = 20) -> MemberPage:
        members = self._members_of(caller, [image_id])  # one request: Glance lists them whole
        start = 0
        if after:
            start = next((n + 1 for n, m in enumerate(members) if m.project_id == after), 0)
        elif before:
            end = next((n for n, m in enumerate(members) if m.project_id == before), 0)
            start = max(0, end - limit)
        items = _named(members[start : start + limit])
        return MemberPage(
            items=items, total=len(members),
            next_marker=items[-1].project_id if items and start + limit < len(members) else None,
            previous_marker=items[0].project_id if items and start > 0 else None,
        )

    def image_members_add(
        self, caller: Caller, image_ids: list[str], project_ids: list[str], *, expires_at: datetime | None = None
    ) -> SharingResult:
        caller.require_write()
        if expires_at is not None:
            raise IMSError.many([IMSError(ConsoleCode.NOT_AVAILABLE, SHARE_EXPIRY_NOT_AVAILABLE)])
        parsed = sharing_rules.parse_project_ids(project_ids)
        if parsed.too_many:
            raise IMSError.many(parsed.problems)
        images = self._owned(caller, image_ids)
        problems = list(parsed.problems)
        for image in images:
            problems += _refusals_of(image)
        problems += [p for p in (sharing_rules.own_project_refusal(project_id=t, owner_project_id=caller.project_id)
                                 for t in parsed.ids) if p]
        targets = [t for t in parsed.ids if t != caller.project_id]
        if project_lookup.configured() and targets:
            found = project_lookup.projects(targets)
            region = remote_of(caller).region
            for target in targets:
                info = found[target]
                problem = sharing_rules.region_refusal(project_id=target, project_region=info.region if info else None,
                                                       region=region)
                if problem:
                    problems.append(problem)
        existing = {(i.id, m["member_id"]) for i in images for m in _members(caller, i)}
        new_pairs = [(i.id, t) for i in images for t in targets if (i.id, t) not in existing]
        for image in images:
            have = sum(1 for i, _ in existing if i == image.id)
            adding = sum(1 for i, _ in new_pairs if i == image.id)
            problem = sharing_rules.quota_refusal(
                image_id=image.id, name=image.name, image_type=image.image_type, existing=have, adding=adding
            )
            if problem:
                problems.append(problem)
        if problems:
            raise IMSError.many(problems)
        # Glance lets only "shared" images have members: private ones are opened first (and closed again if the
        # cloud refuses a pair).
        opened = [image.id for image in images if image.visibility == "private"]
        unchanged = [(i.id, t) for i in images for t in targets if (i.id, t) in existing]
        result = SharingResult(
            job_id="", images=len(images), projects=len(parsed.ids), changed=len(new_pairs),
            unchanged=len(unchanged), duplicates=parsed.duplicates,
        )
        if len(new_pairs) > settings.IMS_BACKGROUND_PAIRS:
            job = openstack_jobs.start(caller, Job.Type.ADD_MEMBERS, new_pairs, opened=opened, images=len(images),
                                       projects=len(targets), names={i.id: i.name for i in images})
            return replace(result, job_id=job.id, background=True)
        names = {i.id: i.name for i in images}
        applied = apply_pairs(caller, new_pairs, add=True, opened=opened)
        if not applied.complete:
            raise _failed(caller, Job.Type.ADD_MEMBERS, Trace.Name.ADD_MEMBER, applied, names)
        audit.record_done(caller, Job.Type.ADD_MEMBERS, Trace.Name.ADD_MEMBER, changed=new_pairs, unchanged=unchanged,
                          unchanged_result="unchanged: already shared", names=names)
        return result

    def image_member_end_set(self, caller: Caller, image_id: str, project_id: str, expires_at: datetime | None) -> bool:
        caller.require_write()
        raise IMSError.many([IMSError(ConsoleCode.NOT_AVAILABLE, SHARE_EXPIRY_NOT_AVAILABLE)])

    def image_members_remove(self, caller: Caller, image_ids: list[str], project_ids: list[str]) -> SharingResult:
        caller.require_write()
        parsed = sharing_rules.parse_project_ids(project_ids)
        if parsed.too_many:
            raise IMSError.many(parsed.problems)
        images = self._owned(caller, image_ids)
        members = {(m.image_id, m.project_id) for m in self.image_members_list(caller, [i.id for i in images])}
        pairs = [(i.id, p) for i in images for p in parsed.ids if (i.id, p) in members]
        recipients = {p for _, p in pairs}
        problems = parsed.problems + [
            IMSError(ConsoleCode.NOT_A_RECIPIENT, f"Project {p} is not a recipient of the selected images.", item=p,
                     group="Projects that are not recipients of the selected images")
            for p in parsed.ids if p not in recipients
        ]
        if problems:
            raise IMSError.many(problems)
        result = SharingResult(job_id="", images=len(images), projects=len(parsed.ids), changed=len(pairs),
                               unchanged=0, duplicates=parsed.duplicates)
        if len(pairs) > settings.IMS_BACKGROUND_PAIRS:
            job = openstack_jobs.start(caller, Job.Type.DELETE_MEMBERS, pairs, opened=[], images=len(images),
                                       projects=len(recipients), names={i.id: i.name for i in images})
            return replace(result, job_id=job.id, background=True)
        names = {i.id: i.name for i in images}
        applied = apply_pairs(caller, pairs, add=False)
        if not applied.complete:
            raise _failed(caller, Job.Type.DELETE_MEMBERS, Trace.Name.DELETE_MEMBER, applied, names)
        audit.record_done(caller, Job.Type.DELETE_MEMBERS, Trace.Name.DELETE_MEMBER, changed=pairs, names=names)
        return result

    # ---- Images shared with the caller.

    def image_list_shared_with_me(self, caller: Caller, status: str, query: ImageQuery) -> ImagePage:
        page = self._list(caller, query, {"visibility": "shared", "member_status": status}, share_status=status)
        items = _owners_named([i for i in page.items if i.owner_project_id != caller.project_id])
        return ImagePage(items=items, total=None, next_marker=page.next_marker, previous_marker=page.previous_marker,
                         query=query)

    def shares_pending_count(self, caller: Caller) -> int:
        """The red dot on every page: asked of Glance at most every PENDING_SECONDS per project (so that a list
        page costs one Glance request), and again at once after this console accepts or rejects."""
        key = _pending_key(caller)
        count = cache.get(key)
        if count is None:
            count = len(self._pending(caller, COUNT_LIMIT + 1))
            cache.set(key, count, PENDING_SECONDS)
        return count

    def shares_pending_summary(self, caller: Caller, limit: int) -> PendingSummary:
        pending = self._pending(caller, COUNT_LIMIT + 1)
        cache.set(_pending_key(caller), len(pending), PENDING_SECONDS)
        return PendingSummary(
            count=len(pending), first=pending[:limit], full_ecs=[i for i in pending if i.accept_needs_vault],
        )

    def image_member_status_update(
        self, caller: Caller, image_ids: list[str], status: str, vault_id: str = "", *, all_pending: bool = False
    ) -> SharingResult:
        caller.require_write()
        if status not in ("accepted", "rejected"):
            raise IMSError("IMG.0001", f"Status “{status}” is not one of accepted, rejected.", field="status")
        if all_pending:
            images = self._pending(caller, COUNT_LIMIT * 10)
            if not images:
                raise IMSError(ConsoleCode.NOTHING_PENDING, "No image is waiting for you to accept it.")
        else:
            if not image_ids:
                raise IMSError.nothing_selected()
            for image_id in image_ids:
                image = call(caller, "GET", f"/v2/images/{image_id}", image_id=image_id) if parse_uuid(image_id) else None
                if image is None:
                    raise IMSError.image_not_found(image_id)
                if image.get("owner") == caller.project_id:
                    raise IMSError("IMG.0047", f"You own image “{image.get('name')}”; only a project it is shared "
                                   "with can accept or reject it.", item=image_id, status=403)
            images = self.images_get(caller, image_ids, scope=Scope.SHARED)
        if status == "accepted" and any(i.accept_needs_vault and i.share_status != "accepted" for i in images):
            raise IMSError.many([IMSError(ConsoleCode.NOT_AVAILABLE, "Accepting a full-ECS image (which needs a "
                                          "backup vault) " + NOT_AVAILABLE, field="vault_id")])
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
            for image, failure in zip(changing, _each(put, changing), strict=True):
                if failure is not None:
                    applied.refused[(image.id, caller.project_id)] = IMSError(
                        failure.code, f"“{image.name}”: {failure.message}", item=image.id,
                        status=400 if failure.status < 500 else failure.status,
                    )
        finally:
            cache.delete(_pending_key(caller))
        if not applied.complete:
            raise _failed(caller, Job.Type.UPDATE_MEMBERS, Trace.Name.UPDATE_MEMBER, applied, names,
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

    def vaults_list(self, caller: Caller) -> list[VaultRecord]:
        return []

    # ---- KMS keys: not part of Glance's API.

    def keys_list(self, caller: Caller) -> list[KeyRecord]:
        return []

    def key_get(self, caller: Caller, key_id: str) -> KeyRecord:
        raise IMSError(ConsoleCode.KEY_NOT_FOUND, KMS_NOT_AVAILABLE, status=404)

    def key_create(self, caller: Caller, alias: str) -> KeyRecord:
        caller.require_write()
        raise IMSError(ConsoleCode.NOT_AVAILABLE, KMS_NOT_AVAILABLE)

    def key_state_update(self, caller: Caller, key_id: str, *, enabled: bool) -> KeyRecord:
        return self.key_get(caller, key_id)

    def key_grant_create(self, caller: Caller, key_id: str, account_id: str) -> KeyRecord:
        return self.key_get(caller, key_id)

    def key_grant_revoke(self, caller: Caller, key_id: str, account_id: str) -> KeyRecord:
        return self.key_get(caller, key_id)

    def key_grant_dependents(self, caller: Caller, key_id: str, account_id: str) -> list[MemberRecord]:
        return []

    def project_account(self, caller: Caller, project_id: str) -> ProjectAccount | None:
        info = project_lookup.names([project_id]).get(project_id)
        if info is None:
            return None
        return ProjectAccount(project_id=info.id, project_name=info.name, account_id=info.account_id,
                              account_name=info.account_name, region=info.region)

    # ---- Helpers.

    def _owned(self, caller: Caller, image_ids: list[str]) -> list[ImageRecord]:
        """The caller's own images, in the order asked: unknown ones are 404, ones shared with it IMG.0047."""
        if not image_ids:
            raise IMSError.nothing_selected()
        records = []
        for image_id in dict.fromkeys(image_ids):
            try:
                records.append(self.image_get(caller, image_id))
            except IMSError as error:
                if error.code != "IMG.0027":
                    raise
                shared = self.images_get(caller, [image_id], scope=Scope.SHARED)[0]
                raise IMSError.only_the_owner(image_id, shared.name) from None
        return records

    def _list(self, caller: Caller, query: ImageQuery, filters: dict[str, str], share_status: str = "") -> ImagePage:
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
            images = [i for i in images if (not query.image_type or _image_type(i) == query.image_type)
                      and (not query.os_type or _os_type(i) == query.os_type)]
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

    def _pending(self, caller: Caller, limit: int) -> list[ImageRecord]:
        images = call(caller, "GET", "/v2/images", params={"visibility": "shared", "member_status": "pending",
                                                             "limit": limit})["images"]
        return [image_record(i, share_status="pending") for i in images if i.get("owner") != caller.project_id]


# Why OpenStack mode cannot end a share by itself later.
SHARE_EXPIRY_NOT_AVAILABLE = (
    "Share expiry is not available with this cloud: Glance does not end a share by itself, and the console keeps "
    "no credential to end it later for you."
)


def _failed(caller: Caller, job_type: str, trace: str, applied: Applied, names: dict[str, str],
            extra: dict | None = None) -> IMSError:
    """A submission the cloud took in part: recorded as a failed job with each pair's result (Activity shows what
    was done, undone, and left in the cloud), and the refusal that says so."""
    audit.record_failed(caller, job_type, trace, results=applied.results(), done=applied.standing,
                        problems=applied.problems(names), names=names, extra=extra)
    return applied.error(names)


def _each(work, items: list) -> list:
    """`work` on every item, IMS_OS_PARALLEL_CALLS at once, its answers in the items' order."""
    if not items:
        return []
    with ThreadPoolExecutor(min(settings.IMS_OS_PARALLEL_CALLS, len(items))) as pool:
        return list(pool.map(work, items))


def _owners_named(images: list[ImageRecord]) -> list[ImageRecord]:
    """Images with their owners' project and account names, where the lookup account can tell them."""
    known = project_lookup.names([i.owner_project_id for i in images])
    return [replace(i, owner_project_name=info.name, owner_account_name=info.account_name)
            if (info := known.get(i.owner_project_id)) else i for i in images]


def _pending_key(caller: Caller) -> str:
    return f"ims:openstack:pending:{caller.project_id}"


def _named(members: list[MemberRecord]) -> list[MemberRecord]:
    """Members with their project and account names, where the lookup account can tell them."""
    known = project_lookup.names([m.project_id for m in members])
    return [replace(m, project_name=info.name, account_name=info.account_name) if (info := known.get(m.project_id))
            else m for m in members]


def _members(caller: Caller, image: ImageRecord) -> list[dict]:
    """An image's members: Glance keeps them only for images whose visibility is "shared"."""
    if image.visibility != "shared":
        return []
    return call(caller, "GET", f"/v2/images/{image.id}/members", image_id=image.id)["members"]


def _refusals_of(image: ImageRecord) -> list[IMSError]:
    return sharing_rules.image_refusals(
        image_id=image.id, name=image.name, visibility=image.visibility, status=image.status,
        image_type=image.image_type, backup_source=image.backup_source, key_is_default=False,
    )
