"""Keys, grants and replication (S9, R6, R7) at the service level, and the Keys pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from images.models import Image, Key, KeyGrant
from images.services import key_create, key_grant_create, key_grant_revoke, key_state_update
from ims_console.activity.models import Job, Trace
from ims_console.core.errors import ConsoleCode
from sharing.models import ImageMember
from sharing.replication import image_replicate
from sharing.services import image_members_add
from tests.conftest import caller_of, refused
from tests.factories import ImageFactory, ImageMemberFactory, KeyFactory, KeyGrantFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true", "HX-Target": "modal"}


def images_state() -> tuple:
    return (sorted(Image.objects.values_list("pk", "name")), Job.objects.count(), Trace.objects.count())


def replicate(persona, image, **kwargs):
    return image_replicate(
        caller=kwargs.pop("caller", None) or caller_of(persona), image_id=str(image.pk),
        name=kwargs.pop("name", f"copy_{image.name}"), description=kwargs.pop("description", ""), **kwargs,
    )


def test_replicating_an_own_image_makes_a_normal_private_copy_with_a_job_and_a_trace(owner):
    source = ImageFactory(project=owner.project, os_version="Debian 12", min_disk=40, tags={"env": "prod"})
    copy = replicate(owner, source, description="a copy")
    assert (copy.project_id, copy.status, copy.visibility, copy.name, copy.description) == (
        owner.project.pk, "active", "private", f"copy_{source.name}", "a copy",
    )
    assert (copy.image_type, copy.os_version, copy.min_disk, copy.tags, copy.key_id) == ("system", "Debian 12", 40, {"env": "prod"}, None)
    job = Job.objects.get()
    assert (job.job_type, job.status, job.entities["source_image_id"]) == ("imsCopyImageInRegionJob", "SUCCESS", str(source.pk))
    assert Trace.objects.get().name == "copyImage"


def test_a_default_key_image_can_be_replicated_unencrypted_and_the_copy_shared(owner, recipient):
    source = ImageFactory(project=owner.project, encrypted_default_key=True)
    copy = replicate(owner, source)
    assert copy.key_id is None
    image_members_add(caller=caller_of(owner), image_ids=[str(copy.pk)], project_ids=[recipient.project.pk])
    assert ImageMember.objects.get().image_id == copy.pk


@pytest.mark.parametrize(("traits", "code"), [({"full_ecs_cbr": True}, "IMG.0130"), ({"iso": True}, "IMG.0167")])
def test_only_system_and_data_disk_images_can_be_replicated(owner, traits, code):
    source = ImageFactory(project=owner.project, **traits)
    before = images_state()
    refused([code], lambda: replicate(owner, source))
    assert images_state() == before


def test_images_over_128_gb_cannot_be_replicated(owner):
    fits = ImageFactory(project=owner.project, size=128 * 1024**3)
    replicate(owner, fits)
    too_big = ImageFactory(project=owner.project, size=128 * 1024**3 + 1)
    error = refused([ConsoleCode.REPLICA_TOO_LARGE], lambda: replicate(owner, too_big))
    assert "images of at most 128 GB can be replicated" in error.problems[0].message


def test_a_shared_image_can_be_replicated_only_after_it_is_accepted(owner, recipient):
    source = ImageFactory(project=owner.project)
    member = ImageMemberFactory(image=source, project=recipient.project)
    refused(["IMG.0196"], lambda: replicate(recipient, source))
    member.status = "rejected"
    member.save()
    refused(["IMG.0196"], lambda: replicate(recipient, source))
    member.status = "accepted"
    member.save()
    copy = replicate(recipient, source)
    assert copy.project_id == recipient.project.pk


def test_an_image_not_shared_with_you_cannot_be_replicated(owner, outsider):
    source = ImageFactory(project=owner.project)
    error = refused(["IMG.0027"], lambda: replicate(outsider, source))
    assert error.status == 404


def test_a_shared_encrypted_image_needs_the_recipients_own_key_and_a_live_grant(owner, recipient):
    source = ImageFactory(project=owner.project, encrypted_custom_key=True)
    KeyGrantFactory(key=source.key, grantee_account=recipient.account)
    ImageMemberFactory(image=source, project=recipient.project, status="accepted")
    refused([ConsoleCode.REPLICA_KEY], lambda: replicate(recipient, source))  # no key chosen
    foreign_key = KeyFactory(project=owner.project)
    refused([ConsoleCode.REPLICA_KEY], lambda: replicate(recipient, source, key_id=str(foreign_key.pk)))
    mine = KeyFactory(project=recipient.project)
    copy = replicate(recipient, source, key_id=str(mine.pk))
    assert copy.key_id == mine.pk

    KeyGrant.objects.all().delete()
    error = refused(["IMG.0099"], lambda: replicate(recipient, source, key_id=str(mine.pk), name="again"))
    assert "revoked your account's grant" in error.problems[0].message


def test_a_disabled_key_of_yours_cannot_encrypt_a_copy(owner):
    source = ImageFactory(project=owner.project)
    key = KeyFactory(project=owner.project, state="disabled")
    refused([ConsoleCode.REPLICA_KEY], lambda: replicate(owner, source, key_id=str(key.pk)))


def test_read_only_users_cannot_replicate(owner):
    source = ImageFactory(project=owner.project)
    refused([ConsoleCode.READ_ONLY], lambda: replicate(owner, source, caller=caller_of(owner, role="readonly")))


def test_create_disable_and_enable_a_key(owner):
    key = key_create(caller=caller_of(owner), alias="team/prod")
    assert (key.alias, key.state, key.is_default) == ("team/prod", "enabled", False)
    key_state_update(caller=caller_of(owner), key_id=str(key.pk), enabled=False)
    assert Key.objects.get(pk=key.pk).state == "disabled"
    key_state_update(caller=caller_of(owner), key_id=str(key.pk), enabled=True)
    assert Key.objects.get(pk=key.pk).state == "enabled"


@pytest.mark.parametrize("alias", ["", "has space", "ims/default", "x" * 256])
def test_bad_or_taken_key_aliases_are_refused_naming_the_alias(owner, alias):
    before = Key.objects.count()
    with pytest.raises(Exception) as error:
        key_create(caller=caller_of(owner), alias=alias)
    assert alias[:20] in str(error.value.all_problems[0].message)
    assert Key.objects.count() == before


def test_grants_need_an_existing_other_account_and_never_the_default_key(owner, recipient):
    key = KeyFactory(project=owner.project)
    default = KeyFactory(project=owner.project, default=True)
    for key_id, account_id, message in (
        (default.pk, recipient.account.pk, "cannot be granted"),
        (key.pk, "xyz", "is not an account ID"),
        (key.pk, owner.account.pk, "is your own account"),
        (key.pk, "f" * 32, "No account or project has the ID"),
    ):
        with pytest.raises(Exception) as error:
            key_grant_create(caller=caller_of(owner), key_id=str(key_id), account_id=account_id)
        assert message in error.value.all_problems[0].message
    assert not KeyGrant.objects.exists()
    grant = key_grant_create(caller=caller_of(owner), key_id=str(key.pk), account_id=recipient.account.pk.upper())
    assert (grant.grantee_account_id, grant.operations) == (recipient.account.pk, ["decrypt-datakey", "describe-key"])


def test_grant_share_accept_revoke_makes_the_recipients_image_unavailable_and_granting_again_restores_it(owner, recipient):
    image = ImageFactory(project=owner.project, encrypted_custom_key=True, name="vault-enc")
    key_grant_create(caller=caller_of(owner), key_id=str(image.key_id), account_id=recipient.account.pk)
    image_members_add(caller=caller_of(owner), image_ids=[str(image.pk)], project_ids=[recipient.project.pk])
    ImageMember.objects.update(status="accepted")
    url = reverse("sharing:shared_with_me")
    assert "Unavailable" not in recipient.client.get(url).content.decode()

    key_grant_revoke(caller=caller_of(owner), key_id=str(image.key_id), account_id=recipient.account.pk)
    html = recipient.client.get(url).content.decode()
    assert "Unavailable" in html and "The owner revoked your account&#x27;s grant on key" in html
    assert 'title="The owner revoked' in html and 'aria-label="Replicate vault-enc"' in html

    key_grant_create(caller=caller_of(owner), key_id=str(image.key_id), account_id=recipient.account.pk)
    assert "Unavailable" not in recipient.client.get(url).content.decode()
    key_state_update(caller=caller_of(owner), key_id=str(image.key_id), enabled=False)
    assert "The owner disabled key" in recipient.client.get(url).content.decode()


def test_the_revoke_confirmation_names_the_recipients_who_lose_access(owner, recipient):
    image = ImageFactory(project=owner.project, encrypted_custom_key=True, name="vault-enc")
    KeyGrantFactory(key=image.key, grantee_account=recipient.account)
    ImageMemberFactory(image=image, project=recipient.project, status="accepted")
    url = reverse("images:grant_revoke", args=[image.key_id])
    html = owner.client.get(url, {"account_id": recipient.account.pk}, headers=HTMX).content.decode()
    assert f"{recipient.project.name} ({recipient.account.name}): <strong>vault-enc</strong>" in html
    assert KeyGrant.objects.exists()
    owner.client.post(url, {"account_id": recipient.account.pk}, headers=HTMX)
    assert not KeyGrant.objects.exists()


def test_the_keys_page_lists_the_default_key_and_custom_keys(owner, readonly):
    KeyFactory(project=owner.project, alias="team/prod")
    html = owner.client.get(reverse("images:keys")).content.decode()
    assert "ims/default" in html and "team/prod" in html and ">Create Key<" in html and "Disable" in html
    html = readonly.client.get(reverse("images:keys")).content.decode()
    assert "team/prod" in html and ">Create Key<" not in html


def test_another_projects_key_does_not_exist(owner, outsider):
    key = KeyFactory(project=outsider.project)
    assert owner.client.get(reverse("images:key_detail", args=[key.pk])).status_code == 404
    assert owner.client.post(reverse("images:key_state", args=[key.pk]), {"state": "disabled"}).status_code == 404
    assert Key.objects.get(pk=key.pk).state == "enabled"


def test_the_replicate_dialog_prefills_the_name_and_offers_own_enabled_keys(owner):
    source = ImageFactory(project=owner.project, name="web")
    KeyFactory(project=owner.project, alias="team/prod")
    KeyFactory(project=owner.project, alias="team/old", state="disabled")
    html = owner.client.get(reverse("images:replicate", args=[source.pk]), headers=HTMX).content.decode()
    assert 'id="modal-title">Replicate Image<' in html and 'value="copy_web"' in html
    assert "Encrypt with team/prod" in html and "team/old" not in html and "Not encrypted" in html
    response = owner.client.post(reverse("images:replicate", args=[source.pk]), {"name": "web/copy", "key_id": ""}, headers=HTMX)
    assert "which a name cannot contain" in response.content.decode()
    assert Image.objects.count() == 1


def test_a_crafted_request_to_disable_the_default_key_is_refused_with_the_reason_not_a_500(owner):
    default = KeyFactory(project=owner.project, default=True)
    response = owner.client.post(reverse("images:key_state", args=[default.pk]), {"state": "disabled"}, follow=True)
    assert response.status_code == 200
    assert "The default key ims/default cannot be disabled." in response.content.decode()
    assert Key.objects.get(pk=default.pk).state == "enabled"
