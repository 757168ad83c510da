"""Defects found in the browser (issue 8, item 8) and the selection limits (item 4), clicked through in Chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from images.models import Image
from ims_console.identity.models import Project
from sharing.models import ImageMember
from tests.factories import ImageFactory

pytestmark = pytest.mark.browser


def rows(page: Page):
    return page.locator(".list tbody tr")


def errors_of(page: Page) -> list[str]:
    found: list[str] = []
    page.on("pageerror", lambda error: found.append(str(error)))
    return found


def test_the_sharing_tab_count_follows_add_tenant_and_delete_all(page: Page, console):
    console(page, "alice")
    globex = Project.objects.get(name="eu-de_globex").id
    page.get_by_role("searchbox", name="Search by name").fill("redis-7")
    expect(rows(page)).to_have_count(1)
    page.get_by_role("link", name="redis-7-debian12").click()
    page.get_by_role("link", name="Sharing").click()
    tab = page.get_by_role("navigation", name="Image details").get_by_role("link", name="Sharing")
    expect(tab).to_have_text("Sharing")

    page.get_by_role("link", name="Add Tenant").click()
    dialog = page.get_by_role("dialog", name="Add Tenant")
    dialog.get_by_label("Project ID").fill(globex)
    dialog.get_by_role("button", name="OK").click()
    expect(page.get_by_text("Shared with 1 project.")).to_be_visible()
    expect(tab).to_have_text("Sharing 1")

    page.get_by_role("link", name="Delete All").click()
    page.get_by_role("dialog", name="Delete All Tenants").get_by_role("button", name="OK").click()
    expect(page.get_by_text("Shared with 0 projects.")).to_be_visible()
    expect(tab).to_have_text("Sharing")


def test_next_then_back_restores_the_list_without_a_script_error(page: Page, console):
    errors = errors_of(page)
    console(page, "alice")
    first = rows(page).first.get_by_role("link").first.inner_text()
    page.get_by_role("link", name="Next").click()
    expect(rows(page).first.get_by_role("link").first).not_to_have_text(first)
    page.go_back()
    expect(rows(page).first.get_by_role("link").first).to_have_text(first)
    page.get_by_role("checkbox", name=f"Select {first}").check()
    expect(page.get_by_role("button", name="Share (1)")).to_be_enabled()
    assert errors == []


def test_switching_project_on_an_image_page_says_why_you_land_on_private_images(page: Page, console):
    console(page, "alice")
    name = rows(page).first.get_by_role("link").first.inner_text()
    rows(page).first.get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    page.get_by_label("Project", exact=True).select_option(label="EU-Netherlands · eu-nl_acme")
    page.get_by_role("button", name="Switch").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Switched to project eu-nl_acme (EU-Netherlands). The page you were on belongs to project eu-de_acme"
    )
    expect(page.get_by_role("link", name="nl-web-ubuntu2404")).to_be_visible()


def test_replicating_a_shared_encrypted_image_without_an_own_key_says_so_up_front(page: Page, console):
    name = "payments-rocky9-enc-custom"
    ImageMember.objects.filter(image__name=name, project__name="eu-de_globex").update(status="accepted")
    console(page, "bob")
    page.get_by_role("link", name="Images Shared with Me").click()
    page.get_by_role("link", name=f"Replicate {name}").click()
    dialog = page.get_by_role("dialog", name="Replicate Image")
    expect(dialog.get_by_role("note")).to_contain_text("this project has no enabled custom key")
    expect(dialog.get_by_role("button", name="OK")).to_be_disabled()
    dialog.get_by_role("link", name="Create a key under KMS Keys").click()
    expect(page.get_by_role("heading", name="KMS Keys")).to_be_visible()


def test_grant_messages_name_the_account(page: Page, console):
    console(page, "alice")
    page.get_by_role("link", name="KMS Keys").click()
    page.get_by_role("link", name="acme/prod-images").click()
    initech = Project.objects.get(name="eu-de_initech").account
    page.get_by_role("link", name="Create Grant").click()
    dialog = page.get_by_role("dialog", name="Create Grant")
    dialog.get_by_label("Account ID").fill(initech.id)
    dialog.get_by_role("button", name="OK").click()
    expect(page.get_by_role("status")).to_have_text(f"Granted acme/prod-images to account initech ({initech.id}).")


def test_notices_are_dismissible_and_end_when_the_next_action_starts(page: Page, console):
    console(page, "alice")
    globex = Project.objects.get(name="eu-de_globex").id
    page.get_by_role("searchbox", name="Search by name").fill("redis-7")
    expect(rows(page)).to_have_count(1)
    for attempt in range(2):
        page.get_by_role("button", name="More actions for redis-7-debian12").click()
        page.get_by_role("menuitem", name="Share").click()
        dialog = page.get_by_role("dialog", name="Share Image")
        if attempt == 1:
            expect(page.locator("#notices")).to_be_empty()
        dialog.get_by_label("Project ID").fill(f"{globex} {globex} {globex}")
        dialog.get_by_role("button", name="OK").click()
        expect(dialog).to_be_hidden()
        # The list refreshes after a share; wait for it before opening the menu again.
        expect(page.get_by_role("link", name="Shared with 1 project")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text(
        f"Nothing new: that pair was already shared; {globex} was entered 3 times and counted once."
    )
    page.get_by_role("button", name="Dismiss this message").click()
    expect(page.locator("#notices")).to_be_empty()


def test_a_hundred_ticked_rows_open_share_and_delete(page: Page, console):
    alice_project = Project.objects.get(name="eu-de_acme")
    ImageFactory.create_batch(60, project=alice_project)
    console(page, "alice")
    page.get_by_label("Rows per page").select_option("100")
    expect(rows(page)).to_have_count(100)
    page.get_by_role("checkbox", name="Select all images on this page").check()
    page.get_by_role("button", name="Share (100)").click()
    dialog = page.get_by_role("dialog", name="Share Image")
    expect(dialog.locator("tbody tr")).to_have_count(100)
    dialog.get_by_role("tab", name="Stop Sharing").click()
    expect(dialog.get_by_role("tab", name="Stop Sharing")).to_have_attribute("aria-selected", "true")
    dialog.get_by_role("button", name="Cancel").click()
    page.get_by_role("button", name="Delete", exact=True).click()
    dialog = page.get_by_role("dialog", name="Delete Image")
    expect(dialog).to_contain_text("Are you sure you want to delete these 100 images?")
    expect(dialog.get_by_role("button", name="OK")).to_be_in_viewport()
    dialog.get_by_role("button", name="Cancel").click()
    assert Image.objects.filter(project=alice_project).count() == 104


def test_a_hundred_unknown_project_ids_are_one_line_and_ok_stays_in_view(page: Page, console):
    import uuid

    console(page, "alice")
    page.get_by_role("button", name="More actions for redis-7-debian12").or_(
        page.get_by_role("button", name="More actions for data-secrets-enc-custom")
    ).first.click()
    page.get_by_role("menuitem", name="Share").click()
    dialog = page.get_by_role("dialog", name="Share Image")
    ids = [uuid.uuid4().hex for _ in range(100)]
    dialog.get_by_label("Project ID").fill("\n".join(ids))
    dialog.get_by_role("button", name="OK").click()
    expect(dialog.get_by_role("alert")).to_contain_text("Nothing was changed.")
    alert = dialog.locator("#project-ids-error")
    expect(alert.get_by_role("listitem")).to_have_count(1)
    expect(alert).to_contain_text("Projects that cannot be found in the current region (eu-de; images are shared only inside their region) (100)")
    expect(dialog.get_by_role("button", name="OK")).to_be_in_viewport()
    expect(dialog.get_by_role("button", name="Cancel")).to_be_in_viewport()
    assert not ImageMember.objects.filter(project_id__in=ids).exists()


def test_five_wrong_passwords_pause_logins_with_a_clear_message(page: Page, live_server, demo):
    page.goto(live_server.url + "/login/")
    for _ in range(5):
        page.get_by_label("Username").fill("alice")
        page.get_by_label("Password").fill("not-the-password")
        page.get_by_role("button", name="Log In").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Too many failed log-ins for this user name or from this address. Log-ins are paused for 15 minutes"
    )
    page.get_by_label("Password").fill("ims-demo")
    page.get_by_role("button", name="Log In").click()
    expect(page.get_by_role("alert")).to_contain_text("Too many failed log-ins")
    expect(page.get_by_role("heading", name="Image Management Service")).to_have_count(0)
