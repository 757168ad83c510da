"""Alice and Carol use Private Images the way a person does, in headless Chromium."""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from images.models import Image
from tests.browser.conftest import log_in_without_javascript

pytestmark = pytest.mark.browser


def rows(page: Page):
    return page.locator(".list tbody tr")


def first_image_name(page: Page) -> str:
    return rows(page).first.get_by_role("link").first.inner_text()


def row_of(page: Page, name: str):
    return rows(page).filter(has=page.get_by_role("link", name=name, exact=True))


def test_alice_pages_filters_searches_sorts_and_opens_details(page: Page, console):
    console(page, "alice")
    expect(rows(page)).to_have_count(10)
    expect(page.get_by_text("Total Records: 44")).to_be_visible()
    expect(page.get_by_text("Page 1 of 5")).to_be_visible()
    first_name = first_image_name(page)

    page.get_by_role("link", name="Next").click()
    expect(page).to_have_url(re.compile(r"after="))
    expect(rows(page).first.get_by_role("link", name=first_name, exact=True)).to_have_count(0)
    expect(page.get_by_text("Page 2 of 5")).to_be_visible()
    page.get_by_role("link", name="Previous").click()
    expect(rows(page).first.get_by_role("link", name=first_name, exact=True)).to_be_visible()
    expect(page.get_by_text("Page 1 of 5")).to_be_visible()

    page.get_by_label("Image type").select_option(label="Data disk image")
    expect(page).to_have_url(re.compile(r"image_type=data"))
    expect(page.get_by_text("Total Records: 8")).to_be_visible()
    expect(page.get_by_text("Page 1 of 1")).to_be_visible()
    for text in rows(page).locator("td:nth-child(6)").all_inner_texts():
        assert text == "Data disk image"
    page.get_by_label("Image type").select_option(label="All images")

    page.get_by_role("searchbox", name="Search by name").fill("web-frontend")
    expect(rows(page)).to_have_count(2)
    expect(page).to_have_url(re.compile(r"name=web-frontend"))
    page.reload()
    expect(rows(page)).to_have_count(2)
    expect(page.get_by_role("searchbox", name="Search by name")).to_have_value("web-frontend")
    page.get_by_role("searchbox", name="Search by name").fill("")
    expect(rows(page)).to_have_count(10)

    page.get_by_role("columnheader", name="Created").get_by_role("link").click()
    expect(page.get_by_role("columnheader", name="Created")).to_have_attribute("aria-sort", "ascending")
    expect(rows(page).first).to_contain_text("web-frontend-ubuntu2204")
    page.get_by_role("columnheader", name="Created").get_by_role("link").click()
    expect(page.get_by_role("columnheader", name="Created")).to_have_attribute("aria-sort", "descending")
    expect(rows(page).first).to_contain_text("data-secrets-enc-custom")

    page.get_by_label("Rows per page").select_option("50")
    expect(rows(page)).to_have_count(44)

    page.get_by_role("link", name="postgres-16-rocky9", exact=True).click()
    expect(page.get_by_role("heading", name="postgres-16-rocky9")).to_be_visible()
    expect(page.get_by_text("PostgreSQL 16 with tuned kernel settings.")).to_be_visible()
    expect(page.get_by_text("Rocky Linux 9.4 64bit")).to_be_visible()


def test_a_search_typed_before_the_scripts_ran_still_filters_the_list(page: Page, console):
    """On a slow line the JavaScript catalog (and so console.js and htmx's start) comes late; what the user typed
    into the search box and picked as OS type meanwhile still filters the list once they run. The delay is a route in
    the browser: the live server cannot be made slow for one URL."""
    console(page, "alice")
    released = []

    def slow_catalog(route):
        page.wait_for_timeout(800)
        released.append(route.request.url)
        route.continue_()

    page.route("**/jsi18n/**", slow_catalog)
    page.goto(page.url, wait_until="commit")
    page.get_by_role("searchbox", name="Search by name").fill("redis")
    page.get_by_label("OS type").select_option("Linux")
    expect(rows(page)).to_have_count(1)
    expect(rows(page)).to_contain_text("redis-7-debian12")
    assert released, "the catalog was not held back: the test did not type before the scripts ran"
    expect(page).to_have_url(re.compile(r"name=redis"))


