"""Alice stops sharing with care (issue 12, point 6): she searches the recipients, selects them all, is told who
accepted and loses the image, and the Delete confirmation names who would lose it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from ims_console.identity.models import Project
from sharing.models import ImageMember
from tests.browser.test_accessibility import violations
from tests.factories import ImageFactory, ImageMemberFactory

pytestmark = pytest.mark.browser


def test_alice_searches_selects_all_is_warned_and_stops_sharing(page: Page, console):
    acme = Project.objects.get(name="eu-de_acme")
    image = ImageFactory(project=acme, name="zz-careful")
    ImageMemberFactory(image=image, project=Project.objects.get(name="eu-de_globex"), status="accepted")
    ImageMemberFactory(image=image, project=Project.objects.get(name="eu-de_initech"), status="pending")
    console(page, "alice")
    page.get_by_role("searchbox", name="Search by name").fill("zz-careful")
    expect(page.locator(".list tbody tr")).to_have_count(1)
    page.get_by_role("checkbox", name="Select zz-careful").check()
    page.get_by_role("button", name="Delete").click()
    delete = page.get_by_role("dialog", name="Delete Image")
    expect(delete.get_by_role("list", name="Recipients that lose the images")).to_contain_text("eu-de_globex")
    expect(delete.get_by_role("list", name="Recipients that lose the images")).to_contain_text("accepted: it is in use there")
    delete.get_by_role("button", name="Cancel").click()

    page.get_by_role("button", name="Share (1)").click()
    dialog = page.get_by_role("dialog", name="Share Image")
    dialog.get_by_role("tab", name="Stop Sharing").click()
    expect(dialog.get_by_role("note")).to_contain_text("Accepted by eu-de_globex (globex)")
    dialog.get_by_label("Search recipients").fill("initech")
    dialog.get_by_role("button", name="Search").click()
    expect(dialog.get_by_role("row").filter(has_text="eu-de_initech")).to_have_count(1)
    expect(dialog.get_by_role("row").filter(has_text="eu-de_globex")).to_have_count(0)
    dialog.get_by_label("Search recipients").fill("")
    dialog.get_by_role("button", name="Search").click()
    dialog.get_by_role("button", name="Select all").click()
    expect(dialog.get_by_role("note")).to_contain_text("1 of the projects ticked has accepted this image and will lose it")
    assert violations(page) == []
    dialog.get_by_role("button", name="OK").click()
    expect(page.get_by_role("status")).to_have_text("Stopped sharing: 2 shares removed.")
    assert not ImageMember.objects.filter(image__name="zz-careful").exists()
