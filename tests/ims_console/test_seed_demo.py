from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.serializers import serialize
from django.test import RequestFactory

from images.models import Image, Key, KeyGrant
from ims_console.core.vocabulary import BackupSource, ImageStatus, ImageType, OSType
from ims_console.identity.models import Account, Membership, Project
from ims_console.management.commands.seed_demo import demo_hex

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def snapshot() -> str:
    from django.contrib.auth.models import User

    from ims_console.activity.models import Job, Trace
    from sharing.models import ImageMember, Vault

    models: list = [Vault, Account, Project, Membership, User, Key, KeyGrant, Image, ImageMember, Job, Trace]
    return "".join(serialize("json", m.objects.order_by("pk")) for m in models)


def test_seed_demo_is_idempotent_a_second_run_changes_and_duplicates_nothing():
    seed()
    before = snapshot()
    output = seed()
    assert snapshot() == before
    assert "nothing changed" in output


def test_demo_ids_are_derived_from_names_so_they_are_the_same_on_every_machine():
    # Pinned: the README and people's notes quote demo project IDs, so they must never drift.
    assert demo_hex("project", "eu-de_globex") == "ca96f55b3d195c378fdbf64ebf471a07"
    seed()
    acme = Account.objects.get(name="acme")
    assert acme.id == demo_hex("account", "acme")
    assert Project.objects.get(name="eu-de_acme").id == demo_hex("project", "eu-de_acme")


def test_demo_tenants_have_the_promised_projects_and_regions():
    seed()
    regions = {
        (p.account.name, p.region) for p in Project.objects.select_related("account")
    }
    assert regions == {
        ("acme", "eu-de"), ("acme", "eu-nl"), ("globex", "eu-de"), ("globex", "eu-nl"), ("initech", "eu-de"),
    }


@pytest.mark.parametrize(
    ("username", "account", "role"),
    [("alice", "acme", "admin"), ("carol", "acme", "readonly"), ("bob", "globex", "admin"), ("dave", "initech", "admin")],
)
def test_demo_users_log_in_with_the_demo_password_and_have_their_role(username, account, role):
    seed()
    user = authenticate(RequestFactory().post("/login/"), username=username, password="ims-demo")
    assert user is not None
    assert (user.membership.account.name, user.membership.role) == (account, role)


def test_acme_eu_de_has_a_varied_catalogue_of_private_images():
    seed()
    images = Image.objects.filter(project__name="eu-de_acme").select_related("key")
    assert images.count() >= 40
    assert {i.image_type for i in images} == set(ImageType)
    assert {i.os_type for i in images} == set(OSType)
    assert {ImageStatus.ACTIVE, ImageStatus.SAVING, ImageStatus.KILLED} <= {i.status for i in images}
    assert {i.backup_source for i in images if i.image_type == ImageType.FULL_ECS} == {BackupSource.CBR, BackupSource.CSBS}
    assert any(i.key and i.key.alias == "ims/default" for i in images)
    assert any(i.key and not i.key.is_default for i in images)
    assert any(i.tags for i in images)
    shareable = [
        i for i in images
        if i.status == ImageStatus.ACTIVE and i.key is None and i.image_type in (ImageType.SYSTEM, ImageType.DATA)
    ]
    assert len(shareable) >= 20


def test_the_custom_key_is_granted_to_globex_but_not_to_initech():
    seed()
    custom = Key.objects.get(project__name="eu-de_acme", is_default=False)
    grantees = set(custom.grants.values_list("grantee_account__name", flat=True))
    assert grantees == {"globex"}


def test_the_other_tenants_and_acme_eu_nl_have_images_too():
    seed()
    for project in ("eu-nl_acme", "eu-de_globex", "eu-nl_globex", "eu-de_initech"):
        assert Image.objects.filter(project__name=project).exists(), project


def test_seed_demo_prints_the_demo_logins():
    output = seed()
    for username in ("alice", "carol", "bob", "dave"):
        assert username in output
    assert "ims-demo" in output


def test_acme_and_globex_share_with_each_other_in_every_status_through_the_service():
    from ims_console.activity.models import Job, Trace
    from sharing.models import ImageMember

    seed()
    statuses = {
        (m.owner_project.name, m.project.name, m.status)
        for m in ImageMember.objects.select_related("owner_project", "project")
    }
    for owner, recipient in (("eu-de_acme", "eu-de_globex"), ("eu-de_globex", "eu-de_acme")):
        for status in ("pending", "accepted", "rejected"):
            assert (owner, recipient, status) in statuses
    assert Job.objects.filter(job_type="imsAddImageMembersJob").count() == ImageMember.objects.count()
    assert Job.objects.filter(job_type="imsUpdateImageMembersJob").count() == ImageMember.objects.exclude(status="pending").count()
    assert Trace.objects.filter(name="addMember", username="seed_demo").count() == ImageMember.objects.count()


def test_every_project_has_vaults_one_fit_for_full_ecs_and_three_not():
    from sharing.models import Vault

    seed()
    vaults = Vault.objects.filter(project__name="eu-de_globex")
    fit = [v for v in vaults if v.protection_type == "backup" and v.resource_type == "server" and v.capacity_gb - v.used_gb >= 100]
    assert len(vaults) == 4 and [v.name for v in fit] == ["vault-servers"]
