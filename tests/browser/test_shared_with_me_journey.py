"""Alice shares, Bob accepts and rejects, in two browsers at once; a full-ECS share needs a fit vault."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from ims_console.identity.models import Project
from sharing.models import ImageMember
from tests.browser.test_accessibility import violations

pytestmark = pytest.mark.browser


def rows(page: Page):
    return page.locator(".list tbody tr")


def row_of(page: Page, name: str):
    return rows(page).filter(has_text=name)


def pending_for(project_name: str) -> int:
    return ImageMember.objects.filter(project__name=project_name, status="pending").count()


def status_of(image_name: str) -> str:
    return ImageMember.objects.get(image__name=image_name, project__name="eu-de_globex").status


def test_bob_accepts_rejects_and_re_accepts_what_alice_shared(page: Page, second_page: Page, console):
    alice, bob = page, second_page
    console(alice, "alice")
    globex = Project.objects.get(name="eu-de_globex").id
    first, second = "k8s-master-ubuntu2404", "k8s-node-ubuntu2404"
    alice.get_by_role("searchbox", name="Search by name").fill("k8s-")
    expect(rows(alice)).to_have_count(2)
    alice.get_by_role("checkbox", name="Select all images on this page").check()
    alice.get_by_role("button", name="Share (2)").click()
    dialog = alice.get_by_role("dialog", name="Share Image")
    dialog.get_by_label("Project ID").fill(globex)
    dialog.get_by_role("button", name="OK").click()
    expect(alice.get_by_role("status")).to_have_text("Shared 2 images with 1 project.")

    console(bob, "bob")
    waiting = pending_for("eu-de_globex")
    tab = bob.get_by_role("navigation", name="Image lists").get_by_role("link", name="Images Shared with Me")
    expect(tab).to_contain_text(f"({waiting} pending)")
    tab.click()
    notice = bob.get_by_role("region", name="Pending shares")
    expect(notice).to_contain_text(f"{waiting} images shared with this project are waiting")
    notice.get_by_role("link", name="View Pending Images").click()
    expect(bob.get_by_role("heading", name="Pending Images")).to_be_visible()

    row_of(bob, first).get_by_role("link", name=f"Accept {first}").click()
    bob.get_by_role("dialog", name="Accept Image").get_by_role("button", name="OK").click()
    expect(bob.get_by_role("status")).to_have_text("Accepted 1 image.")
    expect(row_of(bob, first)).to_have_count(0)
    expect(tab).to_contain_text(f"({waiting - 1} pending)")

    row_of(bob, second).get_by_role("link", name=f"Reject {second}").click()
    bob.get_by_role("dialog", name="Reject Image").get_by_role("button", name="OK").click()
    expect(bob.get_by_role("status")).to_have_text("Rejected 1 image.")
    assert (status_of(first), status_of(second)) == ("accepted", "rejected")

    bob.goto(bob.url.split("/shared/")[0] + "/shared/")
    bob.get_by_role("link", name="Rejected Images").click()
    expect(row_of(bob, second)).to_have_count(1)
    bob.get_by_role("checkbox", name=f"Select {second}").check()
    bob.get_by_role("button", name="Accept (1)").click()
    bob.get_by_role("dialog", name="Accept Image").get_by_role("button", name="OK").click()
    expect(row_of(bob, second)).to_have_count(0)
    assert status_of(second) == "accepted"

    tab.click()
    expect(row_of(bob, second)).to_have_count(1)
    row_of(bob, first).get_by_role("link", name=f"Reject {first}").click()
    bob.get_by_role("dialog", name="Reject Image").get_by_role("button", name="OK").click()
    expect(row_of(bob, first)).to_have_count(0)
    assert status_of(first) == "rejected"

    for name, status in ((first, "Rejected"), (second, "Accepted")):
        alice.get_by_role("searchbox", name="Search by name").fill(name)
        expect(rows(alice)).to_have_count(1)
        alice.get_by_role("link", name=name, exact=True).click()
        alice.get_by_role("link", name=re.compile("^Sharing")).click()
        expect(alice.get_by_role("row").filter(has_text="eu-de_globex")).to_contain_text(status)
        alice.get_by_role("link", name="Private Images").first.click()


def test_accept_all_accepts_everything_pending(page: Page, console):
    console(page, "bob")
    waiting = pending_for("eu-de_globex")
    assert waiting >= 2
    tab = page.get_by_role("navigation", name="Image lists").get_by_role("link", name="Images Shared with Me")
    tab.click()
    page.get_by_role("link", name="Accept All").click()
    dialog = page.get_by_role("dialog", name="Accept Image")
    expect(dialog).to_contain_text(f"Accept all {waiting} images waiting for you?")
    dialog.get_by_role("button", name="OK").click()
    expect(page.get_by_role("status")).to_have_text(f"Accepted the {waiting} images that were waiting for you.")
    expect(page.get_by_role("region", name="Pending shares")).to_have_count(0)
    expect(tab).not_to_contain_text("pending")
    assert pending_for("eu-de_globex") == 0


def test_a_full_ecs_share_offers_only_the_fit_vault_and_says_why_the_others_do_not_fit(page: Page, console):
    console(page, "alice")
    page.get_by_role("link", name="Images Shared with Me").click()
    page.get_by_role("link", name="View Pending Images").click()
    page.get_by_role("link", name="Accept globex-full-ecs-cbr").click()
    dialog = page.get_by_role("dialog", name="Accept Full-ECS Image")
    for vault in ("vault-servers", "vault-servers-small", "vault-disks", "vault-replicas"):
        expect(dialog.get_by_role("row").filter(has_text=vault).first).to_be_visible()

    # The vaults that cannot take the backup say why before anything is submitted, and cannot be chosen; the only
    # one that fits is chosen already.
    for vault, why in (("vault-disks", "is not a server-backup vault"), ("vault-replicas", "is not a server-backup vault"),
                       ("vault-servers-small", "GB free; the backup of")):
        expect(dialog.get_by_label(vault, exact=True)).to_be_disabled()
        expect(dialog.get_by_role("row").filter(has_text=vault)).to_contain_text(why)
    expect(dialog.get_by_label("vault-servers", exact=True)).to_be_checked()
    assert violations(page) == []
    assert ImageMember.objects.get(image__name="globex-full-ecs-cbr").status == "pending"

    dialog.get_by_role("button", name="OK").click()
    expect(page.get_by_role("status")).to_have_text("Accepted 1 image.")
    member = ImageMember.objects.select_related("vault").get(image__name="globex-full-ecs-cbr")
    assert (member.status, member.vault and member.vault.name) == ("accepted", "vault-servers")
