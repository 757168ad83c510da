"""My Credentials > Access Keys in a browser (issue 21): alice creates a key, downloads credentials.csv, uses it with
Huawei Cloud's SDK for IMS to share an image (the job ends SUCCESS), sees when it was last used, deactivates it (the
SDK is refused), and deletes it; every screen and dialog is axe clean."""

from __future__ import annotations

import csv
import json
import subprocess

import pytest
from playwright.sync_api import Page, expect

from ims_console.identity.models import Project
from sharing.models import ImageMember
from tests.browser.test_accessibility import violations
from tests.ims_console.api.test_official_clients import clients_bin

pytestmark = pytest.mark.browser

SHARE = r"""
import json, sys, time
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions import exceptions
from huaweicloudsdkims.v2 import *

a = json.load(sys.stdin)
ims = ImsClient.new_builder().with_credentials(BasicCredentials(a["ak"], a["sk"], a["project"])) \
    .with_endpoints([a["url"]]).build()
try:
    image = ims.list_images(ListImagesRequest(imagetype="private", name=a["image"])).images[0].id
    job = ims.batch_add_members(BatchAddMembersRequest(body=BatchAddMembersRequestBody(images=[image],
                                                                                       projects=[a["to"]]))).job_id
    while (status := ims.show_job(ShowJobRequest(job_id=job)).status) not in ("SUCCESS", "FAIL"):
        time.sleep(0.2)
    print(json.dumps({"job": status}))
except exceptions.ClientRequestException as error:
    print(json.dumps({"status": error.status_code, "message": error.error_msg}))
"""


def share_with_sdk(url: str, ak: str, sk: str, image: str) -> dict:
    config = {"url": url, "ak": ak, "sk": sk, "image": image, "project": Project.objects.get(name="eu-de_acme").pk,
              "to": Project.objects.get(name="eu-de_globex").pk}
    run = subprocess.run([str(clients_bin() / "python"), "-c", SHARE], input=json.dumps(config), capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    return json.loads(run.stdout)


def test_alice_makes_a_key_uses_it_with_the_ims_sdk_deactivates_and_deletes_it(page: Page, console, live_server, tmp_path):
    console(page, "alice")
    page.get_by_role("button", name="alice").click()
    page.get_by_role("menuitem", name="My Credentials").click()
    page.get_by_role("navigation", name="My Credentials").get_by_role("link", name="Access Keys").click()
    expect(page.get_by_text("You have no access keys")).to_be_visible()
    assert violations(page) == []

    page.get_by_role("link", name="Create Access Key").click()
    dialog = page.get_by_role("dialog", name="Create Access Key")
    dialog.get_by_label("Description (optional)").fill("release pipeline")
    dialog.get_by_role("button", name="OK").click()
    created = page.get_by_role("dialog", name="Access Key Created")
    expect(created).to_contain_text("This is the only time the secret access key is shown")
    assert violations(page) == []
    with page.expect_download() as download:
        created.get_by_role("link", name="Download credentials.csv").click()
    assert download.value.suggested_filename == "credentials.csv"
    saved = tmp_path / "credentials.csv"
    download.value.save_as(saved)
    header, (user, ak, sk) = list(csv.reader(saved.open()))
    assert header == ["User Name", "Access Key Id", "Secret Access Key"] and user == "alice"
    expect(created).to_contain_text(sk)
    created.get_by_role("button", name="Close").click()
    expect(created).to_be_hidden()
    row = page.locator("#access-keys tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(ak)
    expect(row).to_contain_text("release pipeline")
    expect(row).to_contain_text("Never")
    expect(page.locator("body")).not_to_contain_text(sk)

    assert share_with_sdk(live_server.url, ak, sk, "redis-7-debian12") == {"job": "SUCCESS"}
    assert ImageMember.objects.filter(image__name="redis-7-debian12", project__name="eu-de_globex").exists()
    page.reload()
    expect(row).not_to_contain_text("Never")

    row.get_by_role("link", name=f"Deactivate {ak}").click()
    confirm = page.get_by_role("dialog", name="Deactivate Access Key")
    assert violations(page) == []
    confirm.get_by_role("button", name="OK").click()
    expect(page.get_by_role("status")).to_have_text(f"Deactivated access key {ak}.")
    expect(row).to_contain_text("Inactive")
    refused = share_with_sdk(live_server.url, ak, sk, "gitlab-runner-ubuntu2204")
    assert refused["status"] == 401 and "is not active" in refused["message"]

    row.get_by_role("link", name=f"Delete {ak}").click()
    page.get_by_role("dialog", name="Delete Access Key").get_by_role("button", name="OK").click()
    expect(page.get_by_role("status")).to_have_text(f"Deleted access key {ak}.")
    expect(page.get_by_text("You have no access keys")).to_be_visible()
    page.get_by_role("link", name="Activity", exact=True).click()
    for action in ("Create access key", "Deactivate access key", "Delete access key"):
        expect(page.locator("main")).to_contain_text(action)
