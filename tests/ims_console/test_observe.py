"""Request IDs: in every answer, taken from a load balancer when sensible, kept on the Activity job a request starts."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from ims_console.activity.models import Job
from tests.factories import ImageFactory

GENERATED = re.compile(r"req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.mark.parametrize("url", ["/login/", "/health/live/", "/v3", "/no-such-page/"])
def test_every_answer_carries_a_request_id_of_its_own(client, db, url):
    first, second = client.get(url), client.get(url)
    assert GENERATED.fullmatch(first["X-Request-ID"]) and GENERATED.fullmatch(second["X-Request-ID"])
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_a_refusal_made_before_any_view_carries_one_too(client, db):
    response = client.get("/images/?name=%00")
    assert response.status_code == 400 and GENERATED.fullmatch(response["X-Request-ID"])


@pytest.mark.parametrize("incoming,kept", [
    ("lb-7f3a9c2e41d0", True), ("req-5b1f2c8e-aaaa-bbbb-cccc-0123456789ab", True),
    ("short", False), ("two words here", False), ("x" * 65, False), ("evil\r\nSet-Cookie: a=b", False),
])
def test_a_load_balancers_request_id_is_kept_when_it_is_sensible(client, db, incoming, kept):
    response = client.get("/login/", HTTP_X_REQUEST_ID=incoming)
    assert (response["X-Request-ID"] == incoming) is kept
    if not kept:
        assert GENERATED.fullmatch(response["X-Request-ID"])


def test_the_activity_job_a_share_starts_keeps_the_requests_id_and_shows_it(owner, recipient):
    image = ImageFactory(project=owner.project)
    response = owner.client.post(reverse("sharing:share"), {"image_id": str(image.pk), "project_ids": recipient.project.pk},
                                 HTTP_HX_REQUEST="true", HTTP_X_REQUEST_ID="lb-share-0001")
    assert "HX-Trigger" in response and response["X-Request-ID"] == "lb-share-0001"
    job = Job.objects.get(project_id=owner.project.pk)
    assert job.request_id == "lb-share-0001"
    page = owner.client.get(reverse("activity_job", args=[job.pk])).content.decode()
    assert "Request ID" in page and "<code>lb-share-0001</code>" in page


def test_a_job_made_outside_a_request_has_no_request_id(owner):
    from django.utils import timezone

    job = Job.objects.create(job_type=Job.Type.ADD_MEMBERS, project_id=owner.project.pk, begin_time=timezone.now())
    assert job.request_id == ""
