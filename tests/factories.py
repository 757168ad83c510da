from __future__ import annotations

import factory
from django.utils import timezone
from django.contrib.auth import get_user_model

from ims_console.backends.base import BackupSource, ImageStatus, ImageType, OSType
from ims_console.models import Account, Membership, Project, new_hex_id
from images.models import DEFAULT_KEY_ALIAS, Image, Key, KeyGrant

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

    project = factory.SubFactory(ProjectFactory)
    alias = factory.Sequence(lambda n: f"custom/key-{n}")

    class Params:
        default = factory.Trait(alias=DEFAULT_KEY_ALIAS, is_default=True)


class KeyGrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KeyGrant

    key = factory.SubFactory(KeyFactory)
    grantee_account = factory.SubFactory(AccountFactory)
    operations = ["decrypt-datakey", "describe-key"]


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
