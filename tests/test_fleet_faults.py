"""Faults a fleet survives (issue 23), with the real servers stopped and started by the test: PostgreSQL restarted
under a load of writes (503 while it is down, never a 500; every share the console said it made is there afterwards;
the instance recovers without a restart), and Redis stopped (the console keeps working)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections import Counter

import psycopg
import pytest
import redis

from ims_console.fleet import ROOT, environment, instance
from tests.fleet_parts import Browser, fleet_database, own_postgres, own_redis, pending_image, running
from tests.served import serve_console

pytestmark = [pytest.mark.slow]

SETUP = """
import json, uuid
from images.models import Image
from ims_console.identity.models import Account, Project
acme = Project.objects.get(name="eu-de_acme")
account = Account.objects.create(name="fleet-recipients")
projects = Project.objects.bulk_create(
    Project(id=uuid.uuid4().hex, name=f"eu-de_fleet-{n:02}", region="eu-de", account=account) for n in range(40))
images = Image.objects.filter(project=acme, status="active", key__isnull=True, image_type__in=["system", "data"])
print(json.dumps({"images": [str(i) for i in images.values_list("pk", flat=True)[:6]], "projects": [p.pk for p in projects]}))
"""


def _manage(env: dict, *command: str) -> str:
    run = subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    return run.stdout


def test_postgresql_restarted_under_writes_gives_503s_loses_nothing_and_the_instance_recovers(tmp_path):
    with own_postgres() as pg, own_redis(tmp_path) as shared:
        env = environment(pg.create_database("ims"), shared.url)
        _manage(env, "migrate", "--no-input", "-v", "0")
        _manage(env, "seed_demo")
        setup = json.loads(_manage(env, "shell", "-c", SETUP).strip().splitlines()[-1])
        pairs = [(image, project) for project in setup["projects"] for image in setup["images"]]
        a = instance("a", env, threads=8, log=tmp_path / "a.log")
        with running(a):
            a.wait_answering()
            alice = Browser()
            assert alice.log_in(a.url, "", "alice").status_code == 302

            told_shared: list[tuple[str, str]] = []
            statuses: Counter = Counter()
            after_restart = threading.Event()
            recovered: list[tuple[str, str]] = []
            lock = threading.Lock()
            queue = list(pairs)

            def writer() -> None:
                while True:
                    with lock:
                        if not queue:
                            return
                        pair = queue.pop()
                    response = alice.post(f"{a.url}/sharing/share/", {"image_id": pair[0], "project_ids": pair[1]})
                    with lock:
                        statuses[response.status_code] += 1
                        if response.status_code == 200 and "HX-Trigger" in response.headers:
                            told_shared.append(pair)
                            if after_restart.is_set():
                                recovered.append(pair)
                    if response.status_code == 503:
                        time.sleep(0.1)  # as a user reads the page before trying again

            writers = [threading.Thread(target=writer) for _ in range(4)]
            for thread in writers:
                thread.start()
            time.sleep(1.5)
            pg.stop()
            try:
                # While it is down: a page and a dialog's OK each say so with a 503, the API too; liveness still
                # answers (the process is fine), readiness does not.
                page = alice.get(f"{a.url}/images/")
                assert page.status_code == 503 and "cannot reach its database" in page.text
                assert page.headers["Retry-After"] == "30"
                dialog = alice.post(f"{a.url}/sharing/share/", {"image_id": pairs[0][0], "project_ids": pairs[0][1]})
                assert dialog.status_code == 503 and dialog.headers["HX-Retarget"] == "#modal"
                assert alice.get(f"{a.url}/health/live/").status_code == 200
                ready = alice.get(f"{a.url}/health/ready/")
                assert ready.status_code == 503 and ready.json()["checks"]["database"].startswith("unavailable")
                time.sleep(1.5)
            finally:
                pg.start()
            after_restart.set()
            for thread in writers:
                thread.join(timeout=300)

            assert alice.get(f"{a.url}/health/ready/").status_code == 200

    # Outside the instance: what the database holds.
        with psycopg.connect(env["DATABASE_URL"].replace("postgres://", "postgresql://")) as db:
            held = set(db.execute("SELECT image_id::text, project_id FROM sharing_imagemember").fetchall())
    assert statuses[503] >= 1, statuses
    assert set(statuses) <= {200, 503}, f"only shares and 503s, no 500: {statuses}"
    assert recovered, "no share succeeded after PostgreSQL came back: the instance did not recover by itself"
    lost = [pair for pair in told_shared if pair not in held]
    assert not lost, f"{len(lost)} of {len(told_shared)} shares the console said it made are not in the database"


@pytest.mark.django_db(transaction=True)  # the fleet's scratch database is made on the test server
def test_redis_stopped_the_console_keeps_working_and_picks_redis_up_again(tmp_path):
    """OpenStack mode, where the cache holds what the cloud said: without Redis every page asks the cloud afresh."""
    with serve_console(tmp_path) as cloud, own_redis(tmp_path) as shared, fleet_database(tmp_path) as database:
        env = environment(database, shared.url, IMS_BACKEND="openstack", OS_AUTH_URL=f"{cloud.url}/v3",
                          OS_REGION_NAME="eu-de")
        a = instance("a", env, log=tmp_path / "a.log")
        with running(a):
            a.wait_answering()
            bob = Browser()
            assert bob.log_in(a.url, "globex", "bob").status_code == 302
            waiting = bob.pending(a.url)
            assert waiting >= 1

            shared.stop()
            # Pages, logging in (its throttle counts in the database) and a write all work; the count is asked of
            # the cloud each time instead of kept.
            assert bob.pending(a.url) == waiting
            assert Browser().log_in(a.url, "globex", "bob").status_code == 302
            image = pending_image(cloud.database, "eu-de_globex")
            accepted = bob.post(f"{a.url}/shared/status/", {"status": "accepted", "image_id": [image]})
            assert "HX-Trigger" in accepted.headers, accepted.text[:500]
            assert bob.pending(a.url) == waiting - 1
            ready = bob.get(f"{a.url}/health/ready/")
            assert ready.status_code == 503 and ready.json()["checks"] == {
                "database": "ok", "cache": "unavailable: does not answer", "keystone": "ok"}
            assert bob.get(f"{a.url}/health/live/").status_code == 200

            shared.start()
            assert bob.get(f"{a.url}/health/ready/").status_code == 200
            assert bob.pending(a.url) == waiting - 1
            assert redis.Redis.from_url(shared.url).keys("ims:*pending*"), "the count is kept in Redis again"
