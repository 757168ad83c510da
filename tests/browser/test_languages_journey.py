"""The console in German and in Chinese, in a real browser (issue 22): a browser that asks for the language gets it
from the login page on; an owner shares with an error and then successfully, the recipient accepts, the owner reads
Activity, every screen axe-clean; the language menu works with the keyboard and its choice follows the user; and the
README's screenshots of Private Images in German and in Chinese."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from images.models import Image
from ims_console.identity.models import Profile, Project
from sharing.models import ImageMember
from tests.browser.conftest import DEMO_PASSWORD
from tests.browser.test_accessibility import violations

pytestmark = pytest.mark.browser

# What each screen says, in the words of the catalogues (locale/), for finding things as a user would.
WORDS = {
    "de": {
        "locale": "de-DE", "login": "Bei der IMS-Konsole anmelden", "username": "Benutzername", "password": "Passwort",
        "log_in": "Anmelden", "service": "Image Management Service", "search": "Nach Name oder ID suchen",
        "more": "Weitere Aktionen für {}", "share": "Freigeben", "share_dialog": "Image freigeben",
        "project_id": "Projekt-ID", "ok": "OK", "bad_id": "ist keine Projekt-ID", "shared": "freigegeben",
        "lists": "Image-Listen", "shared_with_me": "Für mich freigegebene Images", "view_pending": "Ausstehende Images anzeigen",
        "accept": "{} annehmen", "accept_dialog": "Image annehmen", "accepted": "angenommen",
        "activity": "Aktivität", "language": "Sprache: Deutsch", "private": "Private Images",
    },
    "zh-hans": {
        "locale": "zh-CN", "login": "登录 IMS控制台", "username": "用户名", "password": "密码", "log_in": "登录",
        "service": "镜像服务", "search": "按名称或ID搜索", "more": "{} 的更多操作", "share": "共享",
        "share_dialog": "共享镜像", "project_id": "项目ID", "ok": "确定", "bad_id": "不是项目ID", "shared": "共享给",
        "lists": "镜像列表", "shared_with_me": "共享镜像", "view_pending": "查看待接受的镜像", "accept": "接受 {}",
        "accept_dialog": "接受镜像", "accepted": "已接受", "activity": "操作记录", "language": "语言: 简体中文",
        "private": "私有镜像",
    },
}


def _browser_in(browser: Browser, language: str) -> Page:
    context = browser.new_context(locale=WORDS[language]["locale"], viewport={"width": 1280, "height": 900},
                                  timezone_id="Europe/Berlin")
    return context.new_page()


def _log_in(page: Page, url: str, username: str, words: dict) -> None:
    page.goto(url + "/")
    expect(page.get_by_role("heading", name=words["login"])).to_be_visible()
    assert violations(page) == []
    page.get_by_label(words["username"]).fill(username)
    page.get_by_label(words["password"]).fill(DEMO_PASSWORD)
    page.get_by_role("button", name=words["log_in"], exact=True).click()
    expect(page.get_by_role("heading", name=words["service"])).to_be_visible()
    # The page's scripts (htmx, the JavaScript catalog, console.js) have run: a test acts as a user would.
    page.wait_for_load_state()


@pytest.mark.parametrize("language", ["de", "zh-hans"])
def test_share_with_an_error_then_share_accept_and_read_activity_in_the_users_language(
    browser: Browser, live_server, demo, language
):
    words = WORDS[language]
    image = Image.objects.filter(project__name="eu-de_acme", members__isnull=True, image_type="system",
                                 status="active", key__isnull=True).order_by("name").first()
    assert image is not None, "the demo has an unshared, shareable image"
    bob_project = Project.objects.get(name="eu-de_globex")

    owner = _browser_in(browser, language)
    _log_in(owner, live_server.url, "alice", words)
    expect(owner.locator("html")).to_have_attribute("lang", language)
    assert violations(owner) == []
    owner.get_by_role("searchbox", name=words["search"]).fill(image.name)
    owner.get_by_role("button", name=words["more"].format(image.name)).click()
    owner.get_by_role("menuitem", name=words["share"], exact=True).click()
    dialog = owner.get_by_role("dialog", name=words["share_dialog"])
    dialog.get_by_label(words["project_id"]).fill("not-a-project")
    dialog.get_by_role("button", name=words["ok"]).click()
    problem = dialog.get_by_text(re.compile(words["bad_id"]))
    expect(problem).to_be_visible()
    expect(dialog.locator(".field-error")).to_contain_text("IMG.0067")
    expect(dialog.locator(".field-error")).to_contain_text("not-a-project")
    assert violations(owner) == []
    assert not ImageMember.objects.filter(image=image).exists()
    dialog.get_by_label(words["project_id"]).fill(bob_project.id)
    dialog.get_by_role("button", name=words["ok"]).click()
    expect(owner.get_by_role("status")).to_contain_text(words["shared"])
    assert ImageMember.objects.filter(image=image, project_id=bob_project.id, status="pending").exists()

    recipient = _browser_in(browser, language)
    _log_in(recipient, live_server.url, "bob", words)
    recipient.get_by_role("navigation", name=words["lists"]).get_by_role("link", name=words["shared_with_me"]).click()
    recipient.get_by_role("link", name=words["view_pending"]).click()
    assert violations(recipient) == []
    recipient.get_by_role("link", name=words["accept"].format(image.name)).click()
    accept = recipient.get_by_role("dialog", name=words["accept_dialog"])
    expect(accept).to_be_visible()
    assert violations(recipient) == []
    accept.get_by_role("button", name=words["ok"]).click()
    expect(recipient.get_by_role("status")).to_contain_text(words["accepted"])
    assert ImageMember.objects.get(image=image, project_id=bob_project.id).status == "accepted"

    owner.goto(live_server.url + "/activity/")
    expect(owner.get_by_role("heading", name=words["activity"], exact=True)).to_be_visible()
    expect(owner.locator("#activity tbody tr").first).to_contain_text(words["share"])
    assert violations(owner) == []
    owner.context.close()
    recipient.context.close()


def test_the_language_menu_works_with_the_keyboard_and_follows_the_user(browser: Browser, live_server, demo):
    page = _browser_in(browser, "de")
    _log_in(page, live_server.url, "alice", WORDS["de"])
    menu_button = page.get_by_role("button", name=WORDS["de"]["language"])
    menu_button.focus()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("menuitem", name="English")).to_be_visible()
    page.keyboard.press("ArrowDown")  # Deutsch, the current one
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("menuitem", name="简体中文")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("heading", name="镜像服务")).to_be_visible()
    assert Profile.objects.get(user__username="alice").language == "zh-hans"
    page.context.close()

    elsewhere = _browser_in(browser, "de")  # another browser that asks for German
    _log_in(elsewhere, live_server.url, "alice", {**WORDS["de"], "service": "镜像服务"})
    expect(elsewhere.locator("html")).to_have_attribute("lang", "zh-hans")
    elsewhere.context.close()


@pytest.mark.parametrize("language,name", [("de", "private-images-de.png"), ("zh-hans", "private-images-zh.png")])
def test_screenshot_of_private_images_in_german_and_chinese_for_the_readme(browser: Browser, live_server, demo,
                                                                          tmp_path, language, name):
    """Writes docs/private-images-de.png and -zh.png when IMS_SCREENSHOTS names a folder (`make screenshots`)."""
    page = _browser_in(browser, language)
    _log_in(page, live_server.url, "alice", WORDS[language])
    expect(page.locator("#image-list tbody tr").first).to_be_visible()
    folder = Path(os.environ.get("IMS_SCREENSHOTS") or tmp_path)
    page.screenshot(path=str(folder / name), full_page=True)
    assert (folder / name).stat().st_size > 10_000
    page.context.close()
