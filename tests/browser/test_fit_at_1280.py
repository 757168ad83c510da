"""IDs and times fit (issue 12, point 5): at 1280 pixels no list scrolls sideways, times stay on one line, long
IDs are shortened visibly with the whole ID on hover and a Copy button, and names do not break mid-word."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from images.models import Image

pytestmark = pytest.mark.browser

LINES = """(selector) => Array.from(document.querySelectorAll(selector)).map((el) => {
  const range = document.createRange(); range.selectNodeContents(el);
  const tops = new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top)));
  return [el.textContent.trim(), tops.size];
})"""


def sideways(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


# Every check below runs in each language: German words are long, Chinese lines short (issue 22).
LANGUAGES = ["en", "de", "zh-hans"]


def in_language(page: Page, live_server, language: str) -> None:
    """After logging in (in English): the rest in `language`, as the language menu's cookie sets it."""
    page.context.add_cookies([{"name": "ims_language", "value": language, "url": live_server.url}])


# Header items that must not overlap or be cut off, and texts that must not be clipped.
HEADER = """() => {
  const items = Array.from(document.querySelectorAll('.topbar > *')).filter((el) => el.offsetParent !== null)
    .map((el) => el.getBoundingClientRect());
  const overlaps = [];
  for (let i = 0; i < items.length; i++) for (let j = i + 1; j < items.length; j++) {
    const a = items[i], b = items[j];
    if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) overlaps.push([i, j]);
  }
  const clipped = Array.from(document.querySelectorAll('button, .btn, th, .tabs a, label'))
    .filter((el) => el.offsetParent !== null && !el.closest('.visually-hidden') && el.scrollWidth > el.clientWidth + 1
      && getComputedStyle(el).overflow !== 'visible')
    .map((el) => el.textContent.trim());
  const measure = document.createElement('canvas').getContext('2d');
  for (const input of document.querySelectorAll('input[placeholder]')) {
    if (input.offsetParent === null) continue;
    const style = getComputedStyle(input);
    measure.font = style.font;
    const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    if (measure.measureText(input.placeholder).width > room + 1) clipped.push(input.placeholder);
  }
  const right = Math.max(...items.map((r) => r.right));
  return {overlaps, clipped, right, width: document.documentElement.clientWidth};
}"""


def assert_header_and_texts_fit(page: Page) -> None:
    found = page.evaluate(HEADER)
    assert found["overlaps"] == [], f"header items overlap: {found['overlaps']}"
    assert found["clipped"] == [], f"texts cut off: {found['clipped']}"
    assert found["right"] <= found["width"], "the header runs past the window"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("user,path", [
    ("alice", "/images/"), ("alice", "/shared/"), ("alice", "/shared/pending/"), ("bob", "/shared/"),
    ("bob", "/shared/rejected/"), ("alice", "/images/keys/"), ("alice", "/credentials/"), ("alice", "/activity/"),
])
def test_lists_fit_1280_pixels_with_times_and_ids_on_one_line(page: Page, console, live_server, user, path, language):
    page.set_viewport_size({"width": 1280, "height": 900})
    console(page, user)
    in_language(page, live_server, language)
    page.goto(live_server.url + path)
    expect(page.locator("html")).to_have_attribute("lang", language)
    assert sideways(page) <= 0
    assert_header_and_texts_fit(page)
    for text, lines in page.evaluate(LINES, "time, td.nowrap, .short-id code, .col-owner .project-name"):
        assert lines == 1, f"{text!r} takes {lines} lines on {path}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_sharing_tab_fits_and_shortened_ids_give_the_whole_id(page: Page, console, live_server, language):
    page.set_viewport_size({"width": 1280, "height": 900})
    console(page, "alice")
    in_language(page, live_server, language)
    image = Image.objects.filter(project__name="eu-de_acme", members__isnull=False).distinct().first()
    assert image is not None, "the demo shares some of acme's images"
    page.goto(f"{live_server.url}/images/{image.pk}/sharing/")
    assert sideways(page) <= 0
    assert_header_and_texts_fit(page)
    short = page.locator(".short-id").first
    member = image.members.order_by("project_id").first()
    assert member is not None
    expect(short).to_have_attribute("title", member.project_id)
    expect(short.locator("code")).not_to_have_text(member.project_id)  # visibly shortened
    expect(short.locator("button.copy-id")).to_have_attribute("data-copy", member.project_id)
    for text, lines in page.evaluate(LINES, "time, td.nowrap, .short-id code"):
        assert lines == 1, f"{text!r} takes {lines} lines"


def test_the_access_keys_list_fits_with_two_keys(page: Page, console, live_server):
    from django.contrib.auth.models import User

    from ims_console.identity import access_keys
    from ims_console.identity.caller import Caller

    page.set_viewport_size({"width": 1280, "height": 900})
    console(page, "alice")
    alice = User.objects.get(username="alice")
    caller = Caller(user_id=alice.pk, username="alice", account_id=alice.membership.account_id, project_id="",
                    role="admin")
    for description in ("release pipeline of the platform team, eu-de and eu-nl", ""):
        access_keys.key_create(caller=caller, description=description)
    page.goto(live_server.url + "/credentials/access-keys/")
    expect(page.locator("#access-keys tbody tr")).to_have_count(2)
    assert sideways(page) <= 0
    for text, lines in page.evaluate(LINES, "time, td.nowrap, code"):
        assert lines == 1, f"{text!r} takes {lines} lines"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("user,dialog_path", [
    ("alice", "/sharing/share/?image_id={own}"), ("alice", "/images/{own}/sharing/delete/?all=1"),
    ("alice", "/images/delete/?image_id={own}"), ("alice", "/images/{own}/replicate/"),
    ("alice", "/shared/status/?status=accepted&all=1"), ("alice", "/images/keys/create/"),
])
def test_dialogs_fit_1280_pixels_in_every_language(page: Page, console, live_server, user, dialog_path, language):
    """Each dialog as its page (the same template the modal shows) and as the modal, opened from a list."""
    page.set_viewport_size({"width": 1280, "height": 900})
    console(page, user)
    in_language(page, live_server, language)
    own = Image.objects.filter(project__name="eu-de_acme", members__isnull=False).distinct().order_by("name").first()
    assert own is not None
    page.goto(live_server.url + dialog_path.format(own=own.pk))
    expect(page.locator("html")).to_have_attribute("lang", language)
    assert sideways(page) <= 0
    assert_header_and_texts_fit(page)
    box = page.locator(".dialog-content").first.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 1280
