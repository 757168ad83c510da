"""Images Shared with Me, the pending list and Rejected Images; the red dot and the notice; Accept and Reject."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from sharing.models import ImageMember, Vault
from tests.conftest import share_many
from tests.factories import ImageFactory, ImageMemberFactory, ProjectFactory

pytestmark = pytest.mark.django_db
LISTS = {"accepted": "sharing:shared_with_me", "pending": "sharing:shared_pending", "rejected": "sharing:shared_rejected"}
STATUS = reverse("sharing:member_status")
HTMX = {"HX-Request": "true", "HX-Target": "modal"}


def names(response) -> list[str]:
    return [i.name for i in response.context["page"].items]


@pytest.fixture
def shares(owner, recipient):
    """One image of the owner's in each status for the recipient."""
    made = {}
    for status in ("pending", "accepted", "rejected"):
        image = ImageFactory(project=owner.project, name=f"img-{status}")
        ImageMemberFactory(image=image, project=recipient.project, status=status)
        made[status] = image
    return made


@pytest.mark.parametrize("status", ["accepted", "pending", "rejected"])
def test_each_list_shows_only_its_status_with_the_owner(recipient, owner, shares, status):
    response = recipient.client.get(reverse(LISTS[status]))
    assert names(response) == [f"img-{status}"]
    html = response.content.decode()
    for value in (owner.project.name, owner.account.name, owner.project.id):
        assert value in html


def test_images_stopped_or_deleted_by_the_owner_disappear_from_all_three_lists(owner, recipient, shares):
    ImageMember.objects.filter(image=shares["pending"]).delete()
    shares["accepted"].delete()
    ImageMember.objects.filter(image=shares["rejected"]).delete()
    for status in LISTS:
        assert names(recipient.client.get(reverse(LISTS[status]))) == []


def test_the_owner_does_not_see_its_own_shares_as_shared_with_it(owner, shares):
    for status in LISTS:
        assert names(owner.client.get(reverse(LISTS[status]))) == []


def test_the_red_dot_and_the_notice_count_the_pending_shares_of_the_current_project_only(owner, recipient):
    other_region = ProjectFactory(account=recipient.account, region="eu-nl")
    for _ in range(3):
        ImageMemberFactory(image=ImageFactory(project=owner.project), project=recipient.project)
    ImageMemberFactory(image=ImageFactory(project=owner.project), project=recipient.project, status="accepted")
    ImageMemberFactory(image=ImageFactory(project=ProjectFactory(region="eu-nl")), project=other_region)
    for page in ("images:private", "sharing:shared_with_me", "my_credentials"):
        html = recipient.client.get(reverse(page)).content.decode()
        assert '<span class="dot" aria-hidden="true"></span><span class="visually-hidden"> (3 pending)</span>' in html, page
    html = recipient.client.get(reverse("sharing:shared_with_me")).content.decode()
    assert "<strong>3 images</strong> shared with this project are waiting" in html
    assert ">Accept All<" in html
    recipient.client.post(reverse("project_switch"), {"project": other_region.id})
    html = recipient.client.get(reverse("sharing:shared_with_me")).content.decode()
    assert "(1 pending)" in html and "<strong>1 image</strong>" in html


def test_no_pending_shares_no_dot_and_no_notice(recipient):
    html = recipient.client.get(reverse("sharing:shared_with_me")).content.decode()
    assert 'class="dot"' not in html and "Accept All" not in html


@pytest.mark.parametrize("status", ["accepted", "pending", "rejected"])
def test_empty_lists_explain_sharing_and_where_the_project_id_is(recipient, status):
    html = recipient.client.get(reverse(LISTS[status])).content.decode()
    assert "My Credentials" in html and recipient.project.id in html


