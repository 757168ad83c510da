from __future__ import annotations

import json

import pytest
from django.urls import reverse

from sharing.models import ImageMember
from tests.factories import ImageFactory, ImageMemberFactory, ProjectFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true", "HX-Target": "modal"}


def test_the_sharing_tab_lists_recipients_with_names_status_and_times(owner, recipient):
    image = ImageFactory(project=owner.project)
    ImageMemberFactory(image=image, project=recipient.project, status="accepted")
    html = owner.client.get(reverse("sharing:image_sharing", args=[image.id])).content.decode()
    for value in (">Project ID<", ">Project Name<", ">Account Name<", ">Status<", ">Shared At<", ">Updated At<",
                  recipient.project.id, recipient.project.name, recipient.account.name, "Accepted", "GMT+01:00",
                  ">Add Tenant<", ">Delete All<", f'aria-label="Delete {recipient.project.name}"'):
        assert value in html, value


def test_an_image_not_shared_says_how_to_share_it(owner):
    image = ImageFactory(project=owner.project)
    html = owner.client.get(reverse("sharing:image_sharing", args=[image.id])).content.decode()
    assert "This image is not shared with any project." in html
    assert "My Credentials" in html


def test_an_unshareable_image_says_why_and_disables_add_tenant(owner):
    image = ImageFactory(project=owner.project, encrypted_default_key=True)
    html = owner.client.get(reverse("sharing:image_sharing", args=[image.id])).content.decode()
    assert "This image cannot be shared: Image" in html
    assert 'aria-disabled="true" title="Image' in html


def test_read_only_users_see_the_recipients_without_buttons(owner, readonly, recipient):
    image = ImageFactory(project=owner.project)
    ImageMemberFactory(image=image, project=recipient.project)
    html = readonly.client.get(reverse("sharing:image_sharing", args=[image.id])).content.decode()
    assert recipient.project.id in html
    assert ">Add Tenant<" not in html and ">Delete All<" not in html and ">Delete<" not in html


def test_add_tenant_shares_with_the_same_rules(owner, recipient):
    image = ImageFactory(project=owner.project)
    url = reverse("sharing:members_add", args=[image.id])
    bad = owner.client.post(url, {"project_ids": f"{recipient.project.id},{owner.project.id}"}, headers=HTMX)
    assert "IMG.0076" in bad.content.decode()
    assert not ImageMember.objects.exists()
    good = owner.client.post(url, {"project_ids": recipient.project.id}, headers=HTMX)
    assert "members-changed" in json.loads(good["HX-Trigger"])
    assert ImageMember.objects.get().project_id == recipient.project.id


def test_delete_one_recipient_after_a_confirmation_naming_it(owner, recipient, outsider):
    image = ImageFactory(project=owner.project, name="web")
    ImageMemberFactory(image=image, project=recipient.project)
    ImageMemberFactory(image=image, project=outsider.project)
    url = reverse("sharing:members_delete", args=[image.id])
    html = owner.client.get(url, {"project_id": recipient.project.id}, headers=HTMX).content.decode()
    assert f"Stop sharing <strong>web</strong> with project <strong>{recipient.project.name}</strong>" in html
    assert ImageMember.objects.count() == 2
    response = owner.client.post(url, {"project_id": recipient.project.id}, headers=HTMX)
    assert "Stopped sharing “web” with 1 project." in response.content.decode()
    assert list(ImageMember.objects.values_list("project_id", flat=True)) == [outsider.project.id]


def test_delete_all_removes_every_recipient(owner):
    image = ImageFactory(project=owner.project, name="web")
    for project in ProjectFactory.create_batch(3):
        ImageMemberFactory(image=image, project=project)
    url = reverse("sharing:members_delete", args=[image.id])
    assert "with all 3 projects?" in owner.client.get(url, {"all": "1"}, headers=HTMX).content.decode()
    owner.client.post(url, {"all": "1"}, headers=HTMX)
    assert not ImageMember.objects.exists()


def test_deleting_a_project_that_is_not_a_recipient_changes_nothing(owner, recipient, outsider):
    image = ImageFactory(project=owner.project)
    ImageMemberFactory(image=image, project=recipient.project)
    response = owner.client.post(reverse("sharing:members_delete", args=[image.id]), {"project_id": outsider.project.id}, headers=HTMX)
    assert "Select at least one project" in response.content.decode()
    assert ImageMember.objects.count() == 1


def test_the_sharing_tab_costs_the_same_queries_with_1_or_256_recipients(owner, django_assert_max_num_queries):
    image = ImageFactory(project=owner.project)
    url = reverse("sharing:image_sharing", args=[image.id])
    ImageMemberFactory(image=image)
    # Session, user, membership, projects, the image, its members' count, a page of them, the red dot's count.
    with django_assert_max_num_queries(8) as one:
        owner.client.get(url)
    for project in ProjectFactory.create_batch(255):
        ImageMemberFactory(image=image, project=project)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = owner.client.get(url)
    html = response.content.decode()
    assert "Shared with 256 projects." in html
    assert html.count('aria-label="Delete ') == 20
    # Every recipient is reached page by page, in project-name order, each page for one more query (the marker).
    seen, page = [], response.context["page"]
    seen += [m.project_name for m in page.items]
    while page.next_marker:
        with django_assert_max_num_queries(len(one.captured_queries) + 1):
            page = owner.client.get(url, {"after": page.next_marker}).context["page"]
        seen += [m.project_name for m in page.items]
    assert len(seen) == 256 and seen == sorted(seen)
    back = owner.client.get(url, {"before": page.previous_marker}).context["page"]
    assert back.items[-1].project_name == seen[-len(page.items) - 1]
