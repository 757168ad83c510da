"""Stop Sharing with care (issue 12, point 6): select all, a search among the recipients, a warning naming those
who accepted; the Delete confirmation names the recipients who lose the image."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from sharing.models import ImageMember
from tests.conftest import make_persona, snapshot
from tests.factories import ImageFactory, ImageMemberFactory

pytestmark = pytest.mark.django_db
SHARE = reverse("sharing:share")
HTMX = {"HX-Request": "true", "HX-Target": "modal"}


def ticked(html: str) -> set[str]:
    return set(re.findall(r'name="project_id" value="([0-9a-f]{32})"[^>]* checked', html))


@pytest.fixture
def shared(owner):
    image = ImageFactory(project=owner.project, name="web")
    people = {}
    for name, status in (("alpha", "accepted"), ("bravo", "pending"), ("charlie", "accepted"), ("delta", "rejected")):
        persona = make_persona()
        persona.project.name = f"eu-de_{name}"
        persona.project.save()
        ImageMemberFactory(image=image, project=persona.project, status=status)
        people[name] = persona
    return image, people


def recipients_table(html: str) -> str:
    return html.split("Projects the selected images are shared with")[1].split("</table>")[0]


def stop_tab(owner, image, **extra) -> str:
    data = {"image_id": image.pk, "open": "stop", **extra}
    return owner.client.post(SHARE, data, headers=HTMX).content.decode()


def test_the_recipients_who_accepted_are_named(owner, shared):
    image, people = shared
    html = stop_tab(owner, image)
    assert "Accepted by eu-de_alpha" in html and "eu-de_charlie" in html.split('id="accepted-note"')[1].split("</p>")[0]
    note = html.split('id="accepted-note"')[1].split("</p>")[0]
    assert "eu-de_bravo" not in note and "eu-de_delta" not in note


def test_ticking_an_accepted_recipient_says_it_will_lose_the_image(owner, shared):
    image, people = shared
    html = stop_tab(owner, image, project_id=[people["alpha"].project.id, people["bravo"].project.id])
    assert "1 of the projects ticked has accepted this image and will lose it:</strong> eu-de_alpha" in html


def test_search_narrows_the_recipients_and_keeps_what_was_ticked(owner, shared):
    image, people = shared
    html = stop_tab(owner, image, recipient_q="CHAR", project_id=[people["alpha"].project.id])
    assert "eu-de_charlie" in recipients_table(html) and "eu-de_bravo" not in recipients_table(html)
    assert "1 of 4 recipients, 1 ticked" in html
    assert f'<input type="hidden" name="project_id" value="{people["alpha"].project.id}">' in html
    by_id = stop_tab(owner, image, recipient_q=people["delta"].project.id[:10])
    assert "eu-de_delta" in recipients_table(by_id) and "eu-de_alpha" not in recipients_table(by_id)
    assert "No recipient matches “zzz”." in stop_tab(owner, image, recipient_q="zzz")


def test_select_all_ticks_every_recipient_shown_and_nothing_is_removed_until_ok(owner, shared):
    image, people = shared
    before = snapshot()
    html = stop_tab(owner, image, open="stop-all")
    assert ticked(html) == {p.project.id for p in people.values()}
    narrowed = stop_tab(owner, image, open="stop-all", recipient_q="ha")  # alpha, charlie
    assert ticked(narrowed) == {people[n].project.id for n in ("alpha", "charlie")}
    assert snapshot() == before

    done = owner.client.post(SHARE, {"image_id": image.pk, "tab": "stop", "project_id": list(ticked(html))}, headers=HTMX)
    assert "Stopped sharing: 4 shares removed." in done.content.decode()
    assert not ImageMember.objects.filter(image=image).exists()


def test_the_delete_confirmation_names_the_recipients_that_lose_the_image(owner, shared):
    image, people = shared
    html = owner.client.get(reverse("images:delete"), {"image_id": image.pk}, headers=HTMX).content.decode()
    listing = html.split('id="losing"')[1].split("</ul>")[0]
    for name in ("alpha", "bravo", "charlie", "delta"):
        assert f"eu-de_{name}" in listing
    assert listing.index("eu-de_alpha") < listing.index("eu-de_bravo")  # those who accepted first
    assert listing.count("accepted: it is in use there") == 2


def test_a_read_only_user_cannot_open_stop_sharing(owner, readonly, shared):
    image, _ = shared
    assert readonly.client.post(SHARE, {"image_id": image.pk, "open": "stop-all"}).status_code == 403