def test_a_slow_refresh_of_the_list_does_not_undo_a_newer_search(page: Page, console):
    """A refresh of the list (the Refresh button, or what a share sets off) that is still on its way when the user
    searches must not land after the search and put the old rows back: the search replaces it. The refresh is held
    back by a route in the browser, as a far cloud would hold it."""
    console(page, "alice")
    held = []

    def slow_refresh(route):
        if route.request.headers.get("hx-trigger") == "image-list":
            held.append(route.request.url)
            page.wait_for_timeout(1500)
        with contextlib.suppress(PlaywrightError):  # the browser gave the request up: nothing left to answer
            route.continue_()

    page.route("**/images/?*", slow_refresh)
    page.get_by_role("link", name="Refresh the list").click()
    page.get_by_role("searchbox", name="Search by name").fill("redis")
    expect(rows(page)).to_have_count(1)
    page.wait_for_timeout(2000)
    assert held, "no refresh was held back: the test did not race the search against one"
    expect(rows(page)).to_have_count(1)
    expect(rows(page)).to_contain_text("redis-7-debian12")


def test_alice_modifies_a_name_and_sees_it_in_the_list(page: Page, console):
    console(page, "alice")
    page.get_by_role("searchbox", name="Search by name").fill("redis")
    expect(rows(page)).to_have_count(1)
    modify = row_of(page, "redis-7-debian12").get_by_role("link", name="Modify")
    modify.click()
    dialog = page.get_by_role("dialog", name="Modify Image")
    expect(dialog).to_be_visible()
    name = dialog.get_by_label("Name")
    expect(name).to_be_focused()
    expect(name).to_have_value("redis-7-debian12")

    name.fill("redis/7")
    dialog.get_by_role("button", name="OK").click()
    expect(dialog.get_by_text("“redis/7” contains '/', which a name cannot contain")).to_be_visible()
    expect(dialog.get_by_label("Name")).to_be_focused()
    assert Image.objects.filter(name="redis-7-debian12").exists()

    dialog.get_by_label("Name").fill("redis-7-cache")
    dialog.get_by_role("button", name="OK").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("status")).to_contain_text("Image “redis-7-cache” was modified.")
    page.get_by_role("searchbox", name="Search by name").fill("redis-7-cache")
    expect(row_of(page, "redis-7-cache")).to_have_count(1)


def test_the_dialog_closes_with_escape_and_gives_focus_back(page: Page, console):
    console(page, "alice")
    opener = rows(page).first.get_by_role("link", name="Modify")
    opener.click()
    expect(page.get_by_role("dialog", name="Modify Image")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog", name="Modify Image")).to_be_hidden()
    expect(opener).to_be_focused()


def test_alice_deletes_one_image_from_more_and_two_from_the_toolbar(page: Page, console):
    console(page, "alice")
    target = rows(page).first
    name = target.get_by_role("link").first.inner_text()
    target.get_by_role("button", name="More").click()
    menu = page.get_by_role("menu")
    expect(menu.get_by_role("menuitem", name="Export")).to_have_attribute("aria-disabled", "true")
    menu.get_by_role("menuitem", name="Delete").click()
    dialog = page.get_by_role("dialog", name="Delete Image")
    expect(dialog).to_contain_text(f"Are you sure you want to delete image {name}?")
    dialog.get_by_role("button", name="OK").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_text("Total Records: 43")).to_be_visible()
    expect(page.get_by_role("link", name=name, exact=True)).to_have_count(0)
    assert not Image.objects.filter(name=name).exists()

    delete = page.get_by_role("button", name="Delete", exact=True)
    expect(delete).to_be_disabled()
    picked = [rows(page).nth(i).get_by_role("link").first.inner_text() for i in (0, 1)]
    for picked_name in picked:
        page.get_by_role("checkbox", name=f"Select {picked_name}").check()
    expect(page.get_by_text("2 selected")).to_be_visible()
    expect(delete).to_be_enabled()
    delete.click()
    dialog = page.get_by_role("dialog", name="Delete Image")
    expect(dialog).to_contain_text("delete these 2 images?")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    assert Image.objects.filter(name__in=picked).count() == 2
    delete.click()
    page.get_by_role("dialog", name="Delete Image").get_by_role("button", name="OK").click()
    expect(page.get_by_text("Total Records: 41")).to_be_visible()
    assert not Image.objects.filter(name__in=picked).exists()


