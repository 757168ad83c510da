"""Lists as in IMS (issue 12, point 8): search by name or ID, the image type and OS filters on the shared lists
too, and a Refresh button that works without JavaScript as a link to the same view."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import ImageFactory, ImageMemberFactory

pytestmark = pytest.mark.django_db


def names(response) -> list[str]:
    return sorted(i.name for i in response.context["page"].items)


def test_a_whole_image_id_finds_that_image_and_a_part_of_a_name_still_searches_names(owner):
    web, _ = ImageFactory(project=owner.project, name="web"), ImageFactory(project=owner.project, name="db")
    assert names(owner.client.get(reverse("images:private"), {"name": str(web.pk).upper()})) == ["web"]
    assert names(owner.client.get(reverse("images:private"), {"name": "we"})) == ["web"]
    # An ID of another project's image finds nothing.
    other = ImageFactory(name="elsewhere")
    assert names(owner.client.get(reverse("images:private"), {"name": str(other.pk)})) == []


def test_the_shared_lists_search_by_id_and_filter_by_image_type_and_os(owner, recipient):
    linux = ImageFactory(project=owner.project, name="linux-sys")
    ImageFactory(project=owner.project, name="win-sys", windows=True)
    ImageFactory(project=owner.project, name="data", data_disk=True)
    for image in owner.project.images.all():
        ImageMemberFactory(image=image, project=recipient.project, status="accepted")
    url = reverse("sharing:shared_with_me")
    assert names(recipient.client.get(url, {"os_type": "Windows"})) == ["win-sys"]
    assert names(recipient.client.get(url, {"image_type": "data"})) == ["data"]
    assert names(recipient.client.get(url, {"name": str(linux.pk)})) == ["linux-sys"]
    html = recipient.client.get(url).content.decode()
    assert 'id="id_image_type"' in html and 'id="id_os_type"' in html


def test_refresh_is_a_link_to_the_same_view_and_names_its_list(owner):
    ImageFactory(project=owner.project, name="web")
    html = owner.client.get(reverse("images:private"), {"name": "we", "page_size": 20}).content.decode()
    assert '<a class="btn" href="/images/?name=we&amp;page_size=20" data-refresh-list="image-list"' in html
