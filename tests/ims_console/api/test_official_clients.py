"""The official clients against the console's API, unmodified, in their own virtualenv (make clients-venv):
openstacksdk with password auth against /v3, and the `openstack` CLI. Nothing sits between them and the console
but the loopback network; each outcome is read back from the console's own database."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import cast

import pytest

from images.models import Image
from ims_console.activity.models import Trace
from ims_console.identity.models import Membership
from sharing.models import ImageMember
from tests.conftest import Persona, make_persona
from tests.factories import PASSWORD, ImageFactory, ImageMemberFactory


def clients_bin() -> Path:
    """The clients' virtualenv that `make test` builds (IMS_CLIENTS_BIN), or the one `make clients-venv` built for
    the current requirements (the Makefile names it by their hash)."""
    import hashlib

    requirements = Path(__file__).resolve().parents[3] / "tools" / "clients" / "requirements.txt"
    digest = hashlib.sha1(requirements.read_bytes()).hexdigest()[:12]
    found = Path(os.environ.get("IMS_CLIENTS_BIN") or Path.home() / ".cache" / "ims-console" / f"clients-{digest}" / "bin")
    if not (found / "openstack").exists():
        pytest.fail(f"The API clients' virtualenv is missing ({found}): run `make clients-venv` (make test does).")
    return found


def os_env(live_server, persona: Persona) -> dict[str, str]:
    return {
        "PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"),
        "OS_AUTH_URL": f"{live_server.url}/v3", "OS_IDENTITY_API_VERSION": "3", "OS_AUTH_TYPE": "password",
        "OS_USERNAME": persona.user.username, "OS_PASSWORD": PASSWORD, "OS_USER_DOMAIN_NAME": persona.account.name,
        "OS_PROJECT_ID": persona.project.pk, "OS_REGION_NAME": persona.project.region, "OS_INTERFACE": "public",
    }


SDK = r"""
import json, sys
import openstack
from openstack import exceptions

config = json.load(sys.stdin)


def connect(who):
    return openstack.connect(auth_url=config["url"] + "/v3", username=who["user"], password=who["password"],
                             user_domain_name=who["domain"], project_id=who["project"], region_name="eu-de")


def attempt(call):
    try:
        return {"ok": call()}
    except exceptions.HttpException as error:
        return {"status": error.status_code, "message": str(error)}


