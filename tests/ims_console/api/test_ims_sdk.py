"""IMS's own API with Huawei Cloud's SDK for IMS (huaweicloudsdkims, signing with huaweicloudsdkcore), unmodified, in
the clients' virtualenv, against a live server; access keys made through My Credentials > Access Keys as a user
makes them. Each outcome is read back from the console's database."""

from __future__ import annotations

import json
import subprocess
from typing import cast

import pytest
from django.urls import reverse

from images.models import Image
from ims_console.activity.models import Job
from ims_console.identity import access_keys
from ims_console.identity.models import AccessKey, Membership
from sharing.models import ImageMember, Vault
from tests.conftest import Persona, make_persona
from tests.factories import ImageFactory, ImageMemberFactory, VaultFactory
from tests.ims_console.api.test_official_clients import clients_bin

SDK = r"""
import json, sys, time
from datetime import datetime, timedelta
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions import exceptions
from huaweicloudsdkcore.signer import signer
from huaweicloudsdkims.v2 import *

config = json.load(sys.stdin)


def client(who, secret=None, project=None):
    credentials = BasicCredentials(who["ak"], secret or who["sk"], project or who["project"])
    return ImsClient.new_builder().with_credentials(credentials).with_endpoints([config["url"]]).build()


def attempt(call):
    try:
        return {"ok": call()}
    except exceptions.ClientRequestException as error:
        return {"status": error.status_code, "code": error.error_code, "message": error.error_msg}


def wait(ims, job_id):
    for _ in range(50):
        job = ims.show_job(ShowJobRequest(job_id=job_id))
        if job.status in ("SUCCESS", "FAIL"):
            return {"status": job.status, "type": job.job_type, "results": [
                [r.image_id, r.project_id, r.status] for r in (job.entities.results or [])]}
        time.sleep(0.2)
    return {"status": "TIMEOUT"}


owner, recipient, reader = client(config["owner"]), client(config["recipient"]), client(config["reader"])
images, target = config["images"], config["recipient"]["project"]
out = {}
added = owner.batch_add_members(BatchAddMembersRequest(body=BatchAddMembersRequestBody(images=images, projects=[target])))
out["add"] = wait(owner, added.job_id)
listed = recipient.list_images(ListImagesRequest(imagetype="shared", member_status="pending"))
out["pending"] = sorted(i.id for i in listed.images)
accept = BatchUpdateMembersRequestBody(images=images[:1], project_id=target, status="accepted")
out["accept"] = wait(recipient, recipient.batch_update_members(BatchUpdateMembersRequest(body=accept)).job_id)
full = BatchUpdateMembersRequestBody(images=[config["full"]], project_id=target, status="accepted")
out["full_without_vault"] = attempt(lambda: recipient.batch_update_members(BatchUpdateMembersRequest(body=full)).job_id)
full.vault_id = config["vault"]
out["full_with_vault"] = wait(recipient, recipient.batch_update_members(BatchUpdateMembersRequest(body=full)).job_id)
reject = BatchUpdateMembersRequestBody(images=images[1:], project_id=target, status="rejected")
out["reject"] = wait(recipient, recipient.batch_update_members(BatchUpdateMembersRequest(body=reject)).job_id)
out["glance_members"] = [(m.member_id, m.status) for m in recipient.glance_list_image_members(
    GlanceListImageMembersRequest(image_id=images[0])).members]
out["glance_accept"] = recipient.glance_update_image_member(GlanceUpdateImageMemberRequest(
    image_id=images[1], member_id=target, body=GlanceUpdateImageMemberRequestBody(status="accepted"))).status
copied = owner.copy_image_in_region(CopyImageInRegionRequest(image_id=images[0], body=CopyImageInRegionRequestBody(
    name="copied-by-sdk", description="made by the IMS SDK")))
out["copy"] = wait(owner, copied.job_id)
removed = owner.batch_delete_members(BatchDeleteMembersRequest(body=BatchAddMembersRequestBody(images=images, projects=[target])))
out["delete"] = wait(owner, removed.job_id)
out["reader_add"] = attempt(lambda: reader.batch_add_members(BatchAddMembersRequest(
    body=BatchAddMembersRequestBody(images=images, projects=[target]))).job_id)
out["bad_id"] = attempt(lambda: owner.batch_add_members(BatchAddMembersRequest(
    body=BatchAddMembersRequestBody(images=images, projects=["not-a-project"]))).job_id)
out["wrong_secret"] = attempt(lambda: client(config["owner"], secret="x" * 40).list_images(ListImagesRequest()).images)
out["other_project"] = attempt(lambda: client(config["owner"], project=target).list_images(ListImagesRequest()).images)
real = signer.datetime


class Late(real):
    @classmethod
    def utcnow(cls):
        return real.utcnow() - timedelta(minutes=20)


signer.datetime = Late
out["stale"] = attempt(lambda: owner.list_images(ListImagesRequest()).images)
signer.datetime = real
print(json.dumps(out))
"""


