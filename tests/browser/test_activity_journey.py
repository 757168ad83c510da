"""Alice shares an image, then reads what happened on the project's Activity page (filters, a job's pairs, the
CSV export) and on the image's Activity tab, where Bob's accept shows without his user or address (issue 12,
point 9)."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from images.models import Image
from ims_console.identity.models import Project
from tests.browser.conftest import log_in_without_javascript, open_share_dialog
from tests.browser.test_accessibility import violations

pytestmark = pytest.mark.browser


def activity_rows(page: Page):
    return page.locator(".activity-table tbody tr")


def test_alice_follows_a_share_from_the_activity_page_to_its_pairs_and_the_images_tab(page: Page, second_page: Page, console):
    image = Image.objects.get(name="redis-7-debian12")
    globex = Project.objects.get(name="eu-de_globex")

    console(page, "alice")
    open_share_dialog(page, "redis-7-debian12", globex.id).get_by_role("button", name="OK").click()
    expect(page.get_by_role("status")).to_have_text("Shared 1 image with 1 project.")

    page.get_by_role("link", name="Activity", exact=True).click()
    expect(page.get_by_role("heading", name="Activity")).to_be_visible()
    newest = activity_rows(page).first
    expect(newest).to_contain_text("Share")
    expect(newest).to_contain_text("redis-7-debian12 → eu-de_globex")
    expect(newest).to_contain_text("alice")
    expect(newest).to_contain_text("Succeeded")
    assert violations(page) == []

    # A filter changes the list in place; one that cannot be used says why, next to it.
    page.get_by_label("Action").select_option(label="Stop sharing")
    expect(page).to_have_url(re.compile(r"action=imsDelImageMembersJob"))
    expect(page.get_by_text("No job matches these filters.")).to_be_visible()
    page.get_by_role("link", name="Clear", exact=True).click()
    page.get_by_label("Image ID").fill("redis")
    page.get_by_label("Image ID").press("Enter")
    expect(page.get_by_text("“redis” is not an image ID")).to_be_visible()
    expect(page.get_by_label("Image ID")).to_have_attribute("aria-invalid", "true")
    assert violations(page) == []
    page.get_by_label("Image ID").fill(str(image.pk))
    page.get_by_role("button", name="Search").click()
    expect(activity_rows(page)).to_have_count(1)
    expect(page.get_by_text("Page 1 of 1")).to_be_visible()

    # The export keeps the filters: the one job, one line per pair.
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    lines = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
    assert [(line["Action"], line["Image Name"], line["Project Name"], line["User"]) for line in lines] == [
        ("Share", "redis-7-debian12", "eu-de_globex", "alice")
    ]

    activity_rows(page).first.get_by_role("link", name=re.compile("^Details of the job “Share” of ")).click()
    expect(page.get_by_role("heading", name="Share")).to_be_visible()
    expect(page.locator(".attributes")).to_contain_text("127.0.0.1")
    expect(page.get_by_role("row").filter(has_text="eu-de_globex")).to_contain_text("success")
    assert violations(page) == []

    # Bob accepts; Alice's tab on the image shows it, without Bob's user or address.
    console(second_page, "bob")
    second_page.goto(page.url.split("/activity/")[0] + f"/shared/images/{image.pk}/")
    second_page.get_by_role("link", name="Accept", exact=True).click()
    second_page.get_by_role("dialog", name="Accept Image").get_by_role("button", name="OK").click()
    expect(second_page.get_by_role("status")).to_have_text("Accepted 1 image.")

    page.goto(page.url.split("/activity/")[0] + f"/images/{image.pk}/")
    page.get_by_role("navigation", name="Image details").get_by_role("link", name="Activity").click()
    trail = page.get_by_role("region", name="Activity")
    first, second = trail.get_by_role("row").nth(1), trail.get_by_role("row").nth(2)
    expect(first).to_contain_text("Accepted by")
    expect(first).to_contain_text("a user of that project")
    expect(first).not_to_contain_text("bob")
    expect(second).to_contain_text("Shared with")
    expect(second).to_contain_text("alice")
    expect(second).to_contain_text("127.0.0.1")
    assert violations(page) == []
    trail.get_by_role("link", name="All jobs on this image").click()
    expect(page.get_by_label("Image ID")).to_have_value(str(image.pk))
    expect(activity_rows(page)).to_have_count(1)


def test_screenshot_of_the_activity_page_for_the_readme(page: Page, console, tmp_path):
    """Writes docs/activity.png when IMS_SCREENSHOTS names a folder (`make screenshots`)."""
    import os
    from pathlib import Path

    console(page, "alice")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.get_by_role("link", name="Activity", exact=True).click()
    expect(activity_rows(page).first).to_be_visible()
    path = Path(os.environ.get("IMS_SCREENSHOTS") or tmp_path) / "activity.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000


def test_without_javascript_a_share_with_an_end_day_and_the_activity_filters_work_and_no_dead_copy_buttons(
    browser, live_server, demo
):
    globex = Project.objects.get(name="eu-de_globex")
    context, page = log_in_without_javascript(browser, live_server, "alice")

    image = Image.objects.get(name="redis-7-debian12")
    page.goto(f"{live_server.url}/images/{image.pk}/")
    # Copy needs JavaScript: without it the button is not there to do nothing.
    expect(page.get_by_role("button", name="Copy image ID")).to_be_hidden()
    page.goto(f"{live_server.url}/sharing/share/?image_id={image.pk}")
    page.get_by_label("Project ID").fill(globex.id)
    page.get_by_label("Share ends on (optional)").fill("2099-01-01")
    page.get_by_role("button", name="OK").click()
    expect(page.get_by_text("2099-01-01 is more than 3 years ahead")).to_be_visible()
    last_day = (timezone.localdate() + timedelta(days=10)).isoformat()
    page.get_by_label("Share ends on (optional)").fill(last_day)
    page.get_by_role("button", name="OK").click()
    expect(page.get_by_role("status")).to_contain_text("Shared 1 image with 1 project; the share ends by itself")

    page.get_by_role("banner").get_by_role("link", name="Activity").click()
    page.get_by_label("Action").select_option(label="Stop sharing")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("No job matches these filters.")).to_be_visible()
    page.get_by_label("Action").select_option(label="Share")
    page.get_by_label("User").fill("alice")
    page.get_by_role("button", name="Search").click()
    expect(activity_rows(page)).to_have_count(1)
    activity_rows(page).first.get_by_role("link", name=re.compile("^Details")).click()
    expect(page.get_by_role("row").filter(has_text="eu-de_globex")).to_contain_text("success")
    context.close()
