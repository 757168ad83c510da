"""Read-only users see no dead controls (issue 12, point 7): no checkboxes without an action, no prompt to accept
what they cannot accept, and a short note that says the role is read-only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import make_persona
from tests.factories import ImageFactory, ImageMemberFactory

pytestmark = pytest.mark.django_db
PAGES = ["images:private", "sharing:shared_with_me", "sharing:shared_pending", "sharing:shared_rejected"]


@pytest.fixture
def lists(owner, recipient):
    ImageFactory(project=recipient.project, name="own-image")
    for status in ("pending", "accepted", "rejected"):
        ImageMemberFactory(image=ImageFactory(project=owner.project, name=f"shared-{status}"),
                           project=recipient.project, status=status)
    return recipient


@pytest.mark.parametrize("name", PAGES)
def test_a_read_only_user_gets_no_checkboxes_and_a_note(lists, name):
    reader = make_persona(account=lists.account, project=lists.project, role="readonly")
    html = reader.client.get(reverse(name)).content.decode()
    assert 'type="checkbox"' not in html
    assert f"Your role in account {lists.account.name} is read-only" in html
    assert "waiting for you to accept" not in html


@pytest.mark.parametrize("name", PAGES)
def test_an_administrator_keeps_the_checkboxes_and_gets_no_note(lists, name):
    html = lists.client.get(reverse(name)).content.decode()
    assert 'type="checkbox"' in html and "is read-only" not in html


def test_the_pending_notice_tells_a_reader_who_can_accept(lists):
    reader = make_persona(account=lists.account, project=lists.project, role="readonly")
    html = reader.client.get(reverse("sharing:shared_with_me")).content.decode()
    assert "waiting for an administrator of the project to accept or reject it." in html
    assert "View Pending Images" in html and "Accept All" not in html
