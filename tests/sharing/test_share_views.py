from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from images.models import Image
from ims_console.activity.models import Job, Trace
from sharing.models import ImageMember
from tests.factories import ImageFactory, ImageMemberFactory, ProjectFactory

pytestmark = pytest.mark.django_db
SHARE = reverse("sharing:share")
HTMX = {"HX-Request": "true", "HX-Target": "modal"}


def menu_of(persona, image) -> str:
    """A row's More menu, as the list loads it when it is opened."""
    return persona.client.get(reverse("images:actions", args=[image.pk]), headers={"HX-Request": "true"}).content.decode()


def written() -> tuple:
    return (sorted(ImageMember.objects.values_list("image_id", "project_id", "status")), Job.objects.count(), Trace.objects.count())


def test_the_dialog_shows_the_region_note_the_images_and_the_project_id_box(owner):
    images = [ImageFactory(project=owner.project, name=f"web-{n}", size=2 * 1024**3) for n in range(2)]
    html = owner.client.get(SHARE, {"image_id": [i.id for i in images]}, headers=HTMX).content.decode()
    assert 'id="modal-title">Share Image<' in html
    assert "An image can be shared only inside its region." in html
    assert "web-0" in html and "web-1" in html and "2.0\xa0GB" in html
    assert '<label for="project-ids">Project ID</label>' in html
    assert 'role="tab"' in html and ">Shared Images<" in html and ">Stop Sharing<" in html
    assert "separated by commas" in html
    # The embedded service checks that each project exists in the region, so no warning that it cannot.
    assert "does not tell the console whether a project ID exists" not in html


def test_sharing_three_images_with_two_projects_reports_pairs_already_shared(owner, recipient, outsider):
    images = ImageFactory.create_batch(3, project=owner.project)
    ImageMemberFactory(image=images[0], project=recipient.project, status="accepted")
    text = f"{recipient.project.id},\n {outsider.project.id.upper()} , {recipient.project.id}"
    response = owner.client.post(SHARE, {"image_id": [i.id for i in images], "project_ids": text}, headers=HTMX)
    assert (
        f"Shared 3 images with 2 projects (1 pair was already shared); {recipient.project.id} was entered 2 times and "
        "counted once."
    ) in response.content.decode()
    assert {"images-shared", "members-changed"} <= set(json.loads(response["HX-Trigger"]))
    assert ImageMember.objects.count() == 6
    assert ImageMember.objects.get(image=images[0], project=recipient.project).status == "accepted"


