"""The access matrix of the API, as the pages have theirs: anonymous 401, outsider 404, read-only 403, wrong method
405, malformed or oversized bodies 400 or 413 with a message; never a 500, and a refusal changes nothing."""

from __future__ import annotations

import json
from typing import cast

import pytest
from django.test import Client
from django.utils import timezone

from images.models import Image
from ims_console.activity.models import Job
from tests.conftest import snapshot
from tests.factories import ImageFactory, ImageMemberFactory
from tests.ims_console.api.conftest import Api

IMAGE, MEMBER = "/v2/images/{image}", "/v2/images/{image}/members/{member}"
# (path, methods it answers, which of them write)
ROUTES = [
    ("/v2/images", ["get", "post"], ["post"]),
    (IMAGE, ["get", "patch", "delete"], ["patch", "delete"]),
    (IMAGE + "/file", ["get", "put"], ["put"]),
    (IMAGE + "/members", ["get", "post"], ["post"]),
    (MEMBER, ["get", "put", "delete"], ["delete"]),
    ("/v2/schemas/member", ["get"], []),
    ("/v3/auth/projects", ["get"], []),
    ("/v3/auth/tokens", ["get", "post", "delete"], []),
    ("/v1/cloudimages/members", ["post", "put", "delete"], ["post", "delete"]),
    ("/v1/{project}/jobs/{job}", ["get"], []),
    ("/v1/cloudimages/{image}/copy", ["post"], ["post"]),
    ("/v2/cloudimages", ["get"], []),
]
ALL_METHODS = ["get", "post", "put", "patch", "delete"]
BODIES = {"post": {"member": "0" * 32, "name": "x", "images": ["{image}"], "projects": ["{member}"]},
          "put": {"status": "accepted"},
          "patch": [{"op": "replace", "path": "/name", "value": "y"}], "get": None}
BODIES["delete"] = BODIES["post"]  # IMS's batch DELETE has a body; Glance's DELETEs are sent without one


@pytest.fixture
def world(owner, recipient):
    image = cast(Image, ImageFactory(project=owner.project))
    ImageMemberFactory(image=image, project=recipient.project)
    job = Job.objects.create(job_type=Job.Type.ADD_MEMBERS, status=Job.Status.SUCCESS, project_id=owner.project.pk,
                             username=owner.user.username, begin_time=timezone.now(), entities={})
    return image, recipient.project.pk, owner.project.pk, job.pk


def send(client: Client, method: str, path: str, body=None, world=None, **extra):
    if world is not None and isinstance(body, dict):
        body = json.loads(json.dumps(body).replace("{image}", str(world[0].pk)).replace("{member}", world[1]))
    if method == "get" or (method == "delete" and not path.startswith("/v1/")):
        return getattr(client, method)(path, **extra)
    content_type = "application/openstack-images-v2.1-json-patch" if method == "patch" else "application/json"
    return getattr(client, method)(path, data=json.dumps(body), content_type=content_type, **extra)


def url(path: str, world) -> str:
    return path.format(image=world[0].pk, member=world[1], project=world[2], job=world[3])


@pytest.mark.parametrize(("path", "methods", "writes"), ROUTES)
def test_anonymous_is_401(world, path, methods, writes):
    for method in methods:
        if path == "/v3/auth/tokens" and method == "post":
            continue  # how a token is asked for
        response = send(Client(), method, url(path, world), BODIES[method])
        assert response.status_code == 401, method
        assert response.json()


@pytest.mark.parametrize(("path", "methods", "writes"), ROUTES)
def test_methods_a_route_does_not_answer_are_405(world, api_of, owner, path, methods, writes):
    api = api_of(owner)
    for method in set(ALL_METHODS) - set(methods):
        assert send(api.client, method, url(path, world), BODIES[method]).status_code == 405, method


@pytest.mark.parametrize(("path", "methods", "writes"), [r for r in ROUTES if "{image}" in r[0] or "{job}" in r[0]]
                         + [("/v1/cloudimages/members", ["post", "delete"], [])])
def test_an_outsider_is_told_the_image_does_not_exist(world, api_of, outsider, path, methods, writes):
    api = api_of(outsider)
    before = snapshot()
    for method in methods:
        response = send(api.client, method, url(path, world), BODIES[method], world)
        assert response.status_code == 404, method
    assert snapshot() == before


@pytest.mark.parametrize(("path", "methods", "writes"), [r for r in ROUTES if r[2]])
def test_a_read_only_user_changes_nothing(world, api_of, readonly, path, methods, writes):
    api = api_of(readonly)
    before = snapshot()
    for method in writes:
        response = send(api.client, method, url(path, world), BODIES[method], world,
                        **({"CONTENT_TYPE": "application/octet-stream"} if path.endswith("/file") else {}))
        assert response.status_code == 403, method
    assert snapshot() == before


@pytest.mark.parametrize("raw", [b"{", b"[]", b"null", b"\xff\xfe", b'{"member": null}', b'"text"'])
def test_malformed_bodies_are_400_with_a_message(world, api_of, owner, raw):
    api = api_of(owner)
    before = snapshot()
    for path in ("/v2/images", f"/v2/images/{world[0].pk}/members", "/v3/auth/tokens"):
        response = api.client.post(path, data=raw, content_type="application/json")
        assert response.status_code == 400, (path, raw)
        body = response.json()
        assert body.get("message") or body["error"]["message"]
    assert snapshot() == before


def test_an_oversized_body_is_refused_with_a_message(world, api_of, owner):
    response = Api(api_of(owner).client.defaults["HTTP_X_AUTH_TOKEN"]).post(
        "/v2/images", {"name": "x", "description": "d" * 300_000})
    assert response.status_code == 413
    assert "larger than" in response.json()["message"]


@pytest.mark.parametrize("path, key", [("/v2/images", "message"), ("/v2/cloudimages", "error"),
                                       ("/v3/auth/projects", "error")])
def test_a_nul_byte_is_refused_in_json_in_the_words_of_the_api_called(api_of, owner, path, key):
    response = api_of(owner).get(path, name="a\x00b")
    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    assert "NUL character" in str(response.json()[key])
