"""Alice grants her key to the account of the project she is sharing with, from the refusal itself, knowing only
the project ID (issue 12, point 3)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from images.models import KeyGrant
from ims_console.identity.models import Project
from sharing.models import ImageMember
from tests.browser.test_accessibility import violations
from tests.browser.test_encryption_journey import share_dialog

pytestmark = pytest.mark.browser


def test_alice_follows_img_0099_to_a_grant_for_the_projects_account_and_then_shares(page: Page, console):
    initech = Project.objects.get(name="eu-de_initech")
    console(page, "alice")
    dialog = share_dialog(page, "vault-ubuntu2204-enc-custom")
    dialog.get_by_label("Project ID").fill(initech.pk)
    dialog.get_by_role("button", name="OK").click()
    expect(dialog).to_contain_text("IMG.0099")

    # The link opens Create Grant in place of the Share dialog, filled in with the project.
    dialog.get_by_role("link", name="Create the grant for this project's account").click()
    grant = page.get_by_role("dialog", name="Create Grant")
    expect(grant.get_by_label("Account ID or project ID")).to_have_value(initech.pk)
    grant.get_by_role("button", name="OK").click()
    confirm = grant
    expect(confirm.get_by_text("belongs to account initech")).to_be_visible()
    assert not KeyGrant.objects.filter(grantee_account__name="initech").exists()
    assert violations(page) == []
    confirm.get_by_role("button", name="OK").click()
    expect(page.get_by_role("status")).to_contain_text("Granted acme/prod-images to account initech")

    page.get_by_role("navigation", name="Image lists").get_by_role("link", name="Private Images").click()
    dialog = share_dialog(page, "vault-ubuntu2204-enc-custom")
    dialog.get_by_label("Project ID").fill(initech.pk)
    dialog.get_by_role("button", name="OK").click()
    expect(page.get_by_role("status")).to_have_text("Shared 1 image with 1 project.")
    assert ImageMember.objects.filter(project=initech, image__name="vault-ubuntu2204-enc-custom").exists()
