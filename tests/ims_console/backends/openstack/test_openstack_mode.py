"""OpenStack mode through the console's own pages: logging in as the cloud's users (Keystone), their projects,
roles and tokens, the images of Glance, and what happens when the cloud stops answering. Real Keystone and Glance
(tests/conftest.py::local_cloud)."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
import requests
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ims_console.backends import get_backend
from ims_console.core.errors import ConsoleCode, IMSError
from ims_console.identity.keystone import SESSION_KEY
from tests.clouds import Tenant

pytestmark = pytest.mark.django_db


@pytest.fixture
def cloud(openstack):
    return openstack


def log_in(tenant: Tenant, *, reader: bool = False, password: str = "") -> tuple[Client, Any]:
    client = Client()
    response = client.post(reverse("login"), {
        "account": tenant.account_name, "username": tenant.reader_name if reader else tenant.admin_name,
        "password": password or tenant.password,
    })
    return client, response


def test_the_login_form_asks_for_the_account_name_in_openstack_mode(cloud):
    html = Client().get(reverse("login")).content.decode()
    assert 'name="account"' in html and "Account name" in html


def test_a_cloud_user_logs_in_and_sees_the_projects_images_from_glance(cloud):
    alice = cloud.tenant()
    cloud.image(alice, "web-from-glance")
    client, response = log_in(alice)
    assert response.status_code == 302
    page = client.get(reverse("images:private")).content.decode()
    assert "web-from-glance" in page
    credentials = client.get(reverse("my_credentials")).content.decode()
    assert alice.account_name in credentials and alice.project_id in credentials and "eu-de" in credentials
    # The token lives in the server-side session only: not in a cookie.
    token = client.session[SESSION_KEY]["token"]
    assert all(token not in morsel.value for morsel in client.cookies.values())


def test_a_wrong_password_is_refused_and_nobody_is_logged_in(cloud):
    alice = cloud.tenant()
    client, response = log_in(alice, password="wrong")
    assert response.status_code == 200
    assert "account name, user name or password is not correct" in response.content.decode()
    assert client.get(reverse("images:private")).status_code == 302


def test_an_over_long_user_name_is_a_wrong_login_in_openstack_mode_too(cloud):
    """Longer than Keystone's 255 characters: no such user, answered as any wrong login (a 500 on PostgreSQL when
    django-axes recorded the whole name), and it counts towards the address's limit."""
    alice = cloud.tenant()
    client = Client()
    response = client.post(reverse("login"), {"account": alice.account_name, "username": "u" * 300, "password": "x"},
                           REMOTE_ADDR="198.51.100.90")
    assert response.status_code == 200
    assert "account name, user name or password is not correct" in response.content.decode()
    from axes.models import AccessAttempt

    assert AccessAttempt.objects.get(ip_address="198.51.100.90").username == "u" * 255


def test_a_reader_sees_the_images_but_cannot_share(cloud):
    alice = cloud.tenant()
    image_id = cloud.image(alice, "web")
    client, _ = log_in(alice, reader=True)
    assert "web" in client.get(reverse("images:private")).content.decode()
    assert client.get(reverse("sharing:share") + f"?image_id={image_id}").status_code == 403


def test_sharing_through_the_console_reaches_glance_and_the_recipient_accepts(cloud):
    alice, bob = cloud.tenant(), cloud.tenant()
    image_id = cloud.image(alice, "base-image")
    owner, _ = log_in(alice)
    response = owner.post(reverse("sharing:share"), {"image_id": image_id, "project_ids": bob.project_id})
    assert response.status_code == 302
    members = requests.get(f"{cloud.cloud.image_url}/v2/images/{image_id}/members",
                           headers={"X-Auth-Token": alice.admin.remote.token}, timeout=30).json()["members"]
    assert [(m["member_id"], m["status"]) for m in members] == [(bob.project_id, "pending")]
    recipient, _ = log_in(bob)
    assert "base-image" in recipient.get(reverse("sharing:shared_pending")).content.decode()
    recipient.post(reverse("sharing:member_status"), {"status": "accepted", "image_id": image_id})
    member = requests.get(f"{cloud.cloud.image_url}/v2/images/{image_id}/members/{bob.project_id}",
                          headers={"X-Auth-Token": alice.admin.remote.token}, timeout=30).json()
    assert member["status"] == "accepted"


