"""The access matrix for every console view: anonymous, outsider, read-only and wrong method."""

from __future__ import annotations

import pytest
from django.urls import reverse

from images.models import Image
from tests.factories import ImageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def image(owner):
    return ImageFactory(project=owner.project, name="owned-image", encrypted_custom_key=True)


def url_of(name: str, image: Image) -> str:
    if name in ("images:key_detail", "images:key_state", "images:grant_create", "images:grant_revoke"):
        return reverse(name, args=[image.key_id]) + "?account_id=" + "0" * 32
    if name in ("images:detail", "images:actions", "images:modify", "images:replicate", "sharing:image_sharing", "sharing:members_add", "sharing:members_delete"):
        return reverse(name, args=[image.id])
    if name == "sharing:member_end":
        return reverse(name, args=[image.id]) + "?project_id=" + "0" * 32
    if name in ("images:delete", "sharing:share"):
        return reverse(name) + f"?image_id={image.id}"
    if name == "sharing:member_status":
        return reverse(name) + f"?status=accepted&image_id={image.id}"
    return reverse(name)


# (url name, methods it answers, writes?)
VIEWS = [
    ("home", ["get"], False),
    ("images:private", ["get"], False),
    ("images:detail", ["get"], False),
    ("images:actions", ["get"], False),
    ("images:modify", ["get", "post"], True),
    ("images:delete", ["get", "post"], True),
    ("sharing:shared_with_me", ["get"], False),
    ("images:replicate", ["get", "post"], True),
    ("images:keys", ["get"], False),
    ("images:key_create", ["get", "post"], True),
    ("images:key_detail", ["get"], False),
    ("images:key_state", ["post"], True),
    ("images:grant_create", ["get", "post"], True),
    ("images:grant_revoke", ["get", "post"], True),
    ("sharing:shared_pending", ["get"], False),
    ("sharing:shared_rejected", ["get"], False),
    ("sharing:member_status", ["get", "post"], True),
    ("sharing:share", ["get", "post"], True),
    ("sharing:image_sharing", ["get"], False),
    ("sharing:members_add", ["get", "post"], True),
    ("sharing:members_delete", ["get", "post"], True),
    ("sharing:member_end", ["get", "post"], True),
    ("my_credentials", ["get"], False),
    ("project_switch", ["post"], False),
]
ALL_METHODS = ["get", "post", "put", "patch", "delete"]
METHODS = {name: methods for name, methods, _ in VIEWS}


@pytest.mark.parametrize(("name", "methods", "writes"), VIEWS)
def test_anonymous_users_are_sent_to_log_in(client, image, name, methods, writes):
    for method in methods:
        response = getattr(client, method)(url_of(name, image))
        assert response.status_code == 302, method
        assert response["Location"].startswith(reverse("login") + "?next="), method


@pytest.mark.parametrize(("name", "methods", "writes"), VIEWS)
def test_methods_a_view_does_not_answer_get_405(owner, image, name, methods, writes):
    for method in set(ALL_METHODS) - set(methods):
        response = getattr(owner.client, method)(url_of(name, image))
        assert response.status_code == 405, method


OBJECT_VIEWS = [
    "images:detail", "images:actions", "images:modify", "images:delete", "sharing:share", "sharing:image_sharing",
    "sharing:members_add", "sharing:members_delete", "sharing:member_end", "sharing:member_status", "images:replicate",
    "images:key_detail", "images:key_state", "images:grant_create", "images:grant_revoke",
]
WRITE_VIEWS = [
    "images:modify", "images:delete", "sharing:share", "sharing:members_add", "sharing:members_delete",
    "sharing:member_end", "sharing:member_status", "images:replicate", "images:key_create", "images:key_state", "images:grant_create",
    "images:grant_revoke",
]


@pytest.mark.parametrize("name", OBJECT_VIEWS)
def test_another_accounts_image_does_not_exist_for_an_outsider(outsider, image, name):
    for method in METHODS[name]:
        data = {"image_id": str(image.id), "name": "x", "status": "accepted", "state": "disabled"}
        response = getattr(outsider.client, method)(url_of(name, image), data)
        assert response.status_code == 404, method
    image.refresh_from_db()
    assert image.name == "owned-image"


@pytest.mark.parametrize("name", WRITE_VIEWS)
def test_read_only_users_get_403_on_every_write_and_nothing_changes(readonly, recipient, image, name):
    from tests.conftest import snapshot
    from tests.factories import ImageMemberFactory, KeyFactory, KeyGrantFactory, VaultFactory

    ImageMemberFactory(image=image, project=recipient.project)
    VaultFactory(project=readonly.project)
    KeyGrantFactory(key=KeyFactory(project=readonly.project), grantee_account=recipient.account)
    before = snapshot()
    if "get" in METHODS[name]:
        assert readonly.client.get(url_of(name, image)).status_code == 403
    data = {"image_id": str(image.id), "name": "renamed", "project_ids": "b" * 32, "project_id": recipient.project.id, "all": "1"}
    assert readonly.client.post(url_of(name, image), data).status_code == 403
    assert readonly.client.post(url_of(name, image), {**data, "tab": "stop"}).status_code == 403
    # Images, members, keys, grants, vaults, jobs and traces: nothing at all.
    assert snapshot() == before


@pytest.mark.parametrize(
    "name", ["images:private", "images:detail", "images:actions", "sharing:shared_with_me", "my_credentials", "sharing:image_sharing"]
)
def test_read_only_users_can_see_the_pages(readonly, image, name):
    assert readonly.client.get(url_of(name, image)).status_code == 200


def test_a_user_in_no_account_is_told_so_instead_of_seeing_a_console(client, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    response = client.get(reverse("images:private"))
    assert response.status_code == 403
    assert b"belongs to no account" in response.content


@pytest.mark.parametrize("name", [name for name, methods, _ in VIEWS if "get" in methods])
def test_a_get_writes_nothing_to_the_database(owner, readonly, recipient, image, name):
    """Pages and dialogs opened by GET only read, whoever asks (the KMS Keys page once made ims/default on a GET)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import ImageMemberFactory

    ImageMemberFactory(image=image, project=recipient.project)
    for persona in (owner, readonly, recipient):
        with CaptureQueriesContext(connection) as queries:
            status = persona.client.get(url_of(name, image)).status_code
        assert status < 500
        writes = [q["sql"] for q in queries if q["sql"].lstrip().split(" ", 1)[0].upper() in ("INSERT", "UPDATE", "DELETE")]
        assert writes == [], (persona, writes)