def test_search_by_name_and_paging_work_on_the_shared_lists(owner, recipient):
    for n in range(12):
        ImageMemberFactory(image=ImageFactory(project=owner.project, name=f"web-{n:02d}"), project=recipient.project, status="rejected")
    ImageMemberFactory(image=ImageFactory(project=owner.project, name="db"), project=recipient.project, status="rejected")
    url = reverse("sharing:shared_rejected")
    assert names(recipient.client.get(url, {"name": "db"})) == ["db"]
    first = recipient.client.get(url, {"name": "web", "sort": "name", "order": "asc"})
    assert names(first) == [f"web-{n:02d}" for n in range(10)]
    second = recipient.client.get(url, {"name": "web", "sort": "name", "order": "asc", "after": first.context["page"].next_marker})
    assert names(second) == ["web-10", "web-11"]


@pytest.mark.slow
@pytest.mark.parametrize("status", ["accepted", "pending", "rejected"])
def test_the_lists_cost_the_same_queries_with_10000_shares(owner, recipient, django_assert_max_num_queries, status):
    url = reverse(LISTS[status])
    share_many(owner, recipient, 2, status=status)
    # Session, user, membership, projects, the count, the rows, the red dot's count.
    with django_assert_max_num_queries(7) as few:
        recipient.client.get(url)
    share_many(owner, recipient, 10_000, status=status)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = recipient.client.get(url, {"page_size": 100})
    assert len(response.context["page"].items) == 100
    # Counted up to 1,000 only: beyond that the list says so instead of scanning every row.
    assert "Total Records: more than 1,000" in response.content.decode()


def test_accept_dialog_names_the_image_and_accepting_refreshes_the_lists(recipient, shares):
    image = shares["pending"]
    html = recipient.client.get(STATUS, {"status": "accepted", "image_id": image.id}, headers=HTMX).content.decode()
    assert f"Accept image <strong>{image.name}</strong>, shared by project" in html
    response = recipient.client.post(STATUS, {"status": "accepted", "image_id": image.id}, headers=HTMX)
    assert "Accepted 1 image." in response.content.decode()
    assert "shares-changed" in json.loads(response["HX-Trigger"])
    assert ImageMember.objects.get(image=image).status == "accepted"


def test_reject_asks_for_confirmation_and_says_where_rejected_images_go(recipient, shares):
    image = shares["accepted"]
    html = recipient.client.get(STATUS, {"status": "rejected", "image_id": image.id}, headers=HTMX).content.decode()
    assert "Reject image" in html and "accept it again under Rejected Images" in html
    assert ImageMember.objects.get(image=image).status == "accepted"
    recipient.client.post(STATUS, {"status": "rejected", "image_id": image.id}, headers=HTMX)
    assert ImageMember.objects.get(image=image).status == "rejected"


def test_accept_all_accepts_every_pending_share_and_nothing_else(owner, recipient, shares):
    more = ImageFactory(project=owner.project)
    ImageMemberFactory(image=more, project=recipient.project)
    html = recipient.client.get(STATUS, {"status": "accepted", "all": "1"}, headers=HTMX).content.decode()
    assert "Accept all 2 images waiting for you?" in html
    response = recipient.client.post(STATUS, {"status": "accepted", "all": "1"}, headers=HTMX)
    assert "Accepted the 2 images that were waiting for you." in response.content.decode()
    assert dict(ImageMember.objects.values_list("image__name", "status")) == {
        "img-pending": "accepted", "img-accepted": "accepted", "img-rejected": "rejected", more.name: "accepted",
    }


def test_accepting_a_full_ecs_image_lists_the_vaults_and_refuses_an_unfit_one(owner, recipient):
    image = ImageFactory(project=owner.project, full_ecs_cbr=True, size=50 * 1024**3, name="erp")
    ImageMemberFactory(image=image, project=recipient.project)
    fit = Vault.objects.create(project=recipient.project, name="servers", capacity_gb=500, used_gb=100)
    disks = Vault.objects.create(project=recipient.project, name="disks", resource_type="disk", capacity_gb=500)
    html = recipient.client.get(STATUS, {"status": "accepted", "image_id": image.id}, headers=HTMX).content.decode()
    assert 'id="modal-title">Accept Full-ECS Image<' in html
    for value in ("servers", "disks", ">500<", ">400<", "Cloud disks", "Server-backup vault"):
        assert value in html
    response = recipient.client.post(STATUS, {"status": "accepted", "image_id": image.id, "vault_id": disks.id}, headers=HTMX)
    assert "IMG.0193" in response.content.decode()
    assert ImageMember.objects.get(image=image).status == "pending"
    recipient.client.post(STATUS, {"status": "accepted", "image_id": image.id, "vault_id": fit.id}, headers=HTMX)
    assert ImageMember.objects.get(image=image).vault_id == fit.id


