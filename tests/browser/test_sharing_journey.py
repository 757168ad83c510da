"""Alice shares images with other projects and manages who has them, in headless Chromium."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from sharing.models import ImageMember

pytestmark = pytest.mark.browser


def rows(page: Page):
    return page.locator(".list tbody tr")


def row_of(page: Page, name: str):
    return rows(page).filter(has=page.get_by_role("link", name=name, exact=True))


def search(page: Page, text: str, count: int) -> None:
    page.get_by_role("searchbox", name="Search by name").fill(text)
    expect(rows(page)).to_have_count(count)


def project_id_from_credentials(page: Page, project_name: str) -> str:
    page.get_by_role("button", name=re.compile(r"^(bob|dave)")).click()
    page.get_by_role("menuitem", name="My Credentials").click()
    row = page.get_by_role("row").filter(has_text=project_name)
    return row.get_by_role("cell").nth(2).locator("code").inner_text()


def test_alice_shares_one_image_with_bobs_project_id_from_his_credentials(page: Page, second_page: Page, console):
    console(second_page, "bob")
    bob_project = project_id_from_credentials(second_page, "eu-de_globex")
    assert re.fullmatch(r"[0-9a-f]{32}", bob_project)

    console(page, "alice")
    search(page, "redis-7", 1)
    more = row_of(page, "redis-7-debian12").get_by_role("button", name="More")
    more.click()
    page.get_by_role("menuitem", name="Share").click()
    dialog = page.get_by_role("dialog", name="Share Image")
    expect(dialog.get_by_text("An image can be shared only inside its region.")).to_be_visible()
    expect(dialog.get_by_role("tab", name="Shared Images")).to_have_attribute("aria-selected", "true")
    box = dialog.get_by_label("Project ID")
    expect(box).to_be_focused()
    box.fill(bob_project)
    # Whether the dialog still held the page (modal: everything else inert) when the notice said it was done.
    page.evaluate("""() => {
        const notices = document.getElementById("notices"), dialog = document.getElementById("modal");
        new MutationObserver((changes, observer) => {
            if (!notices.textContent.trim()) return;
            window.dialogOpenAtNotice = dialog.open;
            observer.disconnect();
        }).observe(notices, {childList: true, subtree: true, characterData: true});
    }""")
    dialog.get_by_role("button", name="OK").click()
    expect(page.get_by_role("status")).to_have_text("Shared 1 image with 1 project.")
    # Who reads "Shared" and types at once types into the page, not into a page still held by the closing dialog.
    assert page.evaluate("window.dialogOpenAtNotice") is False
    expect(dialog).to_be_hidden()
    expect(row_of(page, "redis-7-debian12").get_by_role("link", name="Shared with 1 project")).to_be_visible()
    expect(more).to_be_focused()
    member = ImageMember.objects.get(image__name="redis-7-debian12")
    assert (member.project_id, member.status) == (bob_project, "pending")


def test_alice_shares_three_images_with_two_projects_after_fixing_a_bad_id(page: Page, second_page: Page, console):
    console(second_page, "dave")
    dave_project = project_id_from_credentials(second_page, "eu-de_initech")
    console(page, "alice")
    bob_project = ImageMember.objects.filter(project__name="eu-de_globex").values_list("project_id", flat=True)[0]

    search(page, "k8s-", 2)
    names = ["k8s-master-ubuntu2404", "k8s-node-ubuntu2404"]
    share = page.get_by_role("button", name=re.compile(r"^Share"))
    expect(share).to_be_disabled()
    for name in names:
        page.get_by_role("checkbox", name=f"Select {name}").check()
    search(page, "monitoring", 1)
    page.get_by_role("checkbox", name="Select monitoring-grafana-debian12").check()
    # A new search replaced the rows, so only this one is ticked now: go back and tick all three on one page.
    search(page, "", 10)
    page.get_by_label("Rows per page").select_option("50")
    expect(rows(page)).to_have_count(44)
    for name in [*names, "monitoring-grafana-debian12"]:
        page.get_by_role("checkbox", name=f"Select {name}").check()
    expect(share).to_have_text("Share (3)")
    share.click()

    dialog = page.get_by_role("dialog", name="Share Image")
    for name in [*names, "monitoring-grafana-debian12"]:
        expect(dialog.get_by_role("cell", name=name, exact=True)).to_be_visible()
    box = dialog.get_by_label("Project ID")
    box.fill(f"{bob_project}, not-a-project-id\n{dave_project}")
    box.press("Enter")  # a new line in the box, not a submission
    dialog.get_by_role("button", name="OK").click()
    expect(dialog.get_by_role("alert")).to_contain_text("Nothing was changed.")
    expect(dialog.locator("#project-ids-error")).to_contain_text("IMG.0067 “not-a-project-id” is not a project ID")
    expect(box).to_have_attribute("aria-invalid", "true")
    assert not ImageMember.objects.filter(image__name__in=names).exists()

    box.fill(f"{bob_project}\n{dave_project.upper()}")
    dialog.get_by_role("button", name="OK").click()
    expect(page.get_by_role("status")).to_have_text("Shared 3 images with 2 projects.")
    assert ImageMember.objects.filter(image__name__in=[*names, "monitoring-grafana-debian12"]).count() == 6


def test_an_image_that_cannot_be_shared_says_why(page: Page, console):
    console(page, "alice")
    search(page, "enc-default", 3)
    row_of(page, "payments-debian12-enc-default").get_by_role("button", name="More").click()
    item = page.get_by_role("menuitem", name="Share")
    expect(item).to_have_attribute("aria-disabled", "true")
    expect(item).to_have_attribute("title", re.compile("encrypted with the default key ims/default.*IMG.0098"))
    item.dispatch_event("click")
    expect(item).to_be_visible()
    expect(page.get_by_role("dialog", name="Share Image")).to_have_count(0)


def test_stop_sharing_removes_one_recipient_and_the_sharing_tab_deletes_all(page: Page, console):
    from ims_console.identity.models import Project

    console(page, "alice")
    bob, dave = (Project.objects.get(name=n).id for n in ("eu-de_globex", "eu-de_initech"))
    search(page, "monitoring", 1)
    row_of(page, "monitoring-grafana-debian12").get_by_role("button", name="More").click()
    page.get_by_role("menuitem", name="Share").click()
    dialog = page.get_by_role("dialog", name="Share Image")
    dialog.get_by_label("Project ID").fill(f"{bob},{dave}")
    dialog.get_by_role("button", name="OK").click()
    expect(page.get_by_role("status")).to_have_text("Shared 1 image with 2 projects.")
    expect(row_of(page, "monitoring-grafana-debian12").get_by_role("link", name="Shared with 2 projects")).to_be_visible()

    row_of(page, "monitoring-grafana-debian12").get_by_role("button", name="More").click()
    page.get_by_role("menuitem", name="Share").click()
    dialog.get_by_role("tab", name="Stop Sharing").click()
    expect(dialog.get_by_role("tab", name="Stop Sharing")).to_have_attribute("aria-selected", "true")
    expect(dialog.get_by_role("checkbox")).to_have_count(2)
    dialog.get_by_role("checkbox", name="Stop sharing with eu-de_initech").check()
    dialog.get_by_role("button", name="OK").click()
    expect(page.get_by_role("status")).to_have_text("Stopped sharing: 1 share removed.")
    assert list(ImageMember.objects.filter(image__name="monitoring-grafana-debian12").values_list("project_id", flat=True)) == [bob]

    page.get_by_role("link", name="monitoring-grafana-debian12", exact=True).click()
    page.get_by_role("link", name=re.compile("^Sharing")).click()
    table = page.get_by_role("table")
    expect(table.get_by_role("row")).to_have_count(2)
    expect(table).to_contain_text("eu-de_globex")
    expect(table).to_contain_text("globex")
    expect(table).to_contain_text("Pending")

    page.get_by_role("link", name="Add Tenant").click()
    dialog = page.get_by_role("dialog", name="Add Tenant")
    dialog.get_by_label("Project ID").fill(dave)
    dialog.get_by_role("button", name="OK").click()
    expect(table.get_by_role("row")).to_have_count(3)

    page.get_by_role("link", name="Delete All").click()
    dialog = page.get_by_role("dialog", name="Delete All Tenants")
    expect(dialog).to_contain_text("with all 2 projects?")
    dialog.get_by_role("button", name="OK").click()
    expect(page.get_by_text("This image is not shared with any project.")).to_be_visible()
    assert not ImageMember.objects.filter(image__name="monitoring-grafana-debian12").exists()


def test_the_share_dialog_keyboard_escape_closes_and_focus_returns(page: Page, console):
    console(page, "alice")
    page.get_by_role("checkbox", name=re.compile("^Select ")).nth(1).check()
    share = page.get_by_role("button", name="Share (1)")
    share.click()
    dialog = page.get_by_role("dialog", name="Share Image")
    expect(dialog.get_by_label("Project ID")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(share).to_be_focused()


def test_deleting_a_shared_image_warns_how_many_recipients_lose_it(page: Page, console):
    console(page, "alice")
    search(page, "api-gateway", 1)
    row_of(page, "api-gateway-debian12").get_by_role("button", name="More").click()
    page.get_by_role("menuitem", name="Delete").click()
    dialog = page.get_by_role("dialog", name="Delete Image")
    expect(dialog).to_contain_text("It is shared with 1 project, which will lose it:")
    dialog.get_by_role("button", name="OK").click()
    expect(page.get_by_role("status")).to_contain_text("Deleted image “api-gateway-debian12”.")
    assert not ImageMember.objects.filter(image__name="api-gateway-debian12").exists()
