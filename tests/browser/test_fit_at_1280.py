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


@pytest.mark.parametrize("user,path", [
    ("alice", "/images/"), ("alice", "/shared/"), ("alice", "/shared/pending/"), ("bob", "/shared/"),
    ("bob", "/shared/rejected/"), ("alice", "/images/keys/"), ("alice", "/credentials/"), ("alice", "/activity/"),
])
def test_lists_fit_1280_pixels_with_times_and_ids_on_one_line(page: Page, console, live_server, user, path):
    page.set_viewport_size({"width": 1280, "height": 900})
    console(page, user)
    page.goto(live_server.url + path)
    assert sideways(page) <= 0
    for text, lines in page.evaluate(LINES, "time, td.nowrap, .short-id code, .col-owner .project-name"):
        assert lines == 1, f"{text!r} takes {lines} lines on {path}"


def test_the_sharing_tab_fits_and_shortened_ids_give_the_whole_id(page: Page, console, live_server):
    page.set_viewport_size({"width": 1280, "height": 900})
    console(page, "alice")
    image = Image.objects.filter(project__name="eu-de_acme", members__isnull=False).distinct().first()
    assert image is not None, "the demo shares some of acme's images"
    page.goto(f"{live_server.url}/images/{image.pk}/sharing/")
    assert sideways(page) <= 0
    short = page.locator(".short-id").first
    member = image.members.order_by("project_id").first()
    assert member is not None
    expect(short).to_have_attribute("title", member.project_id)
    expect(short.locator("code")).not_to_have_text(member.project_id)  # visibly shortened
    expect(short.get_by_role("button", name=f"Copy project ID {member.project_id}")).to_be_visible()
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
