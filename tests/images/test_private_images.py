from __future__ import annotations

from datetime import UTC, datetime, timedelta

import factory
import pytest
from django.urls import reverse

from ims_console.core.vocabulary import ImageType, OSType
from tests.factories import ImageFactory, ProjectFactory

pytestmark = pytest.mark.django_db
URL = reverse("images:private")


def names_in(response) -> list[str]:
    return [image.name for image in response.context["page"].items]


def make_images(project, count: int, **kwargs):
    start = datetime(2026, 1, 1, tzinfo=UTC)
    return [
        ImageFactory(project=project, name=f"img-{i:04d}", created_at=start + timedelta(hours=i), **kwargs)
        for i in range(count)
    ]


def test_the_list_shows_the_ims_columns_and_the_images_values(owner):
    ImageFactory(
        project=owner.project, name="web-ubuntu", os_version="Ubuntu 24.04 server 64bit", min_disk=40,
        created_at=datetime(2026, 11, 28, 15, 5, 12, tzinfo=UTC),
    )
    response = owner.client.get(URL)
    html = response.content.decode()
    for header in ("Name", "Status", "OS Type", "OS", "Image Type", "Disk Capacity (GB)", "Encrypted", "Created", "Operation"):
        assert f">{header}<" in html or f">{header}<span" in html, header
    for value in ("web-ubuntu", "Normal", "Linux", "Ubuntu 24.04 server 64bit", "ECS system disk image", ">40<", ">No<"):
        assert value in html, value
    assert "2026-11-28 16:05:12 GMT+01:00" in html


def test_only_the_current_projects_images_are_listed(owner, outsider):
    ImageFactory(project=owner.project, name="mine")
    ImageFactory(project=outsider.project, name="theirs")
    ImageFactory(project=ProjectFactory(account=owner.account, region="eu-nl"), name="my-other-project")
    assert names_in(owner.client.get(URL)) == ["mine"]


def test_newest_images_come_first_by_default_ten_to_a_page(owner):
    make_images(owner.project, 12)
    response = owner.client.get(URL)
    assert names_in(response) == [f"img-{i:04d}" for i in range(11, 1, -1)]
    assert response.context["page"].total == 12


def test_next_and_previous_pages_follow_the_markers(owner):
    make_images(owner.project, 25)
    first = owner.client.get(URL)
    page = first.context["page"]
    assert page.previous_marker is None
    second = owner.client.get(URL, {"after": page.next_marker})
    assert names_in(second) == [f"img-{i:04d}" for i in range(14, 4, -1)]
    third = owner.client.get(URL, {"after": second.context["page"].next_marker})
    assert names_in(third) == [f"img-{i:04d}" for i in range(4, -1, -1)]
    assert third.context["page"].next_marker is None
    back = owner.client.get(URL, {"before": third.context["page"].previous_marker})
    assert names_in(back) == names_in(second)
    back_to_first = owner.client.get(URL, {"before": back.context["page"].previous_marker})
    assert names_in(back_to_first) == names_in(first)
    assert back_to_first.context["page"].previous_marker is None


def test_keyset_pages_are_stable_when_images_share_a_creation_time(owner):
    same_time = datetime(2026, 5, 1, tzinfo=UTC)
    created = [ImageFactory(project=owner.project, created_at=same_time) for _ in range(15)]
    first = owner.client.get(URL)
    second = owner.client.get(URL, {"after": first.context["page"].next_marker})
    seen = names_in(first) + names_in(second)
    assert sorted(seen) == sorted(i.name for i in created)
    assert len(set(seen)) == 15


@pytest.mark.parametrize("size", [10, 20, 50, 100])
def test_page_sizes_10_20_50_100(owner, size):
    make_images(owner.project, 101)
    assert len(names_in(owner.client.get(URL, {"page_size": size}))) == size


def test_an_unknown_page_size_sort_or_marker_falls_back_to_defaults_instead_of_failing(owner):
    make_images(owner.project, 12)
    response = owner.client.get(URL, {"page_size": "7", "sort": "size", "order": "sideways", "after": "not-a-uuid"})
    assert response.status_code == 200
    assert names_in(response) == [f"img-{i:04d}" for i in range(11, 1, -1)]


def test_a_marker_from_another_project_is_ignored(owner, outsider):
    make_images(owner.project, 12)
    foreign = ImageFactory(project=outsider.project)
    response = owner.client.get(URL, {"after": str(foreign.id)})
    assert names_in(response)[0] == "img-0011"


def test_sort_by_name_both_ways(owner):
    for name in ("bravo", "alpha", "charlie"):
        ImageFactory(project=owner.project, name=name)
    assert names_in(owner.client.get(URL, {"sort": "name", "order": "asc"})) == ["alpha", "bravo", "charlie"]
    assert names_in(owner.client.get(URL, {"sort": "name", "order": "desc"})) == ["charlie", "bravo", "alpha"]


