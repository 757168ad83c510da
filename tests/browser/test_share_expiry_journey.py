"""Alice shares an image with Bob's project for a week; Bob sees when it ends; when the day has passed the task
worker ends the share, and Alice's activity says so (issue 12, point 10)."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from ims_console.backends.openstack import jobs as openstack_jobs
from ims_console.identity.models import Project
from sharing.models import ImageMember
from tests.browser.conftest import open_share_dialog
from tests.browser.test_accessibility import violations

pytestmark = pytest.mark.browser


def test_alice_shares_for_a_week_bob_sees_until_when_and_the_share_ends_by_itself(page: Page, second_page: Page, console):
    globex = Project.objects.get(name="eu-de_globex")
    last_day = (datetime.now(zoneinfo.ZoneInfo("Europe/Berlin")).date() + timedelta(days=7)).isoformat()

    console(page, "alice")
    dialog = open_share_dialog(page, "redis-7-debian12", globex.id)
    # A day in the past is refused next to the field, and nothing is shared.
    dialog.get_by_label("Share ends on (optional)").fill("2020-01-01")
    dialog.get_by_role("button", name="OK").click()
    expect(dialog.get_by_text("2020-01-01 is not after today")).to_be_visible()
    expect(dialog.get_by_label("Share ends on (optional)")).to_have_attribute("aria-invalid", "true")
    assert not ImageMember.objects.filter(image__name="redis-7-debian12").exists()
    assert violations(page) == []
    dialog.get_by_label("Share ends on (optional)").fill(last_day)
    dialog.get_by_role("button", name="OK").click()
    expect(page.get_by_role("status")).to_have_text(
        f"Shared 1 image with 1 project; the share ends by itself at the end of {last_day}."
    )

    console(second_page, "bob")
    second_page.get_by_role("navigation", name="Image lists").get_by_role("link", name="Images Shared with Me").click()
    second_page.get_by_role("region", name="Pending shares").get_by_role("link", name="View Pending Images").click()
    row = second_page.locator(".list tbody tr").filter(has_text="redis-7-debian12")
    expect(row).to_contain_text(f"Share ends at the end of {last_day}")
    assert violations(second_page) == []

    page.get_by_role("link", name="Shared with 1 project").click()
    expect(page.get_by_role("row").filter(has_text="eu-de_globex")).to_contain_text(f"ends at the end of {last_day}")

    # The week passes: the worker, asked to run at the share's end, ends it.
    ImageMember.objects.filter(image__name="redis-7-debian12").update(expires_at=timezone.now())
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.update(run_after=timezone.now())
    openstack_jobs.run_queued_tasks()
    second_page.reload()
    expect(second_page.locator(".list")).not_to_contain_text("redis-7-debian12")
    page.get_by_role("banner").get_by_role("link", name="Activity").click()
    expect(page.locator(".activity-table tbody tr").first).to_contain_text("Share expired")
    expect(page.locator(".activity-table tbody tr").first).to_contain_text("share expiry")


def test_alice_moves_the_end_of_a_share_and_then_removes_it(page: Page, console):
    globex = Project.objects.get(name="eu-de_globex")
    today = datetime.now(zoneinfo.ZoneInfo("Europe/Berlin")).date()
    first_day, later_day = (today + timedelta(days=7)).isoformat(), (today + timedelta(days=60)).isoformat()

    console(page, "alice")
    dialog = open_share_dialog(page, "redis-7-debian12", globex.id)
    dialog.get_by_label("Share ends on (optional)").fill(first_day)
    dialog.get_by_role("button", name="OK").click()
    expect(page.get_by_role("status")).to_contain_text(f"at the end of {first_day}")
    page.get_by_role("link", name="Shared with 1 project").click()
    row = page.get_by_role("row").filter(has_text="eu-de_globex")

    # Change End opens on the day the share ends now; a day in the past is refused next to the field.
    row.get_by_role("link", name="Change the end of the share with eu-de_globex").click()
    dialog = page.get_by_role("dialog", name="Change Share End")
    field = dialog.get_by_label("Share ends on")
    expect(field).to_have_value(first_day)
    expect(field).to_be_focused()
    field.fill("2020-01-01")
    dialog.get_by_role("button", name="OK").click()
    expect(dialog.get_by_text("2020-01-01 is not after today")).to_be_visible()
    expect(field).to_have_attribute("aria-invalid", "true")
    assert violations(page) == []
    field.fill(later_day)
    field.press("Enter")
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("status")).to_have_text(
        f"The share of “redis-7-debian12” with eu-de_globex ends by itself at the end of {later_day}."
    )
    expect(row).to_contain_text(f"ends at the end of {later_day}")

    # Remove the end: the share lasts until Alice stops it.
    row.get_by_role("link", name="Change the end of the share with eu-de_globex").click()
    dialog.get_by_role("button", name="Remove the end").click()
    expect(page.get_by_role("status")).to_have_text(
        "The share of “redis-7-debian12” with eu-de_globex lasts until you stop sharing."
    )
    expect(row).to_contain_text("not set")
    assert ImageMember.objects.get(image__name="redis-7-debian12").expires_at is None
    page.get_by_role("banner").get_by_role("link", name="Activity").click()
    expect(page.locator(".activity-table tbody tr").first).to_contain_text("Change share end")
