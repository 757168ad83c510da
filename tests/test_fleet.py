"""The console as a fleet (issue 23): two instances (gunicorn, each its own process) on one database and one Redis,
a change made through one read through the other. The cloud is a console serving its demo data (tests/served.py);
the instances front it in OpenStack mode, where the console caches what the cloud says."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
import requests

from ims_console.fleet import ROOT, environment, instance
from tests.fleet_parts import Browser, fleet_database, own_redis, pending_image, running
from tests.served import serve_console

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_two_instances_on_one_redis_agree_on_a_count_one_of_them_changed(tmp_path):
    with serve_console(tmp_path) as cloud, own_redis(tmp_path) as shared, fleet_database(tmp_path) as database:
        env = environment(database, shared.url, IMS_BACKEND="openstack", OS_AUTH_URL=f"{cloud.url}/v3",
                          OS_REGION_NAME="eu-de", IMS_METRICS="1")
        a, b = instance("a", env, log=tmp_path / "a.log"), instance("b", env, log=tmp_path / "b.log")
        with running(a, b):
            a.wait_answering(), b.wait_answering()
            bob = Browser()
            assert bob.log_in(a.url, "globex", "bob").status_code == 302
            waiting = bob.pending(b.url)  # asked of the cloud by b, kept in Redis for 30 s
            assert waiting >= 1
            assert any(b"pending" in key for key in redis.Redis.from_url(shared.url).keys("ims:*"))

            image = pending_image(cloud.database, "eu-de_globex")
            accepted = bob.post(f"{a.url}/shared/status/", {"status": "accepted", "image_id": [image]})
            assert "HX-Trigger" in accepted.headers, accepted.text[:500]

            # a forgot the count when bob accepted; b, asked next, knows it at once (it would say `waiting` for
            # 30 s more with a cache of its own).
            assert bob.pending(b.url) == waiting - 1
            assert bob.pending(a.url) == waiting - 1

            # Each instance counts the Glance calls it made (IMS_METRICS on, scraped from loopback).
            scraped = {part.name: requests.get(f"{part.url}/metrics", timeout=30).text for part in (a, b)}
            assert 'ims_glance_calls_total{method="PUT",outcome="ok"} 1.0' in scraped["a"]
            assert 'ims_glance_calls_total{method="GET",outcome="ok"}' in scraped["b"]
            assert 'ims_glance_calls_total{method="PUT"' not in scraped["b"]


def test_login_throttling_counts_failures_made_at_every_instance(tmp_path):
    with serve_console(tmp_path) as cloud, own_redis(tmp_path) as shared, fleet_database(tmp_path) as database:
        env = environment(database, shared.url, IMS_BACKEND="openstack", OS_AUTH_URL=f"{cloud.url}/v3",
                          OS_REGION_NAME="eu-de", IMS_LOGIN_FAILURE_LIMIT="3")
        a, b = instance("a", env), instance("b", env)
        with running(a, b):
            a.wait_answering(), b.wait_answering()
            mallory = Browser()
            for base in (a.url, b.url):
                assert mallory.log_in(base, "acme", "alice", "wrong").status_code == 200  # the form again, refused
            assert mallory.log_in(a.url, "acme", "alice", "wrong").status_code == 429  # the third: paused
            # The next try, at the other instance, with the right password: still paused.
            locked = mallory.log_in(b.url, "acme", "alice")
            assert locked.status_code == 429 and "Too many failed log-ins" in locked.text
            assert Browser().log_in(a.url, "acme", "alice").status_code == 429


def test_an_instances_log_is_one_json_object_a_line_with_the_request_id_of_the_answer_and_the_activity(tmp_path):
    with own_redis(tmp_path) as shared, fleet_database(tmp_path) as database:
        env = environment(database, shared.url, IMS_LOG_FORMAT="json", DJANGO_LOG_LEVEL="INFO")
        _manage(env, "seed_demo")
        log = tmp_path / "a.log"
        a = instance("a", env, log=log)
        with running(a):
            a.wait_answering()
            alice = Browser()
            assert alice.log_in(a.url, "", "alice").status_code == 302
            image = json.loads(_manage(env, "shell", "-c", FIRST_IMAGE).strip().splitlines()[-1])
            shared_it = alice.post(f"{a.url}/sharing/share/", {"image_id": image["image"], "project_ids": image["globex"]})
            assert "HX-Trigger" in shared_it.headers
            request_id = shared_it.headers["X-Request-ID"]
            refused = alice.get(f"{a.url}/images/00000000-0000-0000-0000-000000000000/")
            assert refused.status_code == 404
        lines = [line for line in log.read_text().splitlines() if line.strip()]
        records = [json.loads(line) for line in lines]  # every line, gunicorn's own included
        assert any(r["logger"] == "gunicorn.error" for r in records)  # "Starting gunicorn", "Booting worker"
        access = [r for r in records if r["logger"] == "ims.access" and r["request_id"] == request_id]
        assert len(access) == 1 and access[0]["status"] == 200 and access[0]["path"] == "/sharing/share/"
        assert access[0]["view"] == "sharing:share" and access[0]["duration_ms"] > 0 and "time" in access[0]
        not_found = [r for r in records if r["logger"] == "django.request" and r["request_id"] == refused.headers["X-Request-ID"]]
        assert not_found and not_found[0]["level"] == "WARNING"
        job_request_ids = json.loads(_manage(env, "shell", "-c", JOB_REQUEST_IDS).strip().splitlines()[-1])
        assert request_id in job_request_ids


FIRST_IMAGE = """
import json
from images.models import Image
from ims_console.identity.models import Project
image = Image.objects.filter(project__name="eu-de_acme", status="active", key__isnull=True, image_type="system").order_by("name").first()
print(json.dumps({"image": str(image.pk), "globex": Project.objects.get(name="eu-de_initech").pk}))
"""
JOB_REQUEST_IDS = """
import json
from ims_console.activity.models import Job
print(json.dumps(list(Job.objects.values_list("request_id", flat=True))))
"""


def _manage(env: dict, *command: str) -> str:
    run = subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    return run.stdout


HANG = """
from ims_console.activity.models import Job
job = Job.objects.get(pk="{job}")
job.credential = {{**job.credential, "image_url": "{url}"}}
job.save(update_fields=["credential"])
"""
STALE = """
from datetime import timedelta
from ims_console.activity.models import Job
from ims_console.backends.openstack.jobs import stalled_after
from django.utils import timezone
Job.objects.filter(pk="{job}").update(heartbeat_at=timezone.now() - stalled_after() - timedelta(seconds=1))
"""


def wait_for_line(log, text: str, timeout: float = 60) -> None:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if log.exists() and text in log.read_text():
            return
        time.sleep(0.1)
    raise AssertionError(f"{log.name} never said {text!r}")


def test_two_workers_share_the_queue_run_each_job_once_and_carry_on_when_one_is_killed(tmp_path):
    import socket
    import time

    from ims_console.fleet import worker
    from tests.fleet_parts import query

    with serve_console(tmp_path) as cloud, own_redis(tmp_path) as shared, fleet_database(tmp_path) as database:
        env = environment(database, shared.url, IMS_BACKEND="openstack", OS_AUTH_URL=f"{cloud.url}/v3",
                          OS_REGION_NAME="eu-de", IMS_BACKGROUND_PAIRS="1", IMS_REMOTE_TIMEOUT="300",
                          DJANGO_LOG_LEVEL="INFO")
        with sqlite3.connect(cloud.database) as db:
            images = [row[0] for row in db.execute(
                "SELECT i.id FROM images_image i JOIN ims_console_project p ON p.id = i.project_id WHERE p.name = "
                "'eu-de_acme' AND i.status = 'active' AND i.key_id IS NULL AND i.image_type = 'system' AND NOT EXISTS "
                "(SELECT 1 FROM sharing_imagemember m WHERE m.image_id = i.id) ORDER BY i.name")]
        recipients = " ".join(cloud.project_id(name) for name in ("eu-de_globex", "eu-de_initech"))
        assert len(images) >= 12
        a = instance("a", env, log=tmp_path / "a.log")
        w1, w2 = worker("w1", env, log=tmp_path / "w1.log"), worker("w2", env, log=tmp_path / "w2.log")
        alice = Browser()

        def submit(image: str) -> str:
            """A share of one image with two projects: more than IMS_BACKGROUND_PAIRS, so a background job."""
            response = alice.post(f"{a.url}/sharing/share/", {"image_id": image, "project_ids": recipients})
            assert "HX-Trigger" in response.headers, response.text[:300]
            request = response.headers["X-Request-ID"]
            ((job,),) = query(database, "SELECT id FROM sharing_job WHERE request_id = ?", (request,))
            return job

        def wait_for(jobs: list[str], status: str, timeout: float = 180) -> None:
            deadline = time.monotonic() + timeout
            marks = ",".join("?" * len(jobs))
            while time.monotonic() < deadline:
                rows = query(database, f"SELECT status FROM sharing_job WHERE id IN ({marks})", tuple(jobs))
                if len(rows) == len(jobs) and all(r[0] == status for r in rows):
                    return
                time.sleep(0.2)
            raise AssertionError(f"jobs not {status}: {query(database, 'SELECT id, status FROM sharing_job')}")

        with running(a):
            a.wait_answering()
            assert alice.log_in(a.url, "acme", "alice").status_code == 302

            # Two workers waiting on the queue, eight jobs submitted at once: each job is run by one of them, once.
            with running(w1, w2):
                for part in (w1, w2):
                    wait_for_line(part.log, "Starting worker")
                with ThreadPoolExecutor(8) as pool:
                    raced = list(pool.map(submit, images[:8]))
                wait_for(raced, "SUCCESS")
            claims = query(database, "SELECT worker_ids FROM django_tasks_database_dbtaskresult")
            workers = [json.loads(c[0]) if isinstance(c[0], str) else c[0] for c in claims]
            assert len(workers) == 8 and all(len(w) == 1 for w in workers), workers
            # Usually both took some; on a busy machine one may take all eight, which is no fault.
            marks = ",".join("?" * len(raced))
            traces = query(database, f"SELECT job_id, COUNT(*) FROM ims_console_trace WHERE job_id IN ({marks}) GROUP BY job_id",
                           tuple(raced))
            assert sorted(n for _, n in traces) == [2] * 8, "a job's pairs were traced more than once"

            # A job whose worker is killed in the middle of it: the other worker carries on with the rest of the
            # queue, and the killed one's job is ended as "worker stopped" when the project next looks.
            # A fault no real Glance shows on demand: one that takes the connection and never answers.
            hung = socket.socket()
            hung.bind(("127.0.0.1", 0))
            hung.listen(16)
            try:
                stuck = submit(images[8])
                _manage(env, "shell", "-c", HANG.format(url=f"http://127.0.0.1:{hung.getsockname()[1]}", job=stuck))
                w1.start()
                wait_for([stuck], "RUNNING")
                w2.start()
                rest = [submit(image) for image in images[9:12]]
                w1.kill()
                wait_for(rest, "SUCCESS")
                assert query(database, "SELECT status FROM sharing_job WHERE id = ?", (stuck,)) == [("RUNNING",)]
                _manage(env, "shell", "-c", STALE.format(job=stuck))
                assert alice.get(f"{a.url}/activity/").status_code == 200
                assert query(database, "SELECT status, error_code FROM sharing_job WHERE id = ?", (stuck,)) == [
                    ("FAIL", "console.job_stalled")]
            finally:
                w2.stop()
                hung.close()
