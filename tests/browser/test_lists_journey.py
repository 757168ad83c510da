"""Lists as in IMS (issue 12, point 8) in the browser: Refresh reloads the list in place with its filters, the
shared list filters by OS, and an image ID in the search box finds that image."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from images.models import Image
from ims_console.identity.models import Project
from tests.browser.test_accessibility import violations
from tests.factories import ImageFactory

pytestmark = pytest.mark.browser


def rows(page: Page):
    return page.locator(".list tbody tr")


def test_refresh_search_by_id_and_the_shared_filters(page: Page, console):
    console(page, "alice")
    search = page.get_by_role("searchbox", name="Search by name or ID")
    search.fill("zz-")
    expect(page.locator(".empty-state")).to_be_visible()
    ImageFactory(project=Project.objects.get(name="eu-de_acme"), name="zz-made-meanwhile")
    page.get_by_role("link", name="Refresh the list").click()
    expect(rows(page)).to_have_count(1)
    expect(rows(page)).to_contain_text("zz-made-meanwhile")
    expect(search).to_have_value("zz-")  # the same view, reloaded in place

    image = Image.objects.get(name="k8s-node-ubuntu2404")
    search.fill(str(image.pk))
    expect(rows(page)).to_have_count(1)
    expect(rows(page)).to_contain_text("k8s-node-ubuntu2404")

    page.get_by_role("navigation", name="Image lists").get_by_role("link", name="Images Shared with Me").click()
    shown = rows(page).count()
    page.get_by_label("OS type").select_option("Windows")
    expect(rows(page).filter(has_text="Linux")).to_have_count(0)
    assert rows(page).count() <= shown
    assert violations(page) == []
