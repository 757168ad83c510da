"""The console as a fleet (issue 23): two instances (gunicorn, each its own process) on one database and one Redis,
a change made through one read through the other. The cloud is a console serving its demo data (tests/served.py);
the instances front it in OpenStack mode, where the console caches what the cloud says."""

from __future__ import annotations

import pytest
import redis

from ims_console.fleet import environment, instance
from tests.fleet_parts import Browser, fleet_database, own_redis, pending_image, running
from tests.served import serve_console

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_two_instances_on_one_redis_agree_on_a_count_one_of_them_changed(tmp_path):
    with serve_console(tmp_path) as cloud, own_redis(tmp_path) as shared, fleet_database(tmp_path) as database:
        env = environment(database, shared.url, IMS_BACKEND="openstack", OS_AUTH_URL=f"{cloud.url}/v3",
                          OS_REGION_NAME="eu-de")
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