def test_changes_made_through_the_console_are_its_activity_in_openstack_mode_too(cloud):
    alice, bob = cloud.tenant(), cloud.tenant()
    image_id = cloud.image(alice, "base-image")
    owner, _ = log_in(alice)
    owner.post(reverse("sharing:share"), {"image_id": image_id, "project_ids": bob.project_id})
    recipient, _ = log_in(bob)
    recipient.post(reverse("sharing:member_status"), {"status": "rejected", "image_id": image_id})
    owner.post(reverse("images:modify", args=[image_id]), {"name": "renamed", "description": ""})

    # Glance's images are not in the console's database: the jobs keep their names.
    shared, modified = reversed(owner.get(reverse("activity")).context["page"].rows)
    assert (shared.action, shared.subjects, shared.job.username) == (
        "Share", f"base-image → {bob.project_id}", f"{alice.account_name}/{alice.admin_name}"
    )
    assert (modified.action, modified.subjects) == ("Modify image", "renamed")
    (rejected,) = recipient.get(reverse("activity")).context["page"].rows
    assert rejected.action == "Reject"
    trail = owner.get(reverse("image_activity", args=[image_id])).context["traces"].rows
    assert [(t.action, t.by_recipient) for t in trail] == [
        ("Modified", False), ("Rejected by", True), ("Shared with", False)
    ]
    assert trail[0].result == "success: name changed"
    assert "Only changes made through this console are listed" in owner.get(reverse("activity")).content.decode()


