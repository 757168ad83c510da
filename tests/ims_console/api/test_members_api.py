"""Glance v2's members as the console serves them: Glance's statuses and who-may-do-what, IMS's stricter rules
with their codes, one rule in one place (a share made through the API is the console's, and the other way round)."""

from __future__ import annotations

from typing import cast

import pytest
from django.test import Client

from images.models import Image
from ims_console.activity.models import Job, Trace
from sharing.models import ImageMember
from tests.conftest import Persona, make_persona, snapshot
from tests.factories import ImageFactory, ImageMemberFactory, ProjectFactory, VaultFactory


def image(persona: Persona, **attributes) -> Image:
    return cast(Image, ImageFactory(project=persona.project, **attributes))


def test_a_share_made_through_the_api_is_the_consoles_with_its_user_and_address(owner, recipient, api_of):
    mine = image(owner)
    response = api_of(owner).client.post(f"/v2/images/{mine.pk}/members", data={"member": recipient.project.pk},
                                         content_type="application/json", REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 200
    assert response.json()["member_id"] == recipient.project.pk and response.json()["status"] == "pending"
    assert ImageMember.objects.get(image=mine).project_id == recipient.project.pk
    trace = Trace.objects.get(name=Trace.Name.ADD_MEMBER)
    assert (trace.username, trace.source_ip, trace.member_project_id) == (owner.user.username, "198.51.100.7",
                                                                           recipient.project.pk)
    assert Job.objects.filter(project_id=owner.project.pk).count() == 1
    # On the image's Sharing tab, and in the recipient's pending list.
    assert recipient.project.pk in owner.client.get(f"/images/{mine.pk}/sharing/").content.decode()
    assert mine.name in recipient.client.get("/shared/pending/").content.decode()


def test_a_share_made_in_the_dialog_is_in_the_apis_member_list(owner, recipient, api_of):
    mine = image(owner)
    owner.client.post("/sharing/share/", {"image_id": [str(mine.pk)], "project_ids": recipient.project.pk})
    members = api_of(owner).get(f"/v2/images/{mine.pk}/members").json()["members"]
    assert [(m["member_id"], m["status"]) for m in members] == [(recipient.project.pk, "pending")]


def test_a_member_sees_its_own_row_only_and_answers_for_itself(owner, recipient, api_of):
    mine = image(owner)
    other = make_persona()
    for persona in (recipient, other):
        ImageMemberFactory(image=mine, project=persona.project, status="pending")
    api = api_of(recipient)
    members = api.get(f"/v2/images/{mine.pk}/members").json()["members"]
    assert [m["member_id"] for m in members] == [recipient.project.pk]
    assert api.get(f"/v2/images/{mine.pk}/members/{other.project.pk}").status_code == 404
    for status in ("accepted", "rejected", "pending", "accepted"):
        answer = api.put(f"/v2/images/{mine.pk}/members/{recipient.project.pk}", {"status": status})
        assert answer.status_code == 200 and answer.json()["status"] == status
    assert ImageMember.objects.get(image=mine, project=recipient.project).status == "accepted"
    assert ImageMember.objects.get(image=mine, project=other.project).status == "pending"
    assert Trace.objects.filter(name=Trace.Name.UPDATE_MEMBER, username=recipient.user.username).count() == 4


def test_glances_who_may_do_what_and_nothing_changes_when_refused(owner, recipient, readonly, outsider, api_of):
    mine = image(owner)
    ImageMemberFactory(image=mine, project=recipient.project, status="pending")
    row = f"/v2/images/{mine.pk}/members/{recipient.project.pk}"
    before = snapshot()
    # The owner cannot set a status; a member cannot remove itself or add others; read-only changes nothing.
    assert api_of(owner).put(row, {"status": "accepted"}).status_code == 403
    assert api_of(recipient).delete(row).status_code == 403
    assert api_of(recipient).post(f"/v2/images/{mine.pk}/members", {"member": outsider.project.pk}).status_code == 403
    assert api_of(readonly).delete(row).status_code == 403
    assert api_of(readonly).post(f"/v2/images/{mine.pk}/members", {"member": outsider.project.pk}).status_code == 403
    # A stranger is told nothing exists.
    stranger = api_of(outsider)
    assert stranger.get(f"/v2/images/{mine.pk}/members").status_code == 404
    assert stranger.get(row).status_code == 404
    assert stranger.put(row, {"status": "accepted"}).status_code == 404
    assert stranger.delete(row).status_code == 404
    assert stranger.post(f"/v2/images/{mine.pk}/members", {"member": outsider.project.pk}).status_code == 404
    assert Client().get(f"/v2/images/{mine.pk}/members").status_code == 401
    assert snapshot() == before
    assert api_of(owner).delete(row).status_code == 204
    assert not ImageMember.objects.filter(image=mine).exists()


def test_an_existing_member_is_409_and_past_the_limit_is_413_with_imss_code(owner, recipient, api_of, settings):
    settings.IMS_MAX_MEMBERS_PER_IMAGE = 1
    mine = image(owner)
    api = api_of(owner)
    assert api.post(f"/v2/images/{mine.pk}/members", {"member": recipient.project.pk}).status_code == 200
    third = make_persona()
    before = snapshot()
    again = api.post(f"/v2/images/{mine.pk}/members", {"member": recipient.project.pk.upper()})
    assert again.status_code == 409
    over = api.post(f"/v2/images/{mine.pk}/members", {"member": third.project.pk})
    assert over.status_code == 413
    assert "IMG.0088" in over.json()["message"]
    assert snapshot() == before


@pytest.mark.parametrize("case, code", [
    ("bad id", "IMG.0067"), ("own project", "IMG.0076"), ("other region", "IMG.0108"), ("default key", "IMG.0098"),
])
def test_imss_stricter_rules_refuse_with_their_codes(owner, api_of, case, code):
    mine = image(owner, encrypted_default_key=True) if case == "default key" else image(owner)
    target = {"bad id": "not-a-project", "own project": owner.project.pk,
              "other region": cast(str, ProjectFactory(region="eu-nl").pk),
              "default key": make_persona().project.pk}[case]
    before = snapshot()
    response = api_of(owner).post(f"/v2/images/{mine.pk}/members", {"member": target})
    assert response.status_code == 400
    assert code in response.json()["message"]
    assert snapshot() == before


def test_a_full_ecs_image_is_accepted_into_a_vault_given_as_ims_does(owner, recipient, api_of):
    full = image(owner, full_ecs_cbr=True)
    ImageMemberFactory(image=full, project=recipient.project, status="pending")
    vault = VaultFactory(project=recipient.project, capacity_gb=500)
    row = f"/v2/images/{full.pk}/members/{recipient.project.pk}"
    api = api_of(recipient)
    before = snapshot()
    refused = api.put(row, {"status": "accepted"})
    assert refused.status_code == 400 and "IMG.0184" in refused.json()["message"]
    assert snapshot() == before
    assert api.put(row, {"status": "accepted", "vault_id": str(vault.pk)}).status_code == 200
    vault.refresh_from_db()
    assert vault.used_gb > 0
    # Back to pending gives the vault's space back, as rejecting does.
    assert api.put(row, {"status": "pending"}).status_code == 200
    vault.refresh_from_db()
    assert vault.used_gb == 0


@pytest.mark.parametrize("body", [{}, {"member": 7}, {"member": ""}])
def test_a_malformed_member_is_400(owner, api_of, body):
    response = api_of(owner).post(f"/v2/images/{image(owner).pk}/members", body)
    assert response.status_code == 400


def test_a_bad_status_is_400_naming_it(owner, recipient, api_of):
    mine = image(owner)
    ImageMemberFactory(image=mine, project=recipient.project)
    response = api_of(recipient).put(f"/v2/images/{mine.pk}/members/{recipient.project.pk}", {"status": "maybe"})
    assert response.status_code == 400 and "'maybe'" in response.json()["message"]


def test_the_member_schemas_are_served(owner, api_of):
    api = api_of(owner)
    assert api.get("/v2/schemas/member").json()["properties"]["status"]["enum"] == ["pending", "accepted", "rejected"]
    assert api.get("/v2/schemas/members").json()["name"] == "members"
