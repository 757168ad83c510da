"""Glance v2's images as the console serves them: lists with Glance's filters and paging, show, create and upload
(streamed, with size and checksums), download, JSON patch, delete; another tenant's image does not exist."""

from __future__ import annotations

import hashlib
from typing import cast

import pytest
from django.test import Client

from images.models import Image
from ims_console.activity.models import Trace
from tests.conftest import Persona, snapshot
from tests.factories import ImageFactory, ImageMemberFactory


def image(persona: Persona, **attributes) -> Image:
    return cast(Image, ImageFactory(project=persona.project, **attributes))


def test_the_default_list_is_own_images_and_accepted_shares_paged_by_glances_next_link(owner, recipient, api_of):
    mine = {str(image(recipient).pk) for _ in range(5)}
    accepted, pending = image(owner), image(owner)
    ImageMemberFactory(image=accepted, project=recipient.project, status="accepted")
    ImageMemberFactory(image=pending, project=recipient.project, status="pending")
    image(owner)  # not shared: invisible
    api = api_of(recipient)
    seen, path, pages = [], "/v2/images?limit=2", 0
    while path:
        body = api.client.get(path).json()
        seen += [i["id"] for i in body["images"]]
        path, pages = body.get("next"), pages + 1
    assert sorted(seen) == sorted(mine | {str(accepted.pk)})
    assert pages == 3


def test_shared_lists_by_member_status_as_the_console_shows_them(owner, recipient, api_of):
    statuses = {}
    for status in ("pending", "accepted", "rejected"):
        shared = image(owner)
        ImageMemberFactory(image=shared, project=recipient.project, status=status)
        statuses[status] = str(shared.pk)
    api = api_of(recipient)
    for status, image_id in statuses.items():
        listed = api.get("/v2/images", visibility="shared", member_status=status).json()["images"]
        assert [i["id"] for i in listed] == [image_id]
        assert listed[0]["member_status"] == status and listed[0]["owner"] == owner.project.pk
        assert listed[0]["__imagetype"] == "shared"
    assert len(api.get("/v2/images", visibility="shared", member_status="all").json()["images"]) == 3
    # The owner sees its image with members as shared, one without as private.
    own = api_of(owner).get("/v2/images", visibility="shared").json()["images"]
    assert sorted(i["id"] for i in own) == sorted(statuses.values())


def test_filters_and_sorting(owner, api_of):
    for name in ("b-image", "a-image", "c-image"):
        image(owner, name=name)
    image(owner, name="queued", status="queued")
    api = api_of(owner)
    assert [i["name"] for i in api.get("/v2/images", sort_key="name", sort_dir="asc").json()["images"]] == [
        "a-image", "b-image", "c-image", "queued"]
    assert [i["name"] for i in api.get("/v2/images", sort="name:desc").json()["images"]][0] == "queued"
    assert [i["name"] for i in api.get("/v2/images", status="queued").json()["images"]] == ["queued"]
    assert [i["name"] for i in api.get("/v2/images", name="a-image").json()["images"]] == ["a-image"]
    assert api.get("/v2/images", owner=owner.project.pk, limit=1).json()["next"].startswith("/v2/images?")


@pytest.mark.parametrize("params, says", [
    ({"sort_key": "password"}, "Invalid sort key: password"),
    ({"sort_dir": "up"}, "Invalid sort direction: up"),
    ({"limit": "-1"}, "limit=-1 is out of range"),
    ({"limit": "many"}, "limit"),
    ({"visibility": "secret"}, "Invalid visibility value: secret"),
    ({"member_status": "maybe"}, "Invalid status value: maybe"),
    ({"marker": "00000000-0000-0000-0000-000000000000"}, "is not an image you can see"),
])
def test_bad_list_parameters_are_400_naming_the_value(owner, api_of, params, says):
    response = api_of(owner).get("/v2/images", **params)
    assert response.status_code == 400
    assert says in response.json()["message"]


def test_another_tenants_image_does_not_exist_and_a_missing_token_is_401(owner, outsider, api_of):
    theirs = image(outsider)
    api = api_of(owner)
    for path in (f"/v2/images/{theirs.pk}", f"/v2/images/{theirs.pk}/members", f"/v2/images/{theirs.pk}/file",
                 "/v2/images/not-a-uuid"):
        assert api.get(path).status_code == 404
    assert api.patch(f"/v2/images/{theirs.pk}", [{"op": "replace", "path": "/name", "value": "x"}]).status_code == 404
    assert api.delete(f"/v2/images/{theirs.pk}").status_code == 404
    assert Client().get("/v2/images").status_code == 401
    assert Image.objects.get(pk=theirs.pk).name == theirs.name


def test_a_patch_changes_name_description_and_visibility_and_is_recorded(owner, api_of):
    mine = image(owner)
    response = api_of(owner).patch(f"/v2/images/{mine.pk}", [
        {"op": "replace", "path": "/name", "value": "renamed"},
        {"op": "add", "path": "/description", "value": "Made by a script."},
        {"op": "replace", "path": "/visibility", "value": "shared"},
    ])
    assert response.status_code == 200
    assert (response.json()["name"], response.json()["description"], response.json()["visibility"]) == (
        "renamed", "Made by a script.", "shared")
    mine.refresh_from_db()
    assert (mine.name, mine.visibility) == ("renamed", "shared")
    assert Trace.objects.filter(name=Trace.Name.UPDATE_IMAGE, resource_id=str(mine.pk), username=owner.user.username).count() == 2


