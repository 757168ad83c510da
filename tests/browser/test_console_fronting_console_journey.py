"""The console fronting the console (issue 20): one console serves its demo data as the cloud, from its own process
and database, through its Keystone v3 and Glance v2; a second console, in OpenStack mode and pointed at the first
one's /v3, is used in two browsers as the OpenStack journey uses it against a real cloud. The outcome is read back
with openstacksdk from the serving console's API, not through the console that was clicked."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_accessibility import violations
from tests.ims_console.api.test_official_clients import clients_bin
from tests.served import ServedConsole, serve_console

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def served_console(tmp_path) -> Iterator[ServedConsole]:
    with serve_console(tmp_path) as served:
        yield served


@pytest.fixture
def fronting(served_console, settings, transactional_db):
    settings.IMS_BACKEND = "openstack"
    settings.OS_AUTH_URL = served_console.url + "/v3"
    settings.OS_REGION_NAME = "eu-de"
    return served_console


def log_in(page: Page, url: str, account: str, username: str) -> None:
    page.goto(url + "/")
    page.get_by_label("Account name").fill(account)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("ims-demo")
    page.get_by_role("button", name="Log In").click()
    expect(page.get_by_role("heading", name="Image Management Service")).to_be_visible()
    # The page's scripts (htmx, the JavaScript catalog, console.js) have run: a test acts as a user would.
    page.wait_for_load_state()


def members_served(cloud: ServedConsole, image_id: str) -> list[tuple[str, str]]:
    script = (
        "import json, sys, openstack\n"
        "a = json.loads(sys.argv[1])\n"
        "conn = openstack.connect(auth_url=a['url'] + '/v3', username='alice', password='ims-demo',"
        " user_domain_name='acme', project_name='eu-de_acme', project_domain_name='acme', region_name='eu-de')\n"
        "print(json.dumps(sorted((m.member_id, m.status) for m in conn.image.members(a['image']))))\n"
    )
    run = subprocess.run([str(clients_bin() / "python"), "-c", script, json.dumps({"url": cloud.url, "image": image_id})],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    return [tuple(pair) for pair in json.loads(run.stdout)]


def test_alice_shares_through_a_console_fronting_the_console_and_bob_accepts_and_rejects(
        page: Page, second_page: Page, live_server, fronting):
    globex = fronting.project_id("eu-de_globex")
    acme = fronting.project_id("eu-de_acme")
    first = fronting.image_id("redis-7-debian12", acme)
    second = fronting.image_id("gitlab-runner-ubuntu2204", acme)
    alice, bob = page, second_page

    log_in(alice, live_server.url, "acme", "alice")
    for name in ("redis-7-debian12", "gitlab-runner-ubuntu2204"):
        alice.get_by_role("searchbox", name="Search by name").fill(name)
        alice.get_by_role("button", name=f"More actions for {name}").click()
        alice.get_by_role("menuitem", name="Share").click()
        dialog = alice.get_by_role("dialog", name="Share Image")
        dialog.get_by_label("Project ID").fill(globex)
        dialog.get_by_role("button", name="OK").click()
        expect(alice.get_by_role("status")).to_have_text("Shared 1 image with 1 project.")
    assert violations(alice) == []

    log_in(bob, live_server.url, "globex", "bob")
    tab = bob.get_by_role("navigation", name="Image lists").get_by_role("link", name="Images Shared with Me")
    tab.click()
    bob.get_by_role("region", name="Pending shares").get_by_role("link", name="View Pending Images").click()
    pending = bob.locator(".list tbody tr")
    pending.filter(has_text="redis-7-debian12").get_by_role("link", name="Accept redis-7-debian12").click()
    bob.get_by_role("dialog", name="Accept Image").get_by_role("button", name="OK").click()
    expect(bob.get_by_role("status")).to_have_text("Accepted 1 image.")
    pending.filter(has_text="gitlab-runner-ubuntu2204").get_by_role("link", name="Reject gitlab-runner-ubuntu2204").click()
    bob.get_by_role("dialog", name="Reject Image").get_by_role("button", name="OK").click()
    expect(bob.get_by_role("status")).to_have_text("Rejected 1 image.")
    assert violations(bob) == []

    assert (globex, "accepted") in members_served(fronting, first)
    assert (globex, "rejected") in members_served(fronting, second)
