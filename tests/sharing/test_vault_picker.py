"""The vault picker of Accept Full-ECS Image and Accept All chooses well (issue 12, point 4): unfit vaults are
shown disabled with the reason and their free space before anything is submitted, the only fit one is chosen, and
Accept All says why it asks for a vault."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.factories import ImageFactory, ImageMemberFactory, VaultFactory

pytestmark = pytest.mark.django_db
STATUS = reverse("sharing:member_status")
HTMX = {"HX-Request": "true", "HX-Target": "modal"}


def radio(html: str, vault) -> str:
    found = re.search(rf'<input type="radio" name="vault_id" id="vault-{vault.pk}"[^>]*>', html)
    assert found, f"no radio button for {vault.name}"
    return found.group(0)


@pytest.fixture
def full_ecs(owner, recipient):
    image = ImageFactory(project=owner.project, name="erp-full", full_ecs_cbr=True, size=100 * 1024**3)
    ImageMemberFactory(image=image, project=recipient.project, status="pending")
    return image


def test_unfit_vaults_are_disabled_with_the_reason_and_the_only_fit_one_is_chosen(recipient, full_ecs):
    fit = VaultFactory(project=recipient.project, name="servers", capacity_gb=500)
    small = VaultFactory(project=recipient.project, name="servers-small", capacity_gb=60)
    disks = VaultFactory(project=recipient.project, name="disks", for_disks=True)
    html = recipient.client.get(STATUS, {"status": "accepted", "image_id": full_ecs.pk}, headers=HTMX).content.decode()

    assert " checked" in radio(html, fit) and "disabled" not in radio(html, fit)
    for vault, why in ((small, "has 60 GB free; the backup of “erp-full” needs 100 GB"),
                       (disks, "is not a server-backup vault")):
        assert "disabled" in radio(html, vault) and f'aria-describedby="vault-{vault.pk}-why"' in radio(html, vault)
        assert why in html
    assert "with 100 GB free" in html


def test_with_two_fit_vaults_the_user_chooses(recipient, full_ecs):
    first, second = (VaultFactory(project=recipient.project) for _ in range(2))
    html = recipient.client.get(STATUS, {"status": "accepted", "image_id": full_ecs.pk}, headers=HTMX).content.decode()
    assert " checked" not in radio(html, first) and " checked" not in radio(html, second)


def test_when_no_vault_fits_the_dialog_says_so_before_ok(recipient, full_ecs):
    VaultFactory(project=recipient.project, capacity_gb=10)
    html = recipient.client.get(STATUS, {"status": "accepted", "image_id": full_ecs.pk}, headers=HTMX).content.decode()
    assert "None of this project's vaults can take this backup (100 GB)" in html


def test_accept_all_says_why_it_asks_for_a_vault(owner, recipient, full_ecs):
    for n in range(2):
        ImageMemberFactory(image=ImageFactory(project=owner.project, name=f"plain-{n}"), project=recipient.project,
                           status="pending")
    VaultFactory(project=recipient.project)
    html = recipient.client.get(STATUS, {"status": "accepted", "all": "1"}, headers=HTMX).content.decode()
    assert "One of the images waiting for you is a full-ECS image (erp-full, 100.0\xa0GB)" in html
    assert "so Accept All asks for one" in html and "The other images need no vault." in html


def test_a_disabled_vault_sent_anyway_is_still_refused(recipient, full_ecs):
    small = VaultFactory(project=recipient.project, capacity_gb=60)
    response = recipient.client.post(STATUS, {"status": "accepted", "image_id": full_ecs.pk, "vault_id": small.pk},
                                     headers=HTMX)
    assert "IMG.0182" in response.content.decode()
    assert full_ecs.members.get().status == "pending"