def key_of(persona: Persona) -> dict:
    """An access key made through the console's own view, as a user makes one, and its secret from the dialog."""
    response = persona.client.post(reverse("access_key_create"), {"description": "sdk"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    key = AccessKey.objects.filter(user=persona.user).latest("created_at")
    secret = access_keys.secret_of(key)
    assert secret in response.content.decode()
    return {"ak": key.pk, "sk": secret, "project": persona.project.pk}


def run_sdk(script: str, config: dict) -> dict:
    run = subprocess.run([str(clients_bin() / "python"), "-c", script], input=json.dumps(config), capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout)


@pytest.mark.django_db(transaction=True)
def test_the_ims_sdk_shares_checks_jobs_accepts_rejects_copies_and_stops_sharing(live_server):
    owner, recipient = make_persona(), make_persona()
    reader = make_persona(account=owner.account, project=owner.project, role=Membership.Role.READONLY)
    images = [str(cast(Image, ImageFactory(project=owner.project, name=f"sdk-{n}")).pk) for n in range(2)]
    full = cast(Image, ImageFactory(project=owner.project, name="sdk-full", full_ecs_cbr=True, size=10 * 1024**3))
    ImageMemberFactory(image=full, project=recipient.project)
    vault = cast(Vault, VaultFactory(project=recipient.project, capacity_gb=500))
    config = {"url": live_server.url, "images": images, "full": str(full.pk), "vault": str(vault.pk),
              "owner": key_of(owner), "recipient": key_of(recipient), "reader": key_of(reader)}
    out = run_sdk(SDK, config)
    pairs = sorted([i, recipient.project.pk, "success"] for i in images)
    assert {**out["add"], "results": sorted(out["add"]["results"])} == {
        "status": "SUCCESS", "type": "imsAddImageMembersJob", "results": pairs}
    assert out["pending"] == sorted([*images, str(full.pk)])
    assert out["accept"]["status"] == "SUCCESS"
    assert out["full_without_vault"]["status"] == 400 and out["full_without_vault"]["code"] == "IMG.0184"
    assert out["full_with_vault"]["status"] == "SUCCESS"
    assert out["reject"]["status"] == "SUCCESS"
    assert out["glance_members"] == [[recipient.project.pk, "accepted"]]
    assert out["glance_accept"] == "accepted"
    assert out["copy"]["status"] == "SUCCESS" and out["copy"]["type"] == "imsCopyImageInRegionJob"
    assert Image.objects.filter(project=owner.project, name="copied-by-sdk").count() == 1
    assert out["delete"]["status"] == "SUCCESS"
    assert not ImageMember.objects.filter(image_id__in=images).exists()
    assert ImageMember.objects.get(image=full).status == "accepted"
    vault.refresh_from_db()
    assert vault.used_gb > 0
    assert out["reader_add"]["status"] == 403
    assert out["bad_id"]["status"] == 400 and out["bad_id"]["code"] == "IMG.0067"
    assert out["wrong_secret"]["status"] == 401 and "signature" in out["wrong_secret"]["message"]
    assert out["other_project"]["status"] == 401 and "not a project of account" in out["other_project"]["message"]
    assert out["stale"]["status"] == 401 and "more than 15 minutes" in out["stale"]["message"]
    # The jobs are the ones Activity shows, made by the keys' users; each key's last use is recorded.
    assert Job.objects.filter(project_id=owner.project.pk, job_type="imsAddImageMembersJob",
                              username=owner.user.username).count() == 1
    assert AccessKey.objects.get(pk=config["owner"]["ak"]).last_used_at is not None


DEACTIVATED = r"""
import json, sys
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions import exceptions
from huaweicloudsdkims.v2 import *

config = json.load(sys.stdin)
credentials = BasicCredentials(config["ak"], config["sk"], config["project"])
ims = ImsClient.new_builder().with_credentials(credentials).with_endpoints([config["url"]]).build()
try:
    ims.list_images(ListImagesRequest())
    print(json.dumps({"ok": True}))
except exceptions.ClientRequestException as error:
    print(json.dumps({"status": error.status_code, "message": error.error_msg}))
"""


@pytest.mark.django_db(transaction=True)
def test_a_deactivated_key_is_refused_and_works_again_once_activated(live_server):
    owner = make_persona()
    key = key_of(owner)
    config = {"url": live_server.url, **key}
    assert run_sdk(DEACTIVATED, config) == {"ok": True}
    owner.client.post(reverse("access_key_status", args=[key["ak"]]), {"status": "inactive"})
    refused = run_sdk(DEACTIVATED, config)
    assert refused["status"] == 401 and "is not active" in refused["message"]
    owner.client.post(reverse("access_key_status", args=[key["ak"]]), {"status": "active"})
    assert run_sdk(DEACTIVATED, config) == {"ok": True}
