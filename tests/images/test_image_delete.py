from __future__ import annotations

import json

import pytest
from django.urls import reverse

from images.models import Image
from ims_console.activity.models import Job, Trace
from sharing.models import ImageMember
from tests.factories import ImageFactory, ImageMemberFactory

pytestmark = pytest.mark.django_db
URL = reverse("images:delete")
HTMX = {"HX-Request": "true", "HX-Target": "modal"}


def test_the_confirmation_names_the_image(owner):
    image = ImageFactory(project=owner.project, name="old-web")
    html = owner.client.get(URL, {"image_id": image.id}, headers=HTMX).content.decode()
    assert "Are you sure you want to delete image <strong>old-web</strong>?" in html
    assert Image.objects.filter(pk=image.pk).exists()


def test_the_batch_confirmation_lists_every_selected_image(owner):
    images = [ImageFactory(project=owner.project, name=f"batch-{i}") for i in range(3)]
    html = owner.client.get(URL, {"image_id": [i.id for i in images]}, headers=HTMX).content.decode()
    assert "delete these 3 images?" in html
    for image in images:
        assert f"<strong>{image.name}</strong>" in html


def test_confirming_deletes_the_selected_images_and_refreshes_the_list(owner):
    doomed = [ImageFactory(project=owner.project) for _ in range(2)]
    kept = ImageFactory(project=owner.project)
    response = owner.client.post(URL, {"image_id": [i.id for i in doomed]}, headers=HTMX)
    assert "images-changed" in json.loads(response["HX-Trigger"])
    assert "Deleted 2 images" in response.content.decode()
    assert list(Image.objects.values_list("pk", flat=True)) == [kept.pk]


def test_deleting_from_the_details_page_goes_back_to_the_list(owner):
    image = ImageFactory(project=owner.project)
    response = owner.client.post(URL, {"image_id": image.id, "from": "detail"}, headers=HTMX)
    assert response["HX-Redirect"] == reverse("images:private")
    assert not Image.objects.filter(pk=image.pk).exists()


def test_without_javascript_deleting_redirects_to_the_list_with_a_message(owner):
    image = ImageFactory(project=owner.project, name="gone")
    response = owner.client.post(URL, {"image_id": image.id}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("images:private")
    assert "Deleted image “gone”." in response.content.decode()


def test_one_foreign_image_among_the_selection_deletes_nothing(owner, outsider):
    mine = ImageFactory(project=owner.project)
    theirs = ImageFactory(project=outsider.project)
    response = owner.client.post(URL, {"image_id": [mine.id, theirs.id]})
    assert response.status_code == 404
    assert Image.objects.count() == 2


def test_a_malformed_id_in_the_selection_is_404_and_deletes_nothing(owner):
    mine = ImageFactory(project=owner.project)
    assert owner.client.post(URL, {"image_id": [mine.id, "1; DROP TABLE"]}).status_code == 404
    assert Image.objects.filter(pk=mine.pk).exists()


def test_nothing_selected_says_so(owner):
    html = owner.client.get(URL, headers=HTMX).content.decode()
    assert "Select at least one image in the list first." in html
    response = owner.client.post(URL, {}, headers=HTMX)
    assert "Select at least one image in the list first." in response.content.decode()
    assert "HX-Trigger" not in response


def test_more_than_100_selected_is_refused_and_deletes_nothing(owner):
    images = ImageFactory.create_batch(101, project=owner.project)
    response = owner.client.post(URL, {"image_id": [i.id for i in images]})
    assert "101 images are selected; at most 100 can be handled at once." in response.content.decode()
    assert Image.objects.count() == 101


def test_batch_delete_costs_a_constant_number_of_queries(owner, recipient, django_assert_max_num_queries):
    images = ImageFactory.create_batch(100, project=owner.project)
    for image in images:
        ImageMemberFactory(image=image, project=recipient.project)
    # Session, user, membership, projects, the images read; then the images locked, the job and its deleteImage
    # traces, the members read, their traces written in bulk, the members and the images deleted in bulk, and the
    # session saved for the message.
    with django_assert_max_num_queries(16):
        owner.client.post(URL, {"image_id": [i.id for i in images]})
    assert Image.objects.count() == 0
    assert ImageMember.objects.count() == 0


def test_the_confirmation_says_how_many_recipients_lose_the_image(owner, recipient, outsider):
    image = ImageFactory(project=owner.project, name="shared-web")
    ImageMemberFactory(image=image, project=recipient.project)
    ImageMemberFactory(image=image, project=outsider.project, status="accepted")
    html = owner.client.get(URL, {"image_id": image.id}, headers=HTMX).content.decode()
    assert "shared with 2 projects, which will lose it" in html


def test_deleting_a_shared_image_removes_its_members_and_audits_each(owner, recipient):
    image = ImageFactory(project=owner.project)
    ImageMemberFactory(image=image, project=recipient.project, status="accepted")
    owner.client.post(URL, {"image_id": image.id})
    assert not ImageMember.objects.exists()
    job = Job.objects.get()
    assert (job.job_type, job.status) == ("imsDeleteImagesJob", "SUCCESS")
    traces = {t.name: t for t in Trace.objects.all()}
    assert set(traces) == {"deleteImage", "deleteMember"}
    member = traces["deleteMember"]
    assert (member.resource_id, member.member_project_id, member.username, member.job_id) == (
        str(image.id), recipient.project.id, owner.user.username, job.id,
    )
    assert (traces["deleteImage"].resource_id, traces["deleteImage"].job_id) == (str(image.id), job.id)