def test_the_owner_posting_a_status_gets_403_and_nothing_changes(owner, recipient, shares):
    response = owner.client.post(STATUS, {"status": "accepted", "image_id": shares["pending"].id})
    assert response.status_code == 403
    assert ImageMember.objects.get(image=shares["pending"]).status == "pending"


def test_without_javascript_accepting_goes_back_to_the_list_it_came_from(recipient, shares):
    response = recipient.client.post(
        STATUS, {"status": "accepted", "image_id": shares["rejected"].id, "from": "rejected"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("sharing:shared_rejected")
    assert "Accepted 1 image." in response.content.decode()


def test_an_unknown_status_is_400_and_changes_nothing(recipient, shares):
    before = list(ImageMember.objects.values_list("pk", "status", "updated_at"))
    assert recipient.client.get(STATUS, {"status": "pending", "image_id": shares["pending"].id}).status_code == 400
    response = recipient.client.post(STATUS, {"status": "bogus", "image_id": shares["pending"].id})
    assert response.status_code == 400
    assert "Status “bogus” is not one of accepted, rejected." in response.content.decode()
    assert list(ImageMember.objects.values_list("pk", "status", "updated_at")) == before


def test_read_only_recipients_see_the_lists_without_accept_or_reject(owner, recipient, shares):
    from tests.conftest import make_persona

    viewer = make_persona(account=recipient.account, project=recipient.project, role="readonly")
    html = viewer.client.get(reverse("sharing:shared_pending")).content.decode()
    assert "img-pending" in html
    assert ">Accept<" not in html and ">Reject<" not in html


@pytest.mark.slow
def test_accept_all_dialog_costs_the_same_queries_with_2_or_10000_pending(owner, recipient, django_assert_max_num_queries):
    def dialog_queries(count: int) -> tuple[int, str]:
        ImageMember.objects.all().delete()
        share_many(owner, recipient, count)
        with django_assert_max_num_queries(12) as captured:
            response = recipient.client.get(STATUS, {"status": "accepted", "all": "1"}, headers=HTMX)
        return len(captured.captured_queries), response.content.decode()

    small, _ = dialog_queries(2)
    large, html = dialog_queries(10_000)
    assert large == small
    assert "Accept all 10000 images waiting for you?" in html
    assert "and 9980 more" in html
    assert html.count("<li><strong>bulk-") == 20


def test_shared_lists_sort_by_when_the_image_was_shared_newest_first(owner, recipient):
    from datetime import timedelta

    older_image = ImageFactory(project=owner.project, name="old-image", created_at=timezone.now() - timedelta(days=30))
    newer_image = ImageFactory(project=owner.project, name="new-image")
    ImageMemberFactory(image=newer_image, project=recipient.project, status="accepted",
                       created_at=timezone.now() - timedelta(days=2))
    ImageMemberFactory(image=older_image, project=recipient.project, status="accepted")
    response = recipient.client.get(reverse("sharing:shared_with_me"))
    assert names(response) == ["old-image", "new-image"]
    html = response.content.decode()
    assert '<th scope="col">Created</th>' in html
    assert 'aria-sort="descending"><a href="?sort=created_at&amp;order=asc"' in html and ">Shared At<" in html
    assert names(recipient.client.get(reverse("sharing:shared_with_me"), {"order": "asc"})) == ["new-image", "old-image"]
