"""The Share dialog fixes its own problems in one click (issue 12, point 2): drop the ticked images that cannot be
shared, drop the typed IDs a refusal named; the hint links to My Credentials. A fix shares nothing by itself."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from sharing.models import ImageMember
from tests.conftest import snapshot
from tests.factories import ImageFactory

pytestmark = pytest.mark.django_db
SHARE = reverse("sharing:share")
HTMX = {"HX-Request": "true", "HX-Target": "modal"}


def hidden_image_ids(html: str) -> list[str]:
    return re.findall(r'<input type="hidden" name="image_id" value="([^"]+)">', html)


def test_the_images_that_cannot_be_shared_are_removed_in_one_click_and_nothing_is_shared(owner):
    good = ImageFactory(project=owner.project, name="web")
    creating = ImageFactory(project=owner.project, name="still-creating", creating=True)
    failed = ImageFactory(project=owner.project, name="broken", error=True)
    ids = [str(good.pk), str(creating.pk), str(failed.pk)]
    html = owner.client.post(SHARE, {"image_id": ids, "open": "1"}, headers=HTMX).content.decode()
    assert "Remove the 2 images that cannot be shared" in html and "share the other 1 image" in html
    before = snapshot()

    response = owner.client.post(SHARE, {"image_id": ids, "tab": "share", "drop": "images", "project_ids": "abc"},
                                 headers=HTMX)

    html = response.content.decode()
    assert hidden_image_ids(html) == [str(good.pk)]
    assert "still-creating" not in html and "Remove the" not in html
    assert ">abc</textarea>" in html  # what was typed stays
    assert snapshot() == before


def test_when_no_image_can_be_shared_ok_is_disabled_and_says_why(owner):
    creating = ImageFactory(project=owner.project, creating=True)
    html = owner.client.get(SHARE, {"image_id": creating.pk}, headers=HTMX).content.decode()
    assert "This image cannot be shared: see why above." in html
    assert '<button type="submit" class="btn btn-primary" disabled aria-describedby="nothing-shareable">OK</button>' in html
    assert "Remove the" not in html


def test_the_ids_a_refusal_named_are_removed_in_one_click_then_ok_shares_with_the_rest(owner, recipient):
    image = ImageFactory(project=owner.project)
    typed = f"{recipient.project.id}, xyz,\n{owner.project.id} {'0' * 32}"
    refused = owner.client.post(SHARE, {"image_id": image.pk, "tab": "share", "project_ids": typed}, headers=HTMX)
    html = refused.content.decode()
    assert "Remove the 3 IDs that cannot be used" in html
    before = snapshot()

    refused_ids = re.findall(r'name="refused_id" value="([^"]+)"', html)
    cleaned = owner.client.post(SHARE, {"image_id": image.pk, "tab": "share", "project_ids": typed, "drop": "ids",
                                        "refused_id": refused_ids}, headers=HTMX)

    html = cleaned.content.decode()
    assert f">{recipient.project.id}</textarea>" in html and "Remove the" not in html
    assert snapshot() == before
    done = owner.client.post(SHARE, {"image_id": image.pk, "tab": "share", "project_ids": recipient.project.id},
                             headers=HTMX)
    assert "Shared 1 image with 1 project." in done.content.decode()
    assert ImageMember.objects.filter(image=image, project=recipient.project).exists()


def test_add_tenant_removes_the_refused_ids_too(owner, recipient):
    image = ImageFactory(project=owner.project)
    url = reverse("sharing:members_add", args=[image.pk])
    html = owner.client.post(url, {"project_ids": f"nope {recipient.project.id}"}, headers=HTMX).content.decode()
    assert "Remove the ID that cannot be used" in html
    before = snapshot()
    html = owner.client.post(url, {"project_ids": f"nope {recipient.project.id}", "drop": "ids", "refused_id": "nope"},
                             headers=HTMX).content.decode()
    assert f">{recipient.project.id}</textarea>" in html
    assert snapshot() == before


def test_the_hint_links_to_my_credentials(owner):
    image = ImageFactory(project=owner.project)
    html = owner.client.get(SHARE, {"image_id": image.pk}, headers=HTMX).content.decode()
    assert f'The recipient finds its project ID under <a href="{reverse("my_credentials")}">My Credentials</a>.' in html


def test_a_read_only_user_cannot_use_the_fixes(owner, readonly):
    image = ImageFactory(project=owner.project)
    before = snapshot()
    response = readonly.client.post(SHARE, {"image_id": image.pk, "tab": "share", "drop": "ids", "project_ids": "x"})
    assert response.status_code == 403
    assert snapshot() == before