def test_one_bad_id_among_good_ones_shares_nothing_and_names_every_problem(owner, recipient):
    image = ImageFactory(project=owner.project)
    nl = ProjectFactory(region="eu-nl")
    before = written()
    text = f"{recipient.project.id}, xyz, {'0' * 32}, {nl.id}, {owner.project.id}"
    response = owner.client.post(SHARE, {"image_id": image.id, "project_ids": text}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was changed." in html
    assert "IMG.0067</code> “xyz” is not a project ID" in html
    # Two projects refused for the same reason are one line that names both.
    assert (
        "IMG.0108</code> Projects that cannot be found in the current region (eu-de; images are shared only inside "
        f"their region) (2): {'0' * 32}, {nl.id}." in html
    )
    assert f"IMG.0076</code> {owner.project.id} is your own project" in html
    assert 'aria-invalid="true"' in html
    assert "HX-Trigger" not in response
    assert written() == before


def test_an_unshareable_image_in_the_selection_shares_nothing(owner, recipient):
    good = ImageFactory(project=owner.project)
    bad = ImageFactory(project=owner.project, encrypted_default_key=True, name="enc-default")
    response = owner.client.post(SHARE, {"image_id": [good.id, bad.id], "project_ids": recipient.project.id}, headers=HTMX)
    assert "IMG.0098</code> Image “enc-default” is encrypted with the default key" in response.content.decode()
    assert not ImageMember.objects.exists()


def test_empty_input_asks_for_an_id(owner):
    image = ImageFactory(project=owner.project)
    response = owner.client.post(SHARE, {"image_id": image.id, "project_ids": "  "}, headers=HTMX)
    assert "Enter at least one project ID." in response.content.decode()


def test_an_outsiders_image_id_in_the_form_is_404_and_shares_nothing(owner, outsider, recipient):
    mine = ImageFactory(project=owner.project)
    theirs = ImageFactory(project=outsider.project)
    response = owner.client.post(SHARE, {"image_id": [mine.id, theirs.id], "project_ids": recipient.project.id})
    assert response.status_code == 404
    assert not ImageMember.objects.exists()


def test_a_recipient_cannot_share_an_image_shared_with_it(owner, recipient, outsider):
    image = ImageFactory(project=owner.project)
    ImageMemberFactory(image=image, project=recipient.project, status="accepted")
    before = written()
    response = recipient.client.post(SHARE, {"image_id": image.id, "project_ids": outsider.project.id})
    assert response.status_code == 403
    assert written() == before


def test_without_javascript_sharing_redirects_to_the_list_with_the_message(owner, recipient):
    image = ImageFactory(project=owner.project)
    response = owner.client.post(SHARE, {"image_id": image.id, "project_ids": recipient.project.id}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("images:private")
    assert "Shared 1 image with 1 project." in response.content.decode()


def test_nothing_selected_says_so(owner):
    assert "Select at least one image" in owner.client.get(SHARE, headers=HTMX).content.decode()


def test_stop_sharing_lists_the_recipients_of_one_image_with_names_and_status(owner, recipient):
    image = ImageFactory(project=owner.project)
    ImageMemberFactory(image=image, project=recipient.project, status="rejected")
    html = owner.client.get(SHARE, {"image_id": image.id, "tab": "stop"}, headers=HTMX).content.decode()
    for value in (recipient.project.id, recipient.project.name, recipient.account.name, "Rejected"):
        assert value in html


def test_stop_sharing_several_images_lists_recipients_any_of_them_has(owner, recipient, outsider):
    a, b = ImageFactory.create_batch(2, project=owner.project)
    ImageMemberFactory(image=a, project=recipient.project)
    ImageMemberFactory(image=b, project=recipient.project)
    ImageMemberFactory(image=b, project=outsider.project)
    html = owner.client.get(SHARE, {"image_id": [a.id, b.id], "tab": "stop"}, headers=HTMX).content.decode()
    assert html.count('name="project_id"') == 2
    assert "2 of 2 images" in html and "1 of 2 images" in html


def test_stop_sharing_removes_the_selected_recipients_from_the_selected_images(owner, recipient, outsider):
    a, b = ImageFactory.create_batch(2, project=owner.project)
    for image in (a, b):
        ImageMemberFactory(image=image, project=recipient.project)
        ImageMemberFactory(image=image, project=outsider.project)
    response = owner.client.post(
        SHARE, {"image_id": [a.id, b.id], "tab": "stop", "project_id": recipient.project.id}, headers=HTMX
    )
    assert "Stopped sharing: 2 shares removed." in response.content.decode()
    assert set(ImageMember.objects.values_list("project_id", flat=True)) == {outsider.project.id}


def test_stop_sharing_with_nothing_ticked_says_so_and_changes_nothing(owner, recipient):
    image = ImageFactory(project=owner.project)
    ImageMemberFactory(image=image, project=recipient.project)
    response = owner.client.post(SHARE, {"image_id": image.id, "tab": "stop"}, headers=HTMX)
    assert "Select at least one project to stop sharing with." in response.content.decode()
    assert ImageMember.objects.count() == 1


def test_the_list_marks_shared_images_and_offers_share(owner, recipient):
    shared = ImageFactory(project=owner.project, name="shared-one")
    ImageFactory(project=owner.project, name="lonely")
    ImageMemberFactory(image=shared, project=recipient.project)
    html = owner.client.get(reverse("images:private")).content.decode()
    assert html.count('aria-label="Shared with 1 project"') == 1
    menus = [menu_of(owner, image) for image in Image.objects.filter(project=owner.project)]
    assert all(f'role="menuitem" href="/sharing/share/?image_id={image.pk}"' in menu for image, menu in zip(Image.objects.filter(project=owner.project), menus, strict=True))
    assert 'id="share-selected"' in html


@pytest.mark.parametrize(
    ("traits", "reason"),
    [
        ({"creating": True}, "is Creating; only Normal images can be shared. (IMG.0046)"),
        ({"full_ecs_csbs": True}, "was created from a CSBS backup"),
        ({"encrypted_default_key": True}, "encrypted with the default key ims/default"),
    ],
)
def test_more_share_is_disabled_and_says_why_for_images_that_cannot_be_shared(owner, traits, reason):
    image = ImageFactory(project=owner.project, **traits)
    html = menu_of(owner, image)
    assert re.search(r'role="menuitem" class="link-button" aria-disabled="true" title="[^"]*' + re.escape(reason) + '[^"]*">Share<', html)
    assert 'role="menuitem" href="/sharing/share/' not in html


def test_read_only_users_get_no_share_controls(owner, readonly):
    ImageFactory(project=owner.project)
    html = readonly.client.get(reverse("images:private")).content.decode()
    assert 'id="share-selected"' not in html and ">Share<" not in html


def test_the_private_list_costs_no_more_queries_with_shared_images(owner, recipient, django_assert_max_num_queries):
    for image in ImageFactory.create_batch(20, project=owner.project):
        ImageMemberFactory(image=image, project=recipient.project)
    with django_assert_max_num_queries(7):
        owner.client.get(reverse("images:private"), {"page_size": 20})


def test_sharing_only_pairs_that_exist_says_nothing_new_and_changes_nothing(owner, recipient, outsider):
    image = ImageFactory(project=owner.project)
    ImageMemberFactory(image=image, project=recipient.project, status="rejected")
    response = owner.client.post(SHARE, {"image_id": image.id, "project_ids": recipient.project.id}, headers=HTMX)
    assert "Nothing new: that pair was already shared." in response.content.decode()
    ImageMemberFactory(image=image, project=outsider.project)
    text = f"{recipient.project.id},{outsider.project.id}"
    response = owner.client.post(SHARE, {"image_id": image.id, "project_ids": text}, headers=HTMX)
    assert "Nothing new: all 2 pairs were already shared." in response.content.decode()
    assert ImageMember.objects.get(project=recipient.project).status == "rejected"
