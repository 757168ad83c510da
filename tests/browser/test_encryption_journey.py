"""Encrypted images: default key refused, custom key needs a grant; dave replicates with his own key; revoking
makes his accepted image unavailable."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from images.models import Image

pytestmark = pytest.mark.browser


def rows(page: Page):
    return page.locator(".list tbody tr")


def search(page: Page, text: str, count: int) -> None:
    page.get_by_role("searchbox", name="Search by name").fill(text)
    expect(rows(page)).to_have_count(count)


def credentials(page: Page, user: str) -> tuple[str, str]:
    """The account ID and the eu-de project ID, from the user's own My Credentials page."""
    page.get_by_role("button", name=re.compile(f"^{user}")).click()
    page.get_by_role("menuitem", name="My Credentials").click()
    account = page.get_by_text(re.compile(r"^[0-9a-f]{32}$")).first.inner_text()
    project = page.get_by_role("row").filter(has_text="eu-de_").get_by_role("cell").nth(2).locator("code").inner_text()
    return account, project


def share_dialog(page: Page, name: str):
    search(page, name, 1)
    page.get_by_role("checkbox", name=f"Select {name}").check()
    page.get_by_role("button", name="Share (1)").click()
    return page.get_by_role("dialog", name="Share Image")


def test_grants_replication_and_revocation(page: Page, second_page: Page, console):
    alice, dave = page, second_page
    console(dave, "dave")
    dave_account, dave_project = credentials(dave, "dave")
    console(alice, "alice")

    dialog = share_dialog(alice, "payments-debian12-enc-default")
    expect(dialog).to_contain_text("Cannot be shared: Image “payments-debian12-enc-default” is encrypted with the default key")
    expect(dialog).to_contain_text("IMG.0098")
    expect(dialog).to_contain_text("Replicate it to an unencrypted image")
    # Nothing in the dialog can be shared: OK says so instead of letting a doomed submission through.
    expect(dialog.get_by_role("button", name="OK")).to_be_disabled()
    expect(dialog.get_by_role("alert")).to_contain_text("This image cannot be shared")
    dialog.get_by_role("button", name="Cancel").click()

    alice.get_by_role("checkbox", name="Select payments-debian12-enc-default").uncheck()
    dialog = share_dialog(alice, "vault-ubuntu2204-enc-custom")
    dialog.get_by_label("Project ID").fill(dave_project)
    dialog.get_by_role("button", name="OK").click()
    expect(dialog.get_by_role("alert")).to_contain_text("Nothing was changed.")
    # The problem is about what was typed: it is shown at the Project ID box, which it describes.
    alert = dialog.locator("#project-ids-error")
    expect(dialog.get_by_label("Project ID")).to_have_attribute("aria-invalid", "true")
    expect(alert).to_contain_text(
        "IMG.0099 Image “vault-ubuntu2204-enc-custom” is encrypted with key acme/prod-images, which is not granted to "
        f"account initech (project eu-de_initech, {dave_project})"
    )
    assert not Image.objects.get(name="vault-ubuntu2204-enc-custom").members.exists()

    # The refusal opens Create Grant for that project; an account ID typed instead is granted at once.
    alert.get_by_role("link", name="Create the grant for this project's account").click()
    grant = alice.get_by_role("dialog", name="Create Grant")
    expect(grant.get_by_label("Account ID or project ID")).to_have_value(dave_project)
    grant.get_by_label("Account ID or project ID").fill(dave_account)
    grant.get_by_role("button", name="OK").click()
    expect(alice.get_by_role("status")).to_have_text(f"Granted acme/prod-images to account initech ({dave_account}).")
    alice.get_by_role("link", name="KMS Keys").click()
    alice.get_by_role("link", name="acme/prod-images").click()
    expect(alice.get_by_role("row").filter(has_text="initech")).to_contain_text("Decrypt Data Key, Describe Key")

    alice.get_by_role("navigation", name="Image lists").get_by_role("link", name="Private Images").click()
    dialog = share_dialog(alice, "vault-ubuntu2204-enc-custom")
    dialog.get_by_label("Project ID").fill(dave_project)
    dialog.get_by_role("button", name="OK").click()
    expect(alice.get_by_role("status")).to_have_text("Shared 1 image with 1 project.")

    dave.get_by_role("link", name="KMS Keys").click()
    dave.get_by_role("link", name="Create Key").click()
    create = dave.get_by_role("dialog", name="Create Key")
    create.get_by_label("Alias").fill("dave/copies")
    create.get_by_role("button", name="OK").click()
    expect(dave.get_by_role("link", name="dave/copies")).to_be_visible()

    dave.get_by_role("navigation", name="Image lists").get_by_role("link", name="Images Shared with Me").click()
    dave.get_by_role("link", name="View Pending Images").click()
    dave.get_by_role("link", name="Accept vault-ubuntu2204-enc-custom").click()
    dave.get_by_role("dialog", name="Accept Image").get_by_role("button", name="OK").click()
    dave.get_by_role("link", name="Images Shared with Me").first.click()
    dave.get_by_role("link", name="Replicate vault-ubuntu2204-enc-custom").click()
    replica = dave.get_by_role("dialog", name="Replicate Image")
    expect(replica.get_by_label("Name")).to_have_value("copy_vault-ubuntu2204-enc-custom")
    expect(replica.get_by_label("Encryption")).to_have_value(re.compile(r"[0-9a-f-]{36}"))
    replica.get_by_label("Encryption").select_option(label="Encrypt with dave/copies")
    replica.get_by_role("button", name="OK").click()
    expect(dave.get_by_role("status")).to_contain_text("Replicated “vault-ubuntu2204-enc-custom” as “copy_vault-ubuntu2204-enc-custom”")

    dave.get_by_role("navigation", name="Image lists").get_by_role("link", name="Private Images").click()
    from ims_console.identity.models import Project

    bob_project = Project.objects.get(name="eu-de_globex").id
    dialog = share_dialog(dave, "copy_vault-ubuntu2204-enc-custom")
    dialog.get_by_label("Project ID").fill(bob_project)
    dialog.get_by_role("button", name="OK").click()
    # dave's own key is not granted to globex: the same rule, now for dave's copy.
    expect(dialog.locator("#project-ids-error")).to_contain_text("IMG.0099")
    dialog.get_by_role("button", name="Cancel").click()
    dave.get_by_role("link", name="KMS Keys").click()
    dave.get_by_role("link", name="dave/copies").click()
    dave.get_by_role("link", name="Create Grant").click()
    grant = dave.get_by_role("dialog", name="Create Grant")
    grant.get_by_label("Account ID").fill(Project.objects.get(name="eu-de_globex").account_id)
    grant.get_by_role("button", name="OK").click()
    expect(dave.get_by_role("status")).to_contain_text("Granted dave/copies")
    dave.get_by_role("navigation", name="Image lists").get_by_role("link", name="Private Images").click()
    dialog = share_dialog(dave, "copy_vault-ubuntu2204-enc-custom")
    dialog.get_by_label("Project ID").fill(bob_project)
    dialog.get_by_role("button", name="OK").click()
    expect(dave.get_by_role("status")).to_have_text("Shared 1 image with 1 project.")

    alice.get_by_role("link", name="KMS Keys").click()
    alice.get_by_role("link", name="acme/prod-images").click()
    alice.get_by_role("link", name="Revoke initech").click()
    revoke = alice.get_by_role("dialog", name="Revoke Grant")
    expect(revoke).to_contain_text("eu-de_initech (initech): vault-ubuntu2204-enc-custom")
    revoke.get_by_role("button", name="OK").click()
    expect(alice.get_by_role("status")).to_contain_text("Revoked the grant on acme/prod-images of account initech (")

    dave.get_by_role("navigation", name="Image lists").get_by_role("link", name="Images Shared with Me").click()
    row = rows(dave).filter(has_text="vault-ubuntu2204-enc-custom")
    expect(row).to_contain_text("Unavailable")
    expect(row).to_contain_text("The owner revoked your account's grant on key acme/prod-images")
    expect(row.get_by_role("button", name="Replicate vault-ubuntu2204-enc-custom")).to_have_attribute("aria-disabled", "true")
