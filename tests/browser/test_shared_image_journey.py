"""A recipient opens an image shared with their project from the list, reads its ID and owner, and accepts it
from its page (issue 12, point 1)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from images.models import Image
from ims_console.identity.models import Project
from sharing.models import ImageMember
from tests.browser.test_accessibility import violations
from tests.factories import ImageMemberFactory

pytestmark = pytest.mark.browser


def test_bob_opens_a_pending_image_reads_its_id_and_owner_and_accepts_it_there(page: Page, console):
    image = Image.objects.get(name="k8s-master-ubuntu2404")
    globex = Project.objects.get(name="eu-de_globex")
    ImageMemberFactory(image=image, project=globex, status="pending")

    console(page, "bob")
    page.get_by_role("navigation", name="Image lists").get_by_role("link", name="Images Shared with Me").click()
    page.get_by_role("region", name="Pending shares").get_by_role("link", name="View Pending Images").click()
    page.get_by_role("link", name="k8s-master-ubuntu2404", exact=True).click()

    expect(page.get_by_role("heading", name="k8s-master-ubuntu2404")).to_be_visible()
    expect(page.get_by_text(str(image.pk))).to_be_visible()
    expect(page.get_by_role("button", name="Copy image ID")).to_be_visible()
    expect(page.locator(".attributes").first).to_contain_text("eu-de_acme")
    expect(page.locator(".attributes").first).to_contain_text("Pending")
    assert violations(page) == []

    page.get_by_role("link", name="Accept", exact=True).click()
    page.get_by_role("dialog", name="Accept Image").get_by_role("button", name="OK").click()
    expect(page.get_by_role("status")).to_have_text("Accepted 1 image.")
    # The page follows: the share is accepted, Replicate is offered, Accept is gone.
    expect(page.locator(".attributes").first).to_contain_text("Accepted")
    expect(page.get_by_role("link", name="Replicate")).to_be_visible()
    expect(page.get_by_role("link", name="Accept", exact=True)).to_have_count(0)
    assert ImageMember.objects.get(image=image, project=globex).status == "accepted"
    assert violations(page) == []


def test_screenshot_of_a_shared_image_for_the_readme(page: Page, console, tmp_path):
    """Writes docs/shared-image.png when IMS_SCREENSHOTS names a folder (`make screenshots`)."""
    import os
    from pathlib import Path

    console(page, "bob")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("navigation", name="Image lists").get_by_role("link", name="Images Shared with Me").click()
    page.locator(".list tbody tr").first.locator(".col-name a").click()
    expect(page.get_by_role("heading", name="Share")).to_be_visible()
    path = Path(os.environ.get("IMS_SCREENSHOTS") or tmp_path) / "shared-image.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