def test_sort_by_created_oldest_first(owner):
    make_images(owner.project, 3)
    assert names_in(owner.client.get(URL, {"sort": "created_at", "order": "asc"})) == ["img-0000", "img-0001", "img-0002"]


def test_name_search_is_case_insensitive_and_matches_inside_names(owner):
    for name in ("web-frontend", "WEB-backend", "database"):
        ImageFactory(project=owner.project, name=name)
    assert sorted(names_in(owner.client.get(URL, {"name": "Web"}))) == ["WEB-backend", "web-frontend"]


def test_filters_by_image_type_and_os_type_combine(owner):
    ImageFactory(project=owner.project, name="linux-system")
    ImageFactory(project=owner.project, name="windows-system", windows=True)
    ImageFactory(project=owner.project, name="data", data_disk=True)
    ImageFactory(project=owner.project, name="iso", iso=True)
    assert names_in(owner.client.get(URL, {"image_type": ImageType.DATA})) == ["data"]
    assert sorted(names_in(owner.client.get(URL, {"image_type": ImageType.SYSTEM}))) == ["linux-system", "windows-system"]
    assert names_in(owner.client.get(URL, {"image_type": ImageType.SYSTEM, "os_type": OSType.WINDOWS})) == ["windows-system"]


def test_htmx_requests_for_the_list_get_only_the_fragment(owner):
    ImageFactory(project=owner.project, name="web")
    response = owner.client.get(URL, headers={"HX-Request": "true", "HX-Target": "image-list"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="image-list"')
    assert "<html" not in html
    assert "web" in html


def test_the_page_keeps_its_state_in_links_so_a_reload_shows_the_same_view(owner):
    make_images(owner.project, 30)
    response = owner.client.get(URL, {"sort": "name", "order": "asc", "name": "img", "page_size": "20"})
    html = response.content.decode()
    next_marker = response.context["page"].next_marker
    assert f'href="?sort=name&amp;order=asc&amp;name=img&amp;page_size=20&amp;after={next_marker}"' in html


def test_empty_project_says_what_to_do(owner):
    html = owner.client.get(URL).content.decode()
    assert "This project has no private images yet." in html
    assert "Images Shared with Me" in html


def test_no_match_for_the_filters_offers_to_clear_them(owner):
    ImageFactory(project=owner.project, name="web")
    html = owner.client.get(URL, {"name": "nothing-like-this"}).content.decode()
    assert "No image matches these filters." in html
    assert "Clear the filters" in html


def test_admins_get_write_controls_and_read_only_users_do_not(owner, readonly):
    ImageFactory(project=owner.project, name="web")
    admin_html = owner.client.get(URL).content.decode()
    readonly_html = readonly.client.get(URL).content.decode()
    assert ">Modify<" in admin_html and ">Delete<" in admin_html
    assert ">Modify<" not in readonly_html and ">Delete<" not in readonly_html
    assert "web" in readonly_html


def test_apply_for_server_and_export_are_shown_disabled_with_a_reason(owner):
    ImageFactory(project=owner.project)
    image = ImageFactory(project=owner.project)
    html = owner.client.get(URL).content.decode()
    assert 'aria-disabled="true" aria-describedby="no-ecs">Apply for Server<' in html
    assert '<p id="no-ecs" class="hint">Apply for Server is not available: Elastic Cloud Server is not part of this console' in html
    menu = owner.client.get(reverse("images:actions", args=[image.pk]), headers={"HX-Request": "true"}).content.decode()
    assert 'aria-disabled="true" title="Exporting to Object Storage is not part of this console.">Export<' in menu


# Session, user, membership with account, the account's projects, the count, the page of rows, and the
# pending shares behind the red dot; a marker (next/previous page) adds its own lookup and the bounded count of
# the images before it ("Page 2 of 5"). None of these grows with the number of images.
FIRST_PAGE_QUERIES = 7
LATER_PAGE_QUERIES = 8


@pytest.mark.parametrize("params", [{}, {"sort": "name", "order": "asc", "name": "img"}, {"image_type": "system"}])
def test_the_list_costs_the_same_number_of_queries_with_10_or_1000_images(
    owner, django_assert_max_num_queries, params
):
    make_images(owner.project, 11)
    with django_assert_max_num_queries(FIRST_PAGE_QUERIES):
        first = owner.client.get(URL, params).context["page"]
    with django_assert_max_num_queries(LATER_PAGE_QUERIES):
        owner.client.get(URL, {**params, "after": first.next_marker})
    ImageFactory.create_batch(990, project=owner.project, name=factory.Sequence(lambda n: f"img-more-{n}"))
    with django_assert_max_num_queries(FIRST_PAGE_QUERIES):
        first = owner.client.get(URL, {**params, "page_size": 100}).context["page"]
    assert len(first.items) == 100
    with django_assert_max_num_queries(LATER_PAGE_QUERIES):
        later = owner.client.get(URL, {**params, "page_size": 100, "after": first.next_marker}).context["page"]
    assert len(later.items) == 100
