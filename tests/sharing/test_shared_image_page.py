"""The page of an image shared with this project (issue 12, point 1): every attribute, its ID to copy, the owner,
the share's status and times, and what the recipient may do, whatever the share's status."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import make_persona
from tests.factories import ImageFactory, ImageMemberFactory

pytestmark = pytest.mark.django_db


def page_of(image) -> str:
    return reverse("sharing:shared_image", args=[image.pk])


@pytest.fixture
def shares(owner, recipient):
    made = {}
    for status in ("pending", "accepted", "rejected"):
        image = ImageFactory(project=owner.project, name=f"img-{status}", min_disk=40, size=3 * 1024**3,
                             description=f"the {status} one")
        ImageMemberFactory(image=image, project=recipient.project, status=status)
        made[status] = image
    return made


@pytest.mark.parametrize("status", ["pending", "accepted", "rejected"])
def test_the_recipient_reads_every_attribute_the_owner_and_the_share(recipient, owner, shares, status):
    image = shares[status]
    response = recipient.client.get(page_of(image))
    assert response.status_code == 200
    html = response.content.decode()
    for value in (str(image.pk), f"img-{status}", f"the {status} one", "3.0\xa0GB", owner.project.name,
                  owner.account.name, owner.project.pk, status.capitalize()):
        assert value in html, value
    assert f'data-copy="{image.pk}"' in html and f'data-copy="{owner.project.pk}"' in html


@pytest.mark.parametrize(("status", "shown", "hidden"), [
    ("pending", [">Accept<", ">Reject<"], []),
    ("accepted", [">Reject<"], [">Accept<"]),
    ("rejected", [">Accept<"], [">Reject<"]),
])
def test_the_actions_are_those_of_the_shares_status(recipient, shares, status, shown, hidden):
    head = recipient.client.get(page_of(shares[status])).content.decode().split('<h2 class="section-title">')[0]
    for action in shown:
        assert action in head, action
    for action in hidden:
        assert action not in head, action
    # Replicate is always there: offered once accepted, otherwise disabled with the reason.
    if status == "accepted":
        assert f'href="{reverse("images:replicate", args=[shares[status].pk])}"' in head
        assert 'aria-disabled="true"' not in head
    else:
        assert '<button type="button" class="btn" aria-disabled="true" aria-describedby="replicate-reason">Replicate</button>' in head
        assert "Replicate is not available: accept this image before replicating it." in head


def test_a_read_only_user_sees_the_image_without_actions_and_is_told_why(owner, recipient, shares):
    reader = make_persona(account=recipient.account, project=recipient.project, role="readonly")
    html = reader.client.get(page_of(shares["pending"])).content.decode()
    assert "img-pending" in html and "Your role is read-only" in html
    assert "status=accepted" not in html and "status=rejected" not in html


def test_accepting_from_the_page_without_javascript_comes_back_to_it(recipient, shares):
    image = shares["pending"]
    response = recipient.client.post(reverse("sharing:member_status"),
                                     {"status": "accepted", "image_id": str(image.pk), "from": "image"})
    assert response.status_code == 302 and response.headers["Location"] == page_of(image)
    assert "Accepted" in recipient.client.get(page_of(image)).content.decode()


def test_the_list_links_each_name_to_its_page(recipient, shares):
    html = recipient.client.get(reverse("sharing:shared_pending")).content.decode()
    assert f'href="{page_of(shares["pending"])}"' in html


def test_the_owner_an_outsider_and_an_unknown_id_get_404(owner, outsider, shares):
    image = shares["accepted"]
    assert owner.client.get(page_of(image)).status_code == 404  # the owner's page is images:detail
    assert outsider.client.get(page_of(image)).status_code == 404
    assert owner.client.get(reverse("sharing:shared_image", args=[uuid.uuid4()])).status_code == 404
    assert owner.client.get(reverse("sharing:shared_image", args=["not-an-id"])).status_code == 404


def test_anonymous_is_sent_to_log_in_and_only_get_is_allowed(recipient, shares):
    anonymous = Client().get(page_of(shares["accepted"]))
    assert anonymous.status_code == 302 and reverse("login") in anonymous.headers["Location"]
    assert recipient.client.post(page_of(shares["accepted"])).status_code == 405


def test_the_page_costs_a_constant_number_of_queries(recipient, shares, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        assert recipient.client.get(page_of(shares["accepted"])).status_code == 200
