"""axe-core finds no accessibility violation on the console's screens and dialogs."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def violations(page: Page) -> list[str]:
    result = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']} at {v['nodes'][0]['target']}" for v in result.response["violations"]]


@pytest.mark.parametrize(
    "path", ["/images/", "/shared/", "/shared/pending/", "/shared/rejected/", "/images/keys/", "/credentials/",
             "/credentials/access-keys/", "/activity/"]
)
def test_pages_have_no_accessibility_violations(page: Page, console, live_server, path):
    console(page, "alice")
    page.goto(live_server.url + path)
    assert violations(page) == []


def test_details_sharing_tab_and_dialogs_have_no_accessibility_violations(page: Page, console):
    console(page, "alice")
    page.get_by_role("link", name="payments-rocky9-enc-custom").click()
    assert violations(page) == []
    page.get_by_role("link", name=re.compile("^Sharing")).click()
    assert violations(page) == []

    page.get_by_role("navigation", name="Image lists").get_by_role("link", name="Private Images").click()
    page.get_by_role("checkbox", name=re.compile("^Select ")).nth(1).check()
    page.get_by_role("button", name="Share (1)").click()
    dialog = page.get_by_role("dialog", name="Share Image")
    dialog.get_by_label("Project ID").fill("nonsense")
    dialog.get_by_role("button", name="OK").click()
    expect(dialog.get_by_role("alert")).to_be_visible()
    assert violations(page) == []
    dialog.get_by_role("tab", name="Stop Sharing").click()
    expect(dialog.get_by_role("tab", name="Stop Sharing")).to_have_attribute("aria-selected", "true")
    assert violations(page) == []

    page.keyboard.press("Escape")
    page.get_by_role("navigation", name="Image lists").get_by_role("link", name="Images Shared with Me").click()
    page.get_by_role("link", name="View Pending Images").click()
    page.get_by_role("link", name="Accept globex-full-ecs-cbr").click()
    expect(page.get_by_role("dialog", name="Accept Full-ECS Image")).to_be_visible()
    assert violations(page) == []


def test_a_read_only_user_sees_no_dead_controls_and_a_note(page: Page, console, live_server):
    console(page, "carol")
    for path in ("/images/", "/shared/", "/shared/pending/"):
        page.goto(live_server.url + path)
        expect(page.get_by_role("note").filter(has_text="is read-only")).to_be_visible()
        expect(page.get_by_role("checkbox")).to_have_count(0)
        assert violations(page) == []
