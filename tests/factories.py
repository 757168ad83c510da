from __future__ import annotations

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from images.models import DEFAULT_KEY_ALIAS, Image, Key, KeyGrant
from ims_console.core.vocabulary import BackupSource, ImageStatus, ImageType, OSType
from ims_console.identity.models import Account, Membership, Project, new_hex_id

PASSWORD = "test-password-1"


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    id = factory.LazyFunction(new_hex_id)
    name = factory.Sequence(lambda n: f"account-{n}")


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    id = factory.LazyFunction(new_hex_id)
    account = factory.SubFactory(AccountFactory)
    region = "eu-de"
    name = factory.LazyAttributeSequence(lambda o, n: f"{o.region}_project{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    account = factory.SubFactory(AccountFactory)
    role = Membership.Role.ADMIN
    time_zone = "Europe/Berlin"

    class Params:
        readonly = factory.Trait(role=Membership.Role.READONLY)


class KeyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Key
        # ims/default is made with its project: the default trait finds it.
        django_get_or_create = ("project", "alias")

    project = factory.SubFactory(ProjectFactory)
    alias = factory.Sequence(lambda n: f"custom/key-{n}")

    class Params:
        default = factory.Trait(alias=DEFAULT_KEY_ALIAS, is_default=True)


class KeyGrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KeyGrant

    key = factory.SubFactory(KeyFactory)
    grantee_account = factory.SubFactory(AccountFactory)
    operations = KeyGrant.OPERATIONS


class ImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Image

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"image-{n:05d}")
    status = ImageStatus.ACTIVE
    image_type = ImageType.SYSTEM
    os_type = OSType.LINUX
    os_version = "Ubuntu 24.04 server 64bit"
    min_disk = 40
    size = 2_147_483_648

    class Params:
        data_disk = factory.Trait(image_type=ImageType.DATA, os_type=OSType.OTHER, os_version="")
        iso = factory.Trait(image_type=ImageType.ISO, disk_format="iso")
        full_ecs_cbr = factory.Trait(image_type=ImageType.FULL_ECS, backup_source=BackupSource.CBR)
        full_ecs_csbs = factory.Trait(image_type=ImageType.FULL_ECS, backup_source=BackupSource.CSBS)
        windows = factory.Trait(os_type=OSType.WINDOWS, os_version="Windows Server 2022 Datacenter 64bit")
        creating = factory.Trait(status=ImageStatus.SAVING)
        error = factory.Trait(status=ImageStatus.KILLED)
        encrypted_default_key = factory.Trait(
            key=factory.SubFactory(KeyFactory, default=True, project=factory.SelfAttribute("..project"))
        )
        encrypted_custom_key = factory.Trait(
            key=factory.SubFactory(KeyFactory, project=factory.SelfAttribute("..project"))
        )


class ImageMemberFactory(factory.django.DjangoModelFactory):
    """A share made directly in the database; tests of the sharing rules go through the service instead."""

    class Meta:
        model = "sharing.ImageMember"

    image = factory.SubFactory(ImageFactory)
    project = factory.SubFactory(ProjectFactory)
    owner_project = factory.SelfAttribute("image.project")
    status = "pending"
    created_at = factory.LazyFunction(timezone.now)
    updated_at = factory.LazyFunction(timezone.now)

    class Params:
        accepted = factory.Trait(status="accepted")
        rejected = factory.Trait(status="rejected")


class VaultFactory(factory.django.DjangoModelFactory):
    """A CBR vault; by default one a full-ECS image can be accepted into (server backups, room to spare)."""

    class Meta:
        model = "sharing.Vault"

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"vault-{n}")
    protection_type = "backup"
    resource_type = "server"
    capacity_gb = 500
    used_gb = 0

    class Params:
        for_disks = factory.Trait(resource_type="disk")
        replication = factory.Trait(protection_type="replication")
