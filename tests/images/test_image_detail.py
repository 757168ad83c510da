from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from tests.factories import ImageFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def test_details_show_every_attribute_of_the_image(owner):
    image = ImageFactory(
        project=owner.project, name="payments", description="PCI hardened", encrypted_custom_key=True,
        os_version="Rocky Linux 9.4 64bit", disk_format="zvhd2", min_disk=60, size=3_221_225_472,
        tags={"env": "prod"}, created_at=datetime(2026, 3, 1, 9, 0, 0, tzinfo=UTC),
        updated_at=datetime(2026, 3, 2, 10, 30, 0, tzinfo=UTC),
    )
    html = owner.client.get(reverse("images:detail", args=[image.id])).content.decode()
    for value in (
        str(image.id), "payments", "Normal", "ECS system disk image", "Linux", "Rocky Linux 9.4 64bit", "zvhd2",
        ">60<", "3.0\xa0GB", "3,221,225,472 bytes", f'KMS key <a href="/images/keys/{image.key_id}/">{image.key.alias}</a>',
        "2026-03-01 10:00:00 GMT+01:00", "2026-03-02 11:30:00 GMT+01:00", owner.project.name, owner.project.id,
        "env=prod", "PCI hardened",
    ):
        assert value in html, value
    assert f'data-copy="{image.id}"' in html


def test_full_ecs_details_name_the_backup_source(owner):
    image = ImageFactory(project=owner.project, full_ecs_csbs=True)
    html = owner.client.get(reverse("images:detail", args=[image.id])).content.decode()
    assert "Full-ECS image (from a CSBS backup)" in html


def test_an_image_of_another_project_of_the_same_account_is_not_found_in_this_project(owner):
    other = ImageFactory(project=ProjectFactory(account=owner.account, region="eu-nl"))
    assert owner.client.get(reverse("images:detail", args=[other.id])).status_code == 404


@pytest.mark.parametrize("image_id", ["not-a-uuid", str(uuid.uuid4())])
def test_malformed_or_unknown_ids_are_404_not_500(owner, image_id):
    assert owner.client.get(reverse("images:detail", args=[image_id])).status_code == 404


def test_read_only_users_see_details_without_modify_or_delete(owner, readonly):
    image = ImageFactory(project=owner.project)
    html = readonly.client.get(reverse("images:detail", args=[image.id])).content.decode()
    assert image.name in html
    assert ">Modify<" not in html and ">Delete<" not in html