def test_share_expiry_is_not_offered_with_glance_and_a_posted_one_is_refused_whole(cloud):
    alice, bob = cloud.tenant(), cloud.tenant()
    image_id = cloud.image(alice, "base-image")
    owner, _ = log_in(alice)
    dialog = owner.get(reverse("sharing:share"), {"image_id": image_id}, headers={"HX-Request": "true"}).content.decode()
    assert 'name="expires_on"' not in dialog
    response = owner.post(reverse("sharing:share"), {"image_id": image_id, "project_ids": bob.project_id,
                                                    "expires_on": "2099-01-01"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    # Even a day the console itself refuses is said (in the dialog's list of problems: there is no field for it).
    assert "2099-01-01 is more than 3 years ahead" in html
    response = owner.post(reverse("sharing:share"), {"image_id": image_id, "project_ids": bob.project_id,
                                                    "expires_on": (timezone.localdate() + timedelta(days=5)).isoformat()},
                          headers={"HX-Request": "true"})
    assert "Share expiry is not available with this cloud: Glance does not end a share by itself" in response.content.decode()
    assert cloud.members(alice, image_id) == []
    # Nor can a share's end be changed: no Change End on the Sharing tab, its address is not there, and the
    # backend refuses it all the same.
    owner.post(reverse("sharing:share"), {"image_id": image_id, "project_ids": bob.project_id})
    assert "Change End" not in owner.get(reverse("sharing:image_sharing", args=[image_id])).content.decode()
    assert owner.get(reverse("sharing:member_end", args=[image_id]), {"project_id": bob.project_id}).status_code == 404
    with pytest.raises(IMSError) as refused:
        get_backend().image_member_end_set(alice.admin, image_id, bob.project_id, None)
    assert [p.code for p in refused.value.all_problems] == [ConsoleCode.NOT_AVAILABLE]
    assert cloud.members(alice, image_id) == [(bob.project_id, "pending")]


def test_a_whole_image_id_finds_that_image_in_glance_too(cloud):
    alice, bob = cloud.tenant(), cloud.tenant()
    web, _ = cloud.image(alice, "web"), cloud.image(alice, "db")
    elsewhere = cloud.image(bob, "bobs")
    owner, _ = log_in(alice)
    found = owner.get(reverse("images:private"), {"name": web.upper()}).context["page"].items
    assert [i.name for i in found] == ["web"]
    # Another project's image is not found by its ID either.
    assert owner.get(reverse("images:private"), {"name": elsewhere}).context["page"].items == []


def test_logging_out_revokes_the_token(cloud):
    alice = cloud.tenant()
    client, _ = log_in(alice)
    token = client.session[SESSION_KEY]["token"]
    client.post(reverse("logout"))
    check = requests.get(f"{cloud.cloud.auth_url}/auth/tokens", timeout=30,
                         headers={"X-Auth-Token": alice.admin.remote.token, "X-Subject-Token": token})
    assert check.status_code == 404


def test_a_revoked_token_sends_the_user_to_log_in_again_keeping_the_page(cloud):
    alice = cloud.tenant()
    client, _ = log_in(alice)
    token = client.session[SESSION_KEY]["token"]
    requests.delete(f"{cloud.cloud.auth_url}/auth/tokens", timeout=30,
                    headers={"X-Auth-Token": token, "X-Subject-Token": token})
    response = client.get(reverse("images:private") + "?sort=name")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")
    assert "log in again" in client.get(response["Location"]).content.decode()


def test_an_image_service_that_does_not_answer_is_a_503_page_and_the_rest_still_works(cloud):
    """The session's image endpoint is pointed at a port nothing listens on: stopping the shared test cloud's
    Glance would break the other tests of this session, so this is the one fault staged by hand."""
    alice = cloud.tenant()
    client, _ = log_in(alice)
    session = client.session
    session[SESSION_KEY] = {**session[SESSION_KEY], "image_url": "http://127.0.0.1:9"}
    session.save()
    response = client.get(reverse("images:private"))
    assert response.status_code == 503
    assert "http://127.0.0.1:9" in response.content.decode() and "cannot be reached" in response.content.decode()
    assert client.get(reverse("my_credentials")).status_code == 200


def test_what_glance_does_not_offer_is_shown_as_not_available_rather_than_broken(cloud):
    alice = cloud.tenant()
    image_id = cloud.image(alice, "web")
    client, _ = log_in(alice)
    keys = client.get(reverse("images:keys")).content.decode()
    assert "KMS keys are not available in this cloud" in keys and "Create Key" not in keys
    menu = client.get(reverse("images:actions", args=[image_id])).content.decode()
    assert "Replicate is not available in this cloud" in menu
    dialog = client.post(reverse("images:key_create"), {"alias": "team/x"}).content.decode()
    assert "KMS keys are not available in this cloud" in dialog


def test_a_local_user_of_the_same_name_does_not_get_in_through_the_cloud_login(cloud):
    from tests.factories import UserFactory

    alice = cloud.tenant()
    local = UserFactory(username=alice.admin_name)
    local.set_password("local-password")
    local.save()
    client, response = log_in(alice, password="local-password")
    assert response.status_code == 200 and "not correct" in response.content.decode()
    assert client.get(reverse("images:private")).status_code == 302


def test_the_share_dialog_says_that_this_cloud_cannot_check_project_ids(cloud):
    alice = cloud.tenant()
    image_id = cloud.image(alice, "web")
    client, _ = log_in(alice)
    dialog = client.get(reverse("sharing:share") + f"?image_id={image_id}").content.decode()
    assert "does not tell the console whether a project ID exists" in dialog


def test_when_glance_refuses_a_pair_the_submission_is_undone_and_the_image_is_private_again(cloud):
    """The test cloud's Glance takes at most CLOUD_MEMBER_QUOTA members per image, fewer than IMS's 256: an image
    already at Glance's limit passes the console's checks, and the cloud's own refusal (413) comes after the other
    image's pair was added and made it shared. Everything this submission did is undone."""
    from tests.conftest import CLOUD_MEMBER_QUOTA

    alice, bob = cloud.tenant(), cloud.tenant()
    fresh, full = cloud.image(alice, "fresh"), cloud.image(alice, "full")
    glance = cloud.cloud.image_url
    headers = {"X-Auth-Token": alice.admin.remote.token}
    patch = {**headers, "Content-Type": "application/openstack-images-v2.1-json-patch"}
    requests.patch(f"{glance}/v2/images/{full}", headers=patch, timeout=30,
                   data='[{"op": "replace", "path": "/visibility", "value": "shared"}]').raise_for_status()
    for n in range(CLOUD_MEMBER_QUOTA):  # one at a time: Glance's own count is not atomic under parallel calls
        requests.post(f"{glance}/v2/images/{full}/members", headers=headers, json={"member": f"{n + 1:032x}"},
                      timeout=30).raise_for_status()
    client, _ = log_in(alice)
    response = client.post(reverse("sharing:share"), {"image_id": [fresh, full], "project_ids": bob.project_id},
                           headers={"HX-Request": "true", "HX-Target": "modal"})
    html = response.content.decode()
    assert "Nothing was changed" in html and "IMG.0088" in html
    image = requests.get(f"{glance}/v2/images/{fresh}", headers=headers, timeout=30).json()
    assert image["visibility"] == "private"
    members = requests.get(f"{glance}/v2/images/{full}/members", headers=headers, timeout=30).json()["members"]
    assert bob.project_id not in {m["member_id"] for m in members} and len(members) == CLOUD_MEMBER_QUOTA


def test_a_list_page_costs_one_glance_request(cloud):
    from ims_console.backends.openstack import glance

    alice = cloud.tenant()
    for n in range(3):
        cloud.image(alice, f"web-{n}")
    client, _ = log_in(alice)
    client.get(reverse("images:private"))  # the red dot's count is asked once, then kept for a while
    calls: list[str] = []
    session = glance.session()
    session.hooks["response"].append(lambda response, *args, **kwargs: calls.append(response.request.url))
    try:
        page = client.get(reverse("images:private")).content.decode()
    finally:
        session.hooks["response"].clear()
    assert "web-2" in page
    assert len(calls) == 1 and "/v2/images?" in calls[0]


def glance_has(cloud, tenant: Tenant, image_id: str) -> bool:
    assert tenant.admin.remote is not None
    response = requests.get(f"{cloud.cloud.image_url}/v2/images/{image_id}", timeout=30,
                            headers={"X-Auth-Token": tenant.admin.remote.token})
    assert response.status_code in (200, 404), response.text
    return response.status_code == 200


def delete_in_dialog(client: Client, image_ids: list[str]):
    return client.post(reverse("images:delete"), {"image_id": image_ids},
                       headers={"HX-Request": "true", "HX-Target": "modal"})


def test_deleting_a_protected_image_is_refused_by_name_and_deletes_none_of_the_others(cloud):
    from ims_console.activity.models import Job

    alice = cloud.tenant()
    first, kept, last = cloud.image(alice, "a-web"), cloud.image(alice, "b-kept", protected=True), cloud.image(alice, "c-db")
    client, _ = log_in(alice)
    html = delete_in_dialog(client, [first, kept, last]).content.decode()
    assert "Nothing was changed" in html
    assert "Image “b-kept” is protected in the cloud: it cannot be deleted until its protection is removed there." in html
    assert [glance_has(cloud, alice, i) for i in (first, kept, last)] == [True, True, True]
    assert not Job.objects.filter(job_type=Job.Type.DELETE_IMAGES).exists()


def test_when_glance_refuses_one_image_of_a_deletion_the_dialog_and_activity_say_which_were_deleted(cloud, monkeypatch):
    """Glance deletes one image a call. The console refuses a protected image before deleting anything, so the
    refusal must come from Glance itself after that check: the test protects the image in Glance in the moment
    between the console's check and its first delete call, as another administrator could (a race no test can
    time otherwise). The Glance that refuses is real."""
    from ims_console.activity.models import Job, Trace
    from ims_console.backends.openstack import images as openstack_images

    alice = cloud.tenant()
    first, raced, last = cloud.image(alice, "a-web"), cloud.image(alice, "b-raced"), cloud.image(alice, "c-db")
    delete_call = openstack_images.call_again
    protection = threading.Lock()
    protected: list[str] = []

    def protected_elsewhere_first(caller, method, path, **kwargs):
        with protection:  # before the first DELETE leaves, whichever of the parallel calls that is
            if not protected:
                requests.patch(f"{cloud.cloud.image_url}/v2/images/{raced}", timeout=30,
                               data='[{"op": "replace", "path": "/protected", "value": true}]',
                               headers={"X-Auth-Token": alice.admin.remote.token,
                                        "Content-Type": "application/openstack-images-v2.1-json-patch"}).raise_for_status()
                protected.append(raced)
        return delete_call(caller, method, path, **kwargs)

    client, _ = log_in(alice)
    monkeypatch.setattr(openstack_images, "call_again", protected_elsewhere_first)
    response = delete_in_dialog(client, [first, raced, last])
    monkeypatch.undo()
    html = response.content.decode()
    assert response.status_code == 200 and "Done in part." in html and "Nothing was changed" not in html
    assert "Image “b-raced” was not deleted:" in html
    assert "2 of 3 images were deleted (“a-web”, “c-db”); the other one was not." in html
    # The dialog offers only what is still there; the list behind it drops the deleted images.
    assert html.count('name="image_id"') == 1 and f'value="{raced}"' in html
    assert "images-changed" in response.headers["HX-Trigger"]
    assert [glance_has(cloud, alice, i) for i in (first, raced, last)] == [False, True, False]
    job = Job.objects.get(job_type=Job.Type.DELETE_IMAGES)
    assert (job.status, job.total, job.done) == (Job.Status.FAIL, 3, 2)
    assert {r["image_id"]: r["status"] for r in job.entities["results"]} == {first: "success", raced: "failed", last: "success"}
    assert "b-raced" in job.fail_reason
    traces = Trace.objects.filter(name=Trace.Name.DELETE_IMAGE, job_id=job.id)
    assert sorted(traces.values_list("resource_id", "result")) == sorted([(first, "success"), (raced, "failed"), (last, "success")])
    private = client.get(reverse("images:private")).content.decode()
    assert "b-raced" in private and "a-web" not in private and "c-db" not in private


def test_a_deletion_the_cloud_failed_in_part_is_a_503_that_names_what_was_deleted(cloud):
    """Glance failing (5xx, no answer) on one image's delete: a fault the test cloud cannot be made to show on
    demand, so the refusal is handed to the console's report of it, with images read from the real Glance."""
    from ims_console.activity.models import Job
    from ims_console.backends.openstack.images import not_all_deleted

    alice = cloud.tenant()
    first, failed = cloud.image(alice, "a-web"), cloud.image(alice, "b-failed")
    images = get_backend().images_get(alice.admin, [first, failed])
    down = IMSError(ConsoleCode.CLOUD_UNAVAILABLE, "The image service did not answer.", status=503)
    error = not_all_deleted(alice.admin, images, {failed: down}, {i.id: i.name for i in images})
    assert (error.status, error.message) == (503, "The image service did not answer.")
    assert [(p.code, p.message) for p in error.problems] == [
        (ConsoleCode.PARTLY_DONE, "1 of 2 images were deleted (“a-web”); the other one was not.")
    ]
    job = Job.objects.get(job_type=Job.Type.DELETE_IMAGES)
    assert (job.status, job.done, job.error_code) == (Job.Status.FAIL, 1, ConsoleCode.CLOUD_UNAVAILABLE)
    # The middleware's 503 page says what was done, not that an undo failed nor that nothing changed.
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    from ims_console.web.middleware import CloudFailuresMiddleware

    request = RequestFactory().post(reverse("images:delete"))
    request.htmx, request.user, request.tenant = False, AnonymousUser(), None
    page = CloudFailuresMiddleware(lambda r: None).process_exception(request, error)
    assert page is not None and page.status_code == 503
    html = page.content.decode()
    assert "Done in part." in html and "1 of 2 images were deleted (“a-web”); the other one was not." in html
    assert "Not everything was undone" not in html and "Nothing was changed" not in html