def test_alice_switches_to_eu_nl_opens_my_credentials_and_logs_out(page: Page, console):
    console(page, "alice")
    selector = page.get_by_label("Project", exact=True)
    # Choosing in the selector (with the mouse or the arrow keys) does not switch by itself (WCAG 3.2.2).
    selector.focus()
    page.keyboard.press("ArrowDown")
    selector.select_option(label="EU-Netherlands · eu-nl_acme")
    page.wait_for_timeout(300)
    expect(page.get_by_text("Total Records: 44")).to_be_visible()
    expect(page.get_by_role("banner")).to_contain_text("EU-Germany")
    page.get_by_role("button", name="Switch").click()
    expect(page.get_by_role("status")).to_have_text("Switched to project eu-nl_acme (EU-Netherlands).")
    expect(page.get_by_role("link", name="nl-web-ubuntu2404")).to_be_visible()
    expect(page.get_by_text("Total Records: 4")).to_be_visible()
    expect(page.get_by_role("link", name="web-frontend-ubuntu2204")).to_have_count(0)

    page.get_by_role("button", name="alice").click()
    page.get_by_role("menuitem", name="My Credentials").click()
    expect(page.get_by_role("heading", name="My Credentials")).to_be_visible()
    table = page.get_by_role("table")
    expect(table.get_by_role("row")).to_have_count(3)
    expect(table).to_contain_text("eu-de_acme")
    expect(table).to_contain_text("eu-nl_acme")

    page.get_by_role("button", name="alice").click()
    page.get_by_role("menuitem", name="Log Out").click()
    expect(page.get_by_role("heading", name="Log in to IMS Console")).to_be_visible()


def test_carol_read_only_sees_the_list_without_write_controls(page: Page, console):
    console(page, "carol")
    expect(rows(page)).to_have_count(10)
    expect(page.get_by_role("link", name="Modify")).to_have_count(0)
    expect(page.get_by_role("button", name="Delete", exact=True)).to_have_count(0)
    rows(page).first.get_by_role("button", name="More").click()
    expect(page.get_by_role("menuitem", name="Delete")).to_have_count(0)
    expect(page.get_by_role("menuitem", name="Export")).to_be_visible()


def test_screenshot_of_private_images_for_the_readme(page: Page, console, tmp_path):
    """Writes docs/private-images.png when IMS_SCREENSHOTS names a folder (`make screenshots`)."""
    console(page, "alice")
    expect(rows(page)).to_have_count(10)
    folder = Path(os.environ.get("IMS_SCREENSHOTS") or tmp_path)
    path = folder / "private-images.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000


