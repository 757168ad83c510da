"""Alice's Share dialog fixes its own problems in one click each (issue 12, point 2)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from images.models import Image
from ims_console.identity.models import Project
from sharing.models import ImageMember
from tests.browser.test_accessibility import violations
from tests.factories import ImageFactory

pytestmark = pytest.mark.browser


def test_alice_removes_the_image_and_the_id_that_cannot_be_used_and_shares_the_rest(page: Page, console):
    acme = Project.objects.get(name="eu-de_acme")
    ImageFactory(project=acme, name="k8s-still-creating", creating=True)
    globex = Project.objects.get(name="eu-de_globex").id
    console(page, "alice")
    page.get_by_role("searchbox", name="Search by name").fill("k8s-")
    expect(page.locator(".list tbody tr")).to_have_count(3)
    page.get_by_role("checkbox", name="Select all images on this page").check()
    page.get_by_role("button", name="Share (3)").click()
    dialog = page.get_by_role("dialog", name="Share Image")

    dialog.get_by_role("button", name="Remove the image that cannot be shared").click()
    expect(dialog.get_by_text("k8s-still-creating")).to_have_count(0)
    dialog.get_by_label("Project ID").fill(f"not-a-project\n{globex}")
    dialog.get_by_role("button", name="OK").click()
    expect(dialog.get_by_role("alert")).to_contain_text("Nothing was changed")
    assert violations(page) == []

    dialog.get_by_role("button", name="Remove the ID that cannot be used").click()
    expect(dialog.get_by_label("Project ID")).to_have_value(globex)
    dialog.get_by_role("button", name="OK").click()
    expect(page.get_by_role("status")).to_have_text("Shared 2 images with 1 project.")
    shared = ImageMember.objects.filter(project_id=globex, image__name__startswith="k8s-").values_list("image__name", flat=True)
    assert sorted(shared) == ["k8s-master-ubuntu2404", "k8s-node-ubuntu2404"]
    assert not Image.objects.get(name="k8s-still-creating").members.exists()