@pytest.mark.parametrize("patch, status, says", [
    ([{"op": "replace", "path": "/name", "value": "bad/name"}], 400, "IMG.0003"),
    ([{"op": "replace", "path": "/name", "value": "x" * 129}], 400, "IMG.0002"),
    ([{"op": "replace", "path": "/status", "value": "active"}], 403, "Attribute 'status' is read-only."),
    ([{"op": "replace", "path": "/visibility", "value": "public"}], 403, "Visibility public is not allowed"),
    ([{"op": "move", "path": "/name"}], 400, "Unable to apply"),
    ({"op": "replace"}, 400, "A JSON patch is a list"),
])
def test_a_bad_patch_is_refused_whole_and_changes_nothing(owner, api_of, patch, status, says):
    mine = image(owner)
    before = snapshot()
    response = api_of(owner).patch(f"/v2/images/{mine.pk}", [{"op": "replace", "path": "/description", "value": "d"},
                                                              *patch] if isinstance(patch, list) else patch)
    assert response.status_code == status
    assert says in response.json()["message"]
    assert snapshot() == before


def test_a_read_only_user_reads_but_cannot_change(owner, readonly, api_of):
    mine = image(owner)
    api = api_of(readonly)
    assert api.get(f"/v2/images/{mine.pk}").status_code == 200
    before = snapshot()
    assert api.patch(f"/v2/images/{mine.pk}", [{"op": "replace", "path": "/name", "value": "x"}]).status_code == 403
    assert api.delete(f"/v2/images/{mine.pk}").status_code == 403
    assert api.post("/v2/images", {"name": "new"}).status_code == 403
    assert snapshot() == before


def test_an_image_is_created_uploaded_streamed_back_and_deleted(owner, api_of, settings, tmp_path):
    settings.IMS_IMAGE_FILES_DIR = tmp_path
    api = api_of(owner)
    created = api.post("/v2/images", {"name": "made-by-api", "disk_format": "qcow2", "container_format": "bare",
                                      "owner_specified.openstack.md5": "x", "tags": ["ci"]})
    assert created.status_code == 201
    body = created.json()
    assert (body["status"], body["owner"], body["owner_specified.openstack.md5"], body["tags"]) == (
        "queued", owner.project.pk, "x", ["ci"])
    data = b"\x00image-bytes" * 50_000
    put = api.client.put(f"/v2/images/{body['id']}/file", data=data, content_type="application/octet-stream")
    assert put.status_code == 204
    shown = api.get(f"/v2/images/{body['id']}").json()
    assert (shown["status"], shown["size"], shown["checksum"]) == ("active", len(data), hashlib.md5(data).hexdigest())
    assert shown["os_hash_value"] == hashlib.sha512(data).hexdigest()
    download = api.get(f"/v2/images/{body['id']}/file")
    assert b"".join(download.streaming_content) == data
    assert api.client.put(f"/v2/images/{body['id']}/file", data=b"again",
                          content_type="application/octet-stream").status_code == 409
    assert api.delete(f"/v2/images/{body['id']}").status_code == 204
    assert not Image.objects.filter(pk=body["id"]).exists()
    assert list(tmp_path.rglob("*")) == [tmp_path / owner.project.pk]


def test_an_upload_over_the_limit_is_413_and_keeps_nothing(owner, api_of, settings, tmp_path):
    settings.IMS_IMAGE_FILES_DIR, settings.IMS_IMAGE_FILE_MAX_MB = tmp_path, 1
    api = api_of(owner)
    image_id = api.post("/v2/images", {"name": "too-big"}).json()["id"]
    response = api.client.put(f"/v2/images/{image_id}/file", data=b"x" * (1024 * 1024 + 1),
                              content_type="application/octet-stream")
    assert response.status_code == 413
    assert "larger than 1 MB" in response.json()["message"]
    assert Image.objects.get(pk=image_id).status == "queued"
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
    wrong_type = api.client.put(f"/v2/images/{image_id}/file", data=b"x", content_type="text/plain")
    assert wrong_type.status_code == 415


@pytest.mark.parametrize("body, says", [
    ({"name": "a/b"}, "IMG.0003"), ({"name": "ok", "min_disk": "ten"}, "min_disk"),
    ({"name": "ok", "visibility": "public"}, "Visibility public"), ({"name": "ok", "tags": "one"}, "tags"),
    ({"name": "ok", "hw_cpu_cores": 4}, "Additional properties must be strings"),
    ({"name": "ok", "size": "1"}, "Attribute 'size' is read-only"),
])
def test_a_bad_create_is_refused_and_makes_nothing(owner, api_of, body, says):
    before = snapshot()
    response = api_of(owner).post("/v2/images", body)
    assert response.status_code in (400, 403)
    assert says in response.json()["message"]
    assert snapshot() == before


def test_wrong_methods_are_405(owner, api_of):
    api = api_of(owner)
    assert api.client.put("/v2/images").status_code == 405
    assert api.client.post(f"/v2/images/{image(owner).pk}").status_code == 405
    assert api.client.patch("/v3/auth/tokens").status_code == 405


def test_the_list_takes_a_fixed_number_of_queries(owner, recipient, api_of, django_assert_max_num_queries):
    api = api_of(recipient)
    for _ in range(30):
        ImageMemberFactory(image=image(owner), project=recipient.project, status="accepted")
    with django_assert_max_num_queries(3):
        assert len(api.get("/v2/images", limit=25).json()["images"]) == 25