def test_without_javascript_filters_modify_and_delete_still_work(browser, live_server, demo):
    context, page = log_in_without_javascript(browser, live_server, "alice")

    page.get_by_role("searchbox", name="Search by name").fill("redis")
    page.get_by_role("button", name="Search").click()
    expect(rows(page)).to_have_count(1)

    # The row's More is a page of its own without JavaScript, with the reasons for what is not available.
    row_of(page, "redis-7-debian12").get_by_role("button", name="More actions for redis-7-debian12").click()
    expect(page.get_by_role("heading", name="More actions for redis-7-debian12")).to_be_visible()
    expect(page.get_by_text("Exporting to Object Storage is not part of this console.").last).to_be_visible()
    page.get_by_role("link", name="Share", exact=True).click()
    expect(page.get_by_role("heading", name="Share Image")).to_be_visible()
    page.go_back()
    page.go_back()

    row_of(page, "redis-7-debian12").get_by_role("link", name="Modify").click()
    page.get_by_label("Name").fill("redis-no-js")
    page.get_by_role("button", name="OK").click()
    expect(page.get_by_role("heading", name="redis-no-js")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Image “redis-no-js” was modified.")

    page.get_by_role("link", name="Private Images").first.click()
    page.get_by_role("searchbox", name="Search by name").fill("redis")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("checkbox", name="Select redis-no-js").check()
    page.get_by_role("button", name="Delete", exact=True).click()
    expect(page.get_by_text("Are you sure you want to delete image redis-no-js?")).to_be_visible()
    page.get_by_role("button", name="OK").click()
    expect(page.get_by_role("status")).to_contain_text("Deleted image “redis-no-js”.")
    assert not Image.objects.filter(name="redis-no-js").exists()
    context.close()


def test_alice_modifies_and_deletes_from_the_details_page(page: Page, console):
    console(page, "alice")
    page.get_by_role("link", name="data-ml-training-set", exact=True).or_(
        page.get_by_role("link", name="data-secrets-enc-custom", exact=True)
    ).first.click()
    heading = page.get_by_role("heading", level=1)
    name = heading.inner_text()
    page.get_by_role("link", name="Modify").click()
    dialog = page.get_by_role("dialog", name="Modify Image")
    dialog.get_by_label("Description").fill("Checked by alice.")
    dialog.get_by_role("button", name="OK").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_text("Checked by alice.")).to_be_visible()

    page.get_by_role("link", name="Delete").click()
    dialog = page.get_by_role("dialog", name="Delete Image")
    expect(dialog).to_contain_text(f"delete image {name}?")
    dialog.get_by_role("button", name="OK").click()
    expect(page.get_by_role("heading", name="Image Management Service")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text(f"Deleted image “{name}”.")
    assert not Image.objects.filter(name=name).exists()


def test_the_more_menu_works_from_the_keyboard(page: Page, console):
    console(page, "alice")
    more = rows(page).first.get_by_role("button", name="More")
    more.focus()
    page.keyboard.press("Enter")
    menu = page.get_by_role("menu")
    expect(more).to_have_attribute("aria-expanded", "true")
    expect(menu.get_by_role("menuitem", name="Share")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(menu.get_by_role("menuitem", name="Replicate")).to_be_focused()
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    expect(menu.get_by_role("menuitem", name="Delete")).to_be_focused()
    page.keyboard.press("Escape")
    expect(more).to_be_focused()
    expect(more).to_have_attribute("aria-expanded", "false")
    # Space opens it too (the More button is a link to the actions page, with the role of a button).
    page.keyboard.press(" ")
    expect(menu.get_by_role("menuitem", name="Share")).to_be_focused()
    page.keyboard.press("Escape")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog", name="Delete Image")).to_be_visible()
    page.keyboard.press("Escape")
    expect(more).to_be_focused()


CONSOLE_JS = re.compile(r".*/js/console(\.[0-9a-f]+)?\.js$")


def test_a_click_made_before_the_pages_scripts_ran_opens_the_dialog_in_place_once_they_have(page: Page, console, live_server):
    """On a slow network the list is there before its (deferred) scripts: Modify clicked then opens its dialog over
    the list when they arrive, as on a loaded page, rather than leaving for the page without JavaScript."""
    console(page, "alice")
    held = []
    page.route(CONSOLE_JS, lambda route: held.append(route))  # console.js is on its way while the test holds it
    page.goto(live_server.url + "/images/?name=redis-7-debian12", wait_until="commit")
    row_of(page, "redis-7-debian12").get_by_role("link", name="Modify").click()
    expect(page.get_by_role("dialog", name="Modify Image")).to_have_count(0)
    assert held, "console.js was asked for"
    held[0].continue_()
    expect(page.get_by_role("dialog", name="Modify Image")).to_be_visible()
    assert page.url.endswith("/images/?name=redis-7-debian12")
    expect(page.get_by_role("dialog", name="Modify Image").get_by_label("Name")).to_have_value("redis-7-debian12")


def test_a_click_held_for_scripts_that_never_arrive_goes_through_when_the_page_has_loaded(page: Page, console, live_server):
    console(page, "alice")
    held = []
    page.route(CONSOLE_JS, lambda route: held.append(route))
    page.goto(live_server.url + "/images/?name=redis-7-debian12", wait_until="commit")
    row_of(page, "redis-7-debian12").get_by_role("link", name="Modify").click()
    held[0].abort()
    # The page without JavaScript's own Modify page, which works as it is.
    expect(page).to_have_url(re.compile(r"/images/[0-9a-f-]{36}/modify/$"))
    expect(page.get_by_label("Name")).to_have_value("redis-7-debian12")