owner, recipient, stranger, reader = (connect(config[k]) for k in ("owner", "recipient", "stranger", "reader"))
image, project = config["image"], config["recipient"]["project"]
out = {}
out["owner_list"] = sorted(i.name for i in owner.image.images())
out["add"] = attempt(lambda: owner.image.add_member(image, member_id=project).status)
out["owner_members"] = [(m.member_id, m.status) for m in owner.image.members(image)]
out["pending"] = [i.id for i in recipient.image.images(visibility="shared", member_status="pending")]
out["accept"] = attempt(lambda: recipient.image.update_member(project, image, status="accepted").status)
out["accepted"] = [i.id for i in recipient.image.images()]
out["recipient_members"] = [(m.member_id, m.status) for m in recipient.image.members(image)]
out["reject"] = attempt(lambda: recipient.image.update_member(project, image, status="rejected").status)
out["rejected"] = [i.id for i in recipient.image.images(visibility="shared", member_status="rejected")]
out["stranger"] = attempt(lambda: stranger.image.get_image(image).name)
out["reader_add"] = attempt(lambda: reader.image.add_member(image, member_id=config["stranger"]["project"]).status)
out["bad_id"] = attempt(lambda: owner.image.add_member(image, member_id="not-a-project").status)
out["over_limit"] = attempt(lambda: owner.image.add_member(config["full"], member_id=config["stranger"]["project"]).status)
out["remove"] = attempt(lambda: owner.image.remove_member(project, image))
out["after_remove"] = [m.member_id for m in owner.image.members(image)]
print(json.dumps(out))
"""


def who(persona: Persona) -> dict:
    return {"user": persona.user.username, "password": PASSWORD, "domain": persona.account.name,
            "project": persona.project.pk}


@pytest.mark.django_db(transaction=True)
def test_openstacksdk_lists_shares_accepts_rejects_and_removes_and_is_refused_where_it_must_be(live_server, settings):
    settings.IMS_MAX_MEMBERS_PER_FULL_ECS_IMAGE = 1
    owner, recipient, stranger = make_persona(), make_persona(), make_persona()
    reader = make_persona(account=owner.account, project=owner.project, role=Membership.Role.READONLY)
    image = cast(Image, ImageFactory(project=owner.project, name="sdk-shared"))
    full = cast(Image, ImageFactory(project=owner.project, name="sdk-full", full_ecs_cbr=True))
    ImageMemberFactory(image=full, project=recipient.project)
    config = {"url": live_server.url, "image": str(image.pk), "full": str(full.pk), "owner": who(owner),
              "recipient": who(recipient), "stranger": who(stranger), "reader": who(reader)}
    run = subprocess.run([str(clients_bin() / "python"), "-c", SDK], input=json.dumps(config), capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    out = json.loads(run.stdout)
    assert out["owner_list"] == ["sdk-full", "sdk-shared"]
    assert out["add"] == {"ok": "pending"}
    assert out["owner_members"] == [[recipient.project.pk, "pending"]]
    assert sorted(out["pending"]) == sorted([str(image.pk), str(full.pk)])
    assert out["accept"] == {"ok": "accepted"}
    assert out["accepted"] == [str(image.pk)]
    assert out["recipient_members"] == [[recipient.project.pk, "accepted"]]
    assert out["reject"] == {"ok": "rejected"} and out["rejected"] == [str(image.pk)]
    assert out["stranger"]["status"] == 404
    assert out["reader_add"]["status"] == 403
    assert out["bad_id"]["status"] == 400 and "IMG.0067" in out["bad_id"]["message"]
    assert out["over_limit"]["status"] == 413 and "IMG.0088" in out["over_limit"]["message"]
    assert out["remove"] == {"ok": None} and out["after_remove"] == []
    # What the console recorded: the owner's add and remove, the recipient's two answers.
    traces = list(Trace.objects.filter(resource_id=str(image.pk)).order_by("time", "id").values_list("name", "username"))
    assert traces == [("addMember", owner.user.username), ("updateMember", recipient.user.username),
                      ("updateMember", recipient.user.username), ("deleteMember", owner.user.username)]


def cli(live_server, persona: Persona, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(clients_bin() / "openstack"), *args], env=os_env(live_server, persona),
                          capture_output=True, text=True, timeout=120)


def cli_json(live_server, persona: Persona, *args: str):
    run = cli(live_server, persona, *args, "-f", "json")
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout) if run.stdout.strip() else None


@pytest.mark.django_db(transaction=True)
def test_the_openstack_cli_creates_shares_answers_and_removes(live_server, settings, tmp_path):
    settings.IMS_IMAGE_FILES_DIR = tmp_path / "files"
    owner, recipient = make_persona(), make_persona()
    token = cli_json(live_server, owner, "token", "issue")
    assert token["project_id"] == owner.project.pk and token["id"]
    data = tmp_path / "disk.qcow2"
    data.write_bytes(b"QFI\xfb" + b"\x00" * 300_000)
    created = cli_json(live_server, owner, "image", "create", "--file", str(data), "--disk-format", "qcow2",
                       "--container-format", "bare", "made-by-cli")
    image = Image.objects.get(name="made-by-cli", project=owner.project)
    assert created["id"] == str(image.pk) and image.status == "active" and image.size == 300_004
    added = cli_json(live_server, owner, "image", "add", "project", "made-by-cli", recipient.project.pk)
    assert added["member_id"] == recipient.project.pk and added["status"] == "pending"
    shared = cli_json(live_server, recipient, "image", "list", "--shared", "--member-status", "pending")
    assert [i["ID"] for i in shared] == [str(image.pk)]
    for flag, status in (("--accept", "accepted"), ("--reject", "rejected"), ("--pending", "pending"),
                         ("--accept", "accepted")):
        run = cli(live_server, recipient, "image", "set", flag, str(image.pk))
        assert run.returncode == 0, run.stderr[-2000:]
        assert ImageMember.objects.get(image=image).status == status
    assert [i["ID"] for i in cli_json(live_server, recipient, "image", "list", "--shared")] == [str(image.pk)]
    members = cli_json(live_server, owner, "image", "member", "list", "made-by-cli")
    assert [(m["Member ID"], m["Status"]) for m in members] == [(recipient.project.pk, "accepted")]
    removed = cli(live_server, owner, "image", "remove", "project", "made-by-cli", recipient.project.pk)
    assert removed.returncode == 0, removed.stderr[-2000:]
    assert not ImageMember.objects.filter(image=image).exists()
    refused = cli(live_server, recipient, "image", "set", "--accept", str(image.pk))
    assert refused.returncode != 0 and f"No Image found for {image.pk}" in refused.stderr
    assert "Failed to discover" not in refused.stderr
