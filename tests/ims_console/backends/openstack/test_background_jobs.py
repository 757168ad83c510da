"""OpenStack mode's background jobs: a submission of more pairs than IMS_BACKGROUND_PAIRS is validated at once,
then run by the real task worker (django-tasks-db) against the real Glance; its progress and end are shown in the
jobs region. The worker runs where each test says (tests/conftest.py::run_tasks), so that the test can look at
the job before and after."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import requests
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ims_console.activity.models import Job, Trace
from tests.clouds import OpenStackCloud, Tenant
from tests.conftest import run_tasks
from tests.ims_console.backends.openstack.test_openstack_mode import log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def cloud(openstack, settings):
    settings.IMS_BACKGROUND_PAIRS = 3
    return openstack



def glance_visibility(cloud: OpenStackCloud, owner: Tenant, image_id: str) -> str:
    assert owner.admin.remote is not None
    return requests.get(f"{cloud.cloud.image_url}/v2/images/{image_id}",
                        headers={"X-Auth-Token": owner.admin.remote.token}, timeout=30).json()["visibility"]


def region(client: Client, watching: str = "") -> tuple[str, str]:
    response = client.get(reverse("background_jobs"), {"watching": watching}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    return response.content.decode(), response.headers.get("HX-Trigger", "")


def test_a_large_share_is_a_background_job_that_the_worker_runs_against_glance(cloud):
    acme = cloud.tenant()
    images = [cloud.image(acme, "web"), cloud.image(acme, "db")]
    recipients = [uuid.uuid4().hex, uuid.uuid4().hex]
    owner, _ = log_in(acme)

    response = owner.post(reverse("sharing:share"), {"image_id": images, "project_ids": ",".join(recipients)},
                          headers={"HX-Request": "true"})

    # Validated and queued, not yet done: the request did not wait for Glance.
    assert response.status_code == 200
    assert "Sharing 2 images with 2 projects (4 pairs) in the background" in response.content.decode()
    job = Job.objects.get()
    assert (job.background, job.status, job.total, job.done, job.username) == (True, "INIT", 4, 0, f"{acme.account_name}/{acme.admin_name}")
    assert all(cloud.members(acme, i) == [] for i in images)
    page, _ = region(owner)
    assert "Sharing 2 images with 2 projects" in page and "Waiting to start." in page
    # The token is in the job row while it waits (the worker acts for the user), never in the task's arguments.
    assert job.credential["token"] and job.credential["token"] not in str(DBTaskResult.objects.get().args_kwargs)

    run_tasks()

    assert all(cloud.members(acme, i) == sorted((r, "pending") for r in recipients) for i in images)
    job.refresh_from_db()
    assert (job.status, job.done, job.credential) == ("SUCCESS", 4, {})
    assert {(r["image_id"], r["project_id"], r["status"]) for r in job.entities["results"]} == {
        (i, r, "success") for i in images for r in recipients
    }
    page, trigger = region(owner, watching=job.id)
    assert "Shared 2 images with 2 projects" in page and "All 4 pairs done." in page
    # The job is the project's activity, with the images named and a trace per pair from the owner's address.
    (row,) = owner.get(reverse("activity")).context["page"].rows
    assert (row.action, row.status, row.summary) == ("Share", "Succeeded", "4 pairs")
    assert set(row.subjects.split(" → ")[0].split(", ")) == {"web", "db"}
    assert sorted(Trace.objects.filter(job_id=job.pk).values_list("resource_id", "member_project_id", "source_ip")) == sorted(
        (i, r, "127.0.0.1") for i in images for r in recipients
    )
    # The page the owner watches it from refreshes its lists now that the job has ended.
    assert "images-shared" in trigger and "members-changed" in trigger
    assert region(owner)[1] == ""


def test_a_background_share_the_cloud_refuses_in_part_undoes_every_pair_it_added_and_says_why(cloud):
    acme = cloud.tenant()
    shared, private = cloud.image(acme, "web"), cloud.image(acme, "db")
    earlier, conflicting = uuid.uuid4().hex, uuid.uuid4().hex
    recipients = [uuid.uuid4().hex, conflicting, uuid.uuid4().hex]
    owner, _ = log_in(acme)
    owner.post(reverse("sharing:share"), {"image_id": shared, "project_ids": earlier})
    owner.post(reverse("sharing:share"), {"image_id": [shared, private], "project_ids": ",".join(recipients)})
    # Between the check and the job, someone adds one of the pairs in the cloud directly: Glance refuses it (409).
    assert acme.admin.remote is not None
    requests.post(f"{cloud.cloud.image_url}/v2/images/{shared}/members", json={"member": conflicting},
                  headers={"X-Auth-Token": acme.admin.remote.token}, timeout=30).raise_for_status()

    run_tasks()

    job = Job.objects.get(background=True)
    assert (job.status, job.done, job.credential) == ("FAIL", 0, {})
    # All or nothing: the 5 pairs Glance took are removed again, the image the job opened is private again, and
    # what was there before the job (the earlier share, the pair added meanwhile) is left alone.
    assert cloud.members(acme, shared) == sorted([(earlier, "pending"), (conflicting, "pending")])
    assert cloud.members(acme, private) == []
    assert glance_visibility(cloud, acme, private) == "private"
    assert glance_visibility(cloud, acme, shared) == "shared"
    assert [(r["image_id"], r["project_id"]) for r in job.entities["results"] if r["status"] == "failed"] == [
        (shared, conflicting)
    ]
    page, _ = region(owner)
    assert "Sharing 2 images with 3 projects failed" in page and "Nothing was shared" in page
    assert f"{conflicting} on image {shared}" in page


def test_a_small_share_is_done_in_the_request_without_a_background_job(cloud):
    acme = cloud.tenant()
    image = cloud.image(acme, "web")
    recipients = [uuid.uuid4().hex for _ in range(3)]
    owner, _ = log_in(acme)

    response = owner.post(reverse("sharing:share"), {"image_id": image, "project_ids": ",".join(recipients)})

    assert response.status_code == 302
    assert cloud.members(acme, image) == sorted((r, "pending") for r in recipients)
    assert not DBTaskResult.objects.exists()
    # Recorded for the Activity page as done, not run by the worker.
    job = Job.objects.get()
    assert (job.background, job.status, job.total, job.credential) == (False, "SUCCESS", 3, {})


def test_a_refused_large_share_queues_nothing(cloud):
    acme = cloud.tenant()
    image = cloud.image(acme, "web")
    owner, _ = log_in(acme)
    typed = ",".join([uuid.uuid4().hex for _ in range(4)] + ["not-a-project"])

    response = owner.post(reverse("sharing:share"), {"image_id": image, "project_ids": typed})

    assert response.status_code == 200 and "not-a-project" in response.content.decode()
    assert not Job.objects.exists() and not DBTaskResult.objects.exists()
    assert cloud.members(acme, image) == []


def test_stopping_a_large_share_is_a_background_job_too(cloud):
    acme = cloud.tenant()
    images = [cloud.image(acme, "web"), cloud.image(acme, "db")]
    recipients = [uuid.uuid4().hex, uuid.uuid4().hex]
    owner, _ = log_in(acme)
    owner.post(reverse("sharing:share"), {"image_id": images, "project_ids": ",".join(recipients)})
    run_tasks()

    response = owner.post(reverse("sharing:share"), {"image_id": images, "tab": "stop", "project_id": recipients},
                          headers={"HX-Request": "true"})

    assert "Stopping sharing in the background (4 shares)" in response.content.decode()
    run_tasks()
    stop = Job.objects.get(job_type=Job.Type.DELETE_MEMBERS)
    assert (stop.status, stop.done) == ("SUCCESS", 4), stop.fail_reason
    assert all(cloud.members(acme, i) == [] for i in images)
    assert "Stopped sharing 2 images with 2 projects" in region(owner)[0]


def test_a_job_no_worker_picks_up_says_so(cloud):
    acme = cloud.tenant()
    image = cloud.image(acme, "web")
    owner, _ = log_in(acme)
    owner.post(reverse("sharing:share"), {"image_id": image, "project_ids": ",".join(uuid.uuid4().hex for _ in range(4))})
    Job.objects.update(begin_time=timezone.now() - timedelta(minutes=1))

    page, _ = region(owner)

    assert "Waiting for the task worker" in page and "manage.py db_worker" in page


def test_jobs_are_seen_only_in_their_project_and_by_its_users(cloud):
    acme, globex = cloud.tenant(), cloud.tenant()
    image = cloud.image(acme, "web")
    owner, _ = log_in(acme)
    owner.post(reverse("sharing:share"), {"image_id": image, "project_ids": ",".join(uuid.uuid4().hex for _ in range(4))})
    # Read-only users of the project see its jobs; other tenants do not; nobody else gets in; it is a GET.
    reader, _ = log_in(acme, reader=True)
    assert "Sharing 1 image with 4 projects" in region(reader)[0]
    outsider, _ = log_in(globex)
    page, _ = region(outsider)
    assert "Sharing" not in page and "hidden" in page
    anonymous = Client().get(reverse("background_jobs"))
    assert anonymous.status_code == 302 and reverse("login") in anonymous.headers["Location"]
    assert owner.post(reverse("background_jobs")).status_code == 405
    # Every page of the project shows the region, so the job is seen wherever the owner goes next.
    assert 'id="background-jobs"' in owner.get(reverse("sharing:shared_with_me")).content.decode()


def test_the_jobs_region_is_not_there_in_embedded_mode(owner):
    assert owner.client.get(reverse("background_jobs")).status_code == 404
    assert 'id="background-jobs"' not in owner.client.get(reverse("images:private")).content.decode()


def test_a_failed_job_does_not_close_an_image_that_another_submission_shared_meanwhile(cloud):
    acme = cloud.tenant()
    image = cloud.image(acme, "web")
    recipients = ",".join(uuid.uuid4().hex for _ in range(4))
    owner, _ = log_in(acme)
    # The same submission twice (a double click, two tabs): both are checked before either has run.
    owner.post(reverse("sharing:share"), {"image_id": image, "project_ids": recipients})
    owner.post(reverse("sharing:share"), {"image_id": image, "project_ids": recipients})

    run_tasks()

    first, second = Job.objects.order_by("begin_time")
    assert (first.status, second.status) == ("SUCCESS", "FAIL")
    # The second found every pair there (Glance: 409) and undid nothing of the first's: the image stays shared.
    assert glance_visibility(cloud, acme, image) == "shared"
    assert len(cloud.members(acme, image)) == 4


def test_a_job_that_fails_for_the_consoles_own_fault_still_ends_erases_the_token_and_the_task_fails(cloud):
    acme = cloud.tenant()
    image = cloud.image(acme, "web")
    owner, _ = log_in(acme)
    owner.post(reverse("sharing:share"), {"image_id": image, "project_ids": ",".join(uuid.uuid4().hex for _ in range(4))})
    # A fault no real server shows: the job row's endpoint is not a URL, so `requests` refuses it before any call.
    job = Job.objects.get()
    job.credential = {**job.credential, "image_url": "not-a-url"}
    job.save(update_fields=["credential"])

    run_tasks()

    job.refresh_from_db()
    assert (job.status, job.error_code, job.credential) == ("FAIL", "console.job_failed", {})
    assert "see the task worker's log" in job.fail_reason
    assert DBTaskResult.objects.get().status == "FAILED"
    assert cloud.members(acme, image) == []


def _test_database_url() -> str:
    """The test database as a DATABASE_URL, for a worker started as its own process."""
    from django.db import connection

    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    return f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def test_a_job_whose_worker_is_killed_is_ended_as_stalled_with_its_token_erased(cloud):
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time

    from django.conf import settings

    from ims_console.activity.labels import status_label
    from ims_console.backends.openstack import jobs as openstack_jobs

    acme = cloud.tenant()
    images = [cloud.image(acme, "web"), cloud.image(acme, "db")]
    owner, _ = log_in(acme)
    owner.post(reverse("sharing:share"), {"image_id": images, "project_ids": ",".join(uuid.uuid4().hex for _ in range(2))})
    job = Job.objects.get()
    # A fault no real Glance shows on demand: an image service that takes the connection and never answers, so
    # the worker is surely in the middle of the job when it is killed.
    hung = socket.socket()
    hung.bind(("127.0.0.1", 0))
    hung.listen(16)
    job.credential = {**job.credential, "image_url": f"http://127.0.0.1:{hung.getsockname()[1]}"}
    job.save(update_fields=["credential"])
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--interval", "0.1"],
        cwd=settings.BASE_DIR, env={**os.environ, "DATABASE_URL": _test_database_url(), "IMS_REMOTE_TIMEOUT": "300"},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while Job.objects.get().status != Job.Status.RUNNING and time.monotonic() < deadline:
            time.sleep(0.1)
        job.refresh_from_db()
        assert job.status == Job.Status.RUNNING and job.heartbeat_at is not None
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
        hung.close()

    # Just killed: still heard of a moment ago, so still running, and nothing is ended early.
    page, _ = region(owner, watching=job.id)
    assert "Sharing 2 images with 2 projects" in page and "0 of 4 pairs done." in page
    assert Job.objects.get().status == Job.Status.RUNNING
    (row,) = owner.get(reverse("activity")).context["page"].rows
    assert row.status == "Running"
    # Not heard of for longer than a Glance call can take: the jobs region ends it: failed, every pair's result
    # unknown, the user's token erased.
    Job.objects.update(heartbeat_at=timezone.now() - openstack_jobs.stalled_after() - timedelta(seconds=1))
    assert status_label(Job.objects.get()) == "Failed: worker stopped"  # a page read before the region
    page, trigger = region(owner, watching=job.id)
    assert "Sharing 2 images with 2 projects stopped" in page
    assert "The task worker stopped while running this job" in page and "after 0 of 4 pairs" in page
    assert "images-shared" in trigger
    job.refresh_from_db()
    assert (job.status, job.error_code, job.credential) == ("FAIL", "console.job_stalled", {})
    assert job.end_time is not None
    assert {r["status"] for r in job.entities["results"]} == {"unknown"} and len(job.entities["results"]) == 4
    (row,) = owner.get(reverse("activity")).context["page"].rows
    assert (row.status, row.summary) == ("Failed: worker stopped", "4 pairs: 4 unknown")
    assert "Failed: worker stopped" in owner.get(reverse("activity_job", args=[job.id])).content.decode()
    # The reader sees the same; another project sees nothing of it.
    reader, _ = log_in(acme, reader=True)
    assert "stopped" in region(reader)[0]
