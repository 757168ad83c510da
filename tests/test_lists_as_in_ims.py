"""Lists as in IMS (issue 12, point 8): search by name or ID, the image type and OS filters on the shared lists
too, "Page 2 of 5" kept accurate as images come and go, and a Refresh button that works without JavaScript as a
link to the same view."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from images.models import Image
from tests.factories import ImageFactory, ImageMemberFactory
from tests.images.test_private_images import make_images

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


def label(response) -> str:
    return response.context["page"].page_label


def test_the_page_number_and_count_follow_next_and_previous(owner):
    make_images(owner.project, 44)
    url = reverse("images:private")
    first = owner.client.get(url)
    assert label(first) == "Page 1 of 5" and "Page 1 of 5" in first.content.decode()
    page, seen = first.context["page"], []
    while page.next_marker:
        page = owner.client.get(url, {"after": page.next_marker}).context["page"]
        seen.append(page.page_label)
    assert seen == ["Page 2 of 5", "Page 3 of 5", "Page 4 of 5", "Page 5 of 5"]
    back = owner.client.get(url, {"before": page.previous_marker}).context["page"]
    assert back.page_label == "Page 4 of 5"
    # Filters count their own pages.
    assert label(owner.client.get(url, {"name": "img-000"})) == "Page 1 of 1"
    assert label(owner.client.get(url, {"page_size": 20})) == "Page 1 of 3"


def test_the_page_number_stays_true_when_images_come_and_go_before_the_marker(owner):
    images = make_images(owner.project, 44)  # newest first: img-0043 … img-0000
    url = reverse("images:private")
    second = {"after": owner.client.get(url).context["page"].next_marker}
    assert label(owner.client.get(url, second)) == "Page 2 of 5"
    # Three images of page 1 are deleted: page 2 now starts after 7 images, one partial page before it.
    Image.objects.filter(pk__in=[i.pk for i in images[-3:]]).delete()
    assert label(owner.client.get(url, second)) == "Page 2 of 5"
    # Eighteen newer images arrive: 25 images now come before the same page (three pages: 10, 10 and 5).
    newest = images[-1].created_at
    for n in range(18):
        ImageFactory(project=owner.project, name=f"new-{n}", created_at=newest + timedelta(minutes=n + 1))
    page = owner.client.get(url, second).context["page"]
    assert (page.total, page.position) == (59, 25)
    assert page.page_label == "Page 4 of 7"
    # Previous reaches exactly the three pages the label counts.
    previous, pages_before = page, 0
    while previous.previous_marker:
        previous = owner.client.get(url, {"before": previous.previous_marker}).context["page"]
        pages_before += 1
    assert pages_before == 3


def test_beyond_the_counted_rows_the_page_count_says_more(owner):
    ImageFactory.create_batch(1_005, project=owner.project)
    url = reverse("images:private")
    first = owner.client.get(url, {"page_size": 100}).context["page"]
    assert first.page_label == "Page 1 of more than 10"
    second = owner.client.get(url, {"page_size": 100, "after": first.next_marker}).context["page"]
    assert second.page_label == "Page 2 of more than 10"


def test_the_shared_lists_number_their_pages_too(owner, recipient):
    for image in make_images(owner.project, 12):
        ImageMemberFactory(image=image, project=recipient.project, status="pending")
    url = reverse("sharing:shared_pending")
    first = recipient.client.get(url).context["page"]
    assert first.page_label == "Page 1 of 2"
    second = recipient.client.get(url, {"after": first.next_marker})
    assert label(second) == "Page 2 of 2" and "Page 2 of 2" in second.content.decode()
