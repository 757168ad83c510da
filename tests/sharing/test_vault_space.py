"""Accepting a full-ECS image takes its backup's size from the chosen vault; rejecting it, stopping the share or
deleting the image gives the space back (R4)."""

from __future__ import annotations

import pytest

from ims_console.backends import get_backend
from ims_console.core.errors import IMSError
from sharing.models import ImageMember, Vault
from tests.conftest import caller_of
from tests.factories import ImageFactory, ImageMemberFactory

pytestmark = pytest.mark.django_db
GB = 1024**3


@pytest.fixture
def vault(recipient):
    return Vault.objects.create(project=recipient.project, name="vault-servers", capacity_gb=500, used_gb=120)


@pytest.fixture
def three_full_ecs(owner, recipient):
    images = [ImageFactory(project=owner.project, full_ecs_cbr=True, size=300 * GB, name=f"erp-{n}") for n in range(3)]
    for image in images:
        ImageMemberFactory(image=image, project=recipient.project)
    return images


def accept(recipient, images, vault):
    return get_backend().image_member_status_update(caller_of(recipient), [str(i.pk) for i in images], "accepted", str(vault.pk))


def used(vault) -> int:
    vault.refresh_from_db()
    return vault.used_gb


def test_accepting_one_at_a_time_consumes_space_until_the_vault_is_full(recipient, vault, three_full_ecs):
    accept(recipient, three_full_ecs[:1], vault)
    assert used(vault) == 420
    with pytest.raises(IMSError) as error:
        accept(recipient, three_full_ecs[1:2], vault)
    assert error.value.all_problems[0].code == "IMG.0182"
    assert "has 80 GB free; the backup of “erp-1” needs 300 GB" in error.value.all_problems[0].message
    assert used(vault) == 420
    assert ImageMember.objects.get(image=three_full_ecs[1]).status == "pending"
    # The vault list shows what is left.
    assert next(v for v in get_backend().vaults_list(caller_of(recipient)) if v.id == str(vault.pk)).free_gb == 80


def test_rejecting_an_accepted_full_ecs_image_gives_its_space_back(recipient, vault, three_full_ecs):
    accept(recipient, three_full_ecs[:1], vault)
    get_backend().image_member_status_update(caller_of(recipient), [str(three_full_ecs[0].pk)], "rejected")
    assert used(vault) == 120
    member = ImageMember.objects.get(image=three_full_ecs[0])
    assert (member.vault_id, member.reserved_gb) == (None, 0)
    # Rejecting again changes nothing and gives nothing back twice.
    get_backend().image_member_status_update(caller_of(recipient), [str(three_full_ecs[0].pk)], "rejected")
    assert used(vault) == 120


def test_stop_sharing_and_deleting_the_image_give_the_space_back(owner, recipient, vault, three_full_ecs):
    bigger = Vault.objects.create(project=recipient.project, name="vault-big", capacity_gb=2000, used_gb=0)
    accept(recipient, three_full_ecs[:2], bigger)
    assert used(bigger) == 600
    get_backend().image_members_remove(caller_of(owner), [str(three_full_ecs[0].pk)], [recipient.project.id])
    assert used(bigger) == 300
    get_backend().images_delete(caller_of(owner), [str(three_full_ecs[1].pk)])
    assert used(bigger) == 0
    assert used(vault) == 120
