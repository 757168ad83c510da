from __future__ import annotations

import os

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

DEMO_PASSWORD = "ims-demo"


@pytest.fixture
def demo(transactional_db):
    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", stdout=quiet)


@pytest.fixture
def console(live_server, demo):
    """Log a demo user in and return the page on Private Images."""

    def log_in(page: Page, username: str) -> Page:
        page.goto(live_server.url + "/")
        expect(page.get_by_role("heading", name="Log in to IMS Console")).to_be_visible()
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Log In").click()
        expect(page.get_by_role("heading", name="Image Management Service")).to_be_visible()
        # The page's scripts (htmx, the JavaScript catalog, console.js) have run: a test acts as a user would.
        page.wait_for_load_state()
        return page

    return log_in


@pytest.fixture
def second_page(browser, browser_context_args):
    """A second browser, for a second user at the same time."""
    context = browser.new_context(**browser_context_args)
    yield context.new_page()
    context.close()


def open_share_dialog(page: Page, image_name: str, project_id: str):
    """From Private Images: find the image, More > Share, type the project ID; returns the dialog, not yet sent."""
    page.get_by_role("searchbox", name="Search by name").fill(image_name)
    page.get_by_role("button", name=f"More actions for {image_name}").click()
    page.get_by_role("menuitem", name="Share").click()
    dialog = page.get_by_role("dialog", name="Share Image")
    dialog.get_by_label("Project ID").fill(project_id)
    return dialog


def log_in_without_javascript(browser, live_server, username: str):
    """A browser context with JavaScript off, logged in as a demo user; returns (context, page)."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log In").click()
    return context, page
