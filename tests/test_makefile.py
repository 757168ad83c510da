from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_stops_with_a_clear_message_when_no_python_is_new_enough(tmp_path):
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    old_python = tmp_path / "bin" / "python3"
    old_python.parent.mkdir()
    old_python.write_text("#!/bin/sh\nexit 1\n")  # answers like an interpreter older than 3.12
    old_python.chmod(0o755)
    result = subprocess.run(
        ["make", "--no-print-directory", ".venv/bin/python", f"PYENV_ROOT={tmp_path / 'no-pyenv'}"],
        cwd=tmp_path, env={"PATH": f"{old_python.parent}:/usr/bin:/bin", "HOME": str(tmp_path)},
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode != 0
    assert "IMS Console needs Python 3.12 or newer" in result.stderr
    assert not (tmp_path / ".venv").exists()


# The commands the README tells users to run, each at its smallest size on a scratch database of its own: they
# broke unseen once (`make bench` stopped at its first part when jobs gained a column its floor did not write).

def run_make(target: str, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    result = subprocess.run(["make", "--no-print-directory", target, *args], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, f"make {target} failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    return result


@pytest.mark.commands
def test_make_bench_prints_every_part_at_its_smallest_size():
    out = run_make("bench", "BENCH_ARGS=--sizes 2 --seconds 1 --sharing-size 5").stdout
    assert "pairs:       25 (5 images x 5 projects)" in out and "ratio:" in out
    assert "Private Images" in out and "Accept All with 2 pending shares" in out
    assert "bare Django page" in out and "KMS Keys" in out
    assert "The same pages in German" in out and re.search(r"Private Images \(20 rows\)\s+c8\s+[\d.]+", out)
    assert "member list (128 members)" in out and "member status update" in out
    assert "batch add of 5 images x 5 projects" in out and "signature verification" in out


@pytest.mark.commands
def test_make_bench_openstack_runs_against_its_own_cloud_at_its_smallest_size():
    out = run_make("bench-openstack", "BENCH_ARGS=--images 2 --projects 30 --list-rounds 3").stdout
    assert "50 ms away behind" in out  # the far cloud: a proxy holds each call to Glance back
    assert "Glance requests per page: 1" in out and "the console adds" in out and "(target: at most 15 ms:" in out
    assert "== Sharing 2 images with 30 projects (60 pairs)" in out and "one by one / console" in out
    assert "target: at least 5:" in out


@pytest.mark.commands
def test_make_stress_finds_no_server_error_and_no_invariant_violation_at_its_smallest_size():
    out = run_make("stress", "STRESS_ARGS=--writes 40 --concurrency 4 --workers 2").stdout
    assert "responses 5xx:        0" in out and "invariant violations: 0" in out


class Serving:
    """A make target that serves until it is stopped (make run, make openstack), in a process group of its own."""

    def __init__(self, target: str, *args: str, env: dict | None = None) -> None:
        import tempfile

        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - read when the test fails
        environment = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
        self.process = subprocess.Popen(["make", "--no-print-directory", target, *args], cwd=ROOT,
                                        env={**environment, **(env or {})}, stdout=self.log, stderr=subprocess.STDOUT,
                                        start_new_session=True)

    def wait_for(self, url: str, seconds: float = 180) -> None:
        import time

        import requests

        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"make stopped:\n{self.output()}"
            try:
                requests.get(url, timeout=5)
                return
            except requests.RequestException:
                time.sleep(0.5)
        raise AssertionError(f"{url} did not answer in {seconds:.0f} s:\n{self.output()}")

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-4000:]

    def stop(self) -> None:
        import signal

        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def logged_in_page(base: str, username: str, password: str, path: str, **fields: str) -> str:
    import re

    import requests

    http = requests.Session()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', http.get(f"{base}/login/", timeout=30).text)
    assert token, "the login page has a CSRF token"
    response = http.post(f"{base}/login/", data={"username": username, "password": password, **fields,
                                                 "csrfmiddlewaretoken": token.group(1)}, timeout=60)
    assert response.status_code == 200 and "Image Management Service" in response.text, response.text[-2000:]
    return http.get(f"{base}{path}", timeout=60).text


@pytest.mark.commands
def test_make_run_serves_the_demo_and_its_logins_work(tmp_path):
    port = free_port()
    server = Serving("run", f"PORT={port}", env={"DATABASE_URL": f"sqlite:///{tmp_path / 'run.sqlite3'}"})
    try:
        server.wait_for(f"http://127.0.0.1:{port}/login/")
        page = logged_in_page(f"http://127.0.0.1:{port}", "alice", "ims-demo", "/images/?name=redis-7-debian12")
        assert "eu-de_acme" in page and "redis-7-debian12" in page
    finally:
        server.stop()


@pytest.mark.commands
def test_make_openstack_and_make_run_in_front_of_it_with_the_lookup_account(tmp_path):
    import time

    keystone, glance, port = free_port(), free_port(), free_port()
    cloud = Serving("openstack", f"KEYSTONE_PORT={keystone}", f"GLANCE_PORT={glance}", f"LOCAL_CLOUD={tmp_path / 'cloud'}")
    server = None
    try:
        ready, started = tmp_path / "cloud" / "ready.json", time.monotonic()
        while not ready.exists():  # written by the cloud once Keystone and Glance answer, with the demo accounts
            assert cloud.process.poll() is None and time.monotonic() - started < 240, cloud.output()
            time.sleep(0.5)
        env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'run.sqlite3'}", "IMS_BACKEND": "openstack",
               "OS_AUTH_URL": f"http://127.0.0.1:{keystone}/v3", "IMS_OS_LOOKUP_USER": "ims-lookup",
               "IMS_OS_LOOKUP_PASSWORD": "local-cloud-lookup"}
        server = Serving("run", f"PORT={port}", env=env)
        server.wait_for(f"http://127.0.0.1:{port}/login/")
        page = logged_in_page(f"http://127.0.0.1:{port}", "alice", "ims-demo", "/images/", account="acme")
        assert "web-ubuntu2404" in page and "eu-de_acme" in page
        assert "no demo data is loaded" in server.output()
    finally:
        if server is not None:
            server.stop()
        cloud.stop()


def readme_blocks(heading: str, port: int) -> list[str]:
    """The shell blocks of one section of the README, pointed at `port`."""
    import re

    readme = (ROOT / "README.md").read_text()
    section = readme.split(f"## {heading}", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, flags=re.S)
    return [block.replace("127.0.0.1:8000", f"127.0.0.1:{port}") for block in blocks]


def access_key(base: str, username: str) -> tuple[str, str]:
    """An access key made as the user makes one: logged in, My Credentials > Access Keys > Create; the dialog's
    access key ID and secret."""
    import re

    import requests

    http = requests.Session()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', http.get(f"{base}/login/", timeout=30).text)
    assert token
    http.post(f"{base}/login/", data={"username": username, "password": "ims-demo",
                                      "csrfmiddlewaretoken": token.group(1)}, timeout=60)
    form = http.get(f"{base}/credentials/access-keys/create/", timeout=30).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
    assert token
    dialog = http.post(f"{base}/credentials/access-keys/create/", timeout=30,
                       data={"description": "readme", "csrfmiddlewaretoken": token.group(1)}).text
    found = re.findall(r"<dd><code>([A-Za-z0-9]+)</code>", dialog)
    assert len(found) == 2, dialog[-2000:]
    return found[0], found[1]


@pytest.mark.commands
def test_make_run_answers_the_readmes_api_examples_with_each_client(tmp_path):
    """curl, the openstack CLI, openstacksdk and the IMS SDK (from the clients' virtualenv) run the README's
    examples as written against `make run`; afterwards the five images alice shared are accepted by globex."""
    import sqlite3

    from tests.ims_console.api.test_official_clients import clients_bin

    port = free_port()
    database = tmp_path / "run.sqlite3"
    server = Serving("run", f"PORT={port}", env={"DATABASE_URL": f"sqlite:///{database}"})
    try:
        server.wait_for(f"http://127.0.0.1:{port}/login/")
        env = {"PATH": f"{clients_bin()}:{os.environ['PATH']}", "HOME": str(tmp_path)}
        blocks = readme_blocks("The API", port)
        assert len(blocks) == 3, "one example per client: curl, the openstack CLI, openstacksdk"
        for block in blocks:
            run = subprocess.run(["bash", "-euo", "pipefail", "-c", block], cwd=tmp_path, env=env,
                                 capture_output=True, text=True, timeout=300)
            assert run.returncode == 0, f"{block}\n{run.stdout[-2000:]}\n{run.stderr[-3000:]}"
        # IMS's API with the SDK and keys made through My Credentials (the export line names where they come from).
        (ims,) = readme_blocks("IMS's API", port)
        alice, bob = access_key(f"http://127.0.0.1:{port}", "alice"), access_key(f"http://127.0.0.1:{port}", "bob")
        keys = {"ALICE_AK": alice[0], "ALICE_SK": alice[1], "BOB_AK": bob[0], "BOB_SK": bob[1]}
        script = ims.split("\n", 1)[1]  # without the export line of placeholders
        run = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, env={**env, **keys},
                             capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, f"{script}\n{run.stdout[-2000:]}\n{run.stderr[-3000:]}"
        assert "shared: SUCCESS" in run.stdout and "accepted: SUCCESS" in run.stdout
    finally:
        server.stop()
    with sqlite3.connect(database) as db:
        rows = db.execute(
            "SELECT i.name, m.status FROM sharing_imagemember m JOIN images_image i ON i.id = m.image_id "
            "WHERE m.project_id = 'ca96f55b3d195c378fdbf64ebf471a07' AND i.name IN "
            "('redis-7-debian12', 'made-by-cli', 'gitlab-runner-ubuntu2204', 'nginx-edge-opensuse155', "
            "'k8s-node-ubuntu2404') ORDER BY i.name").fetchall()
    assert rows == [("gitlab-runner-ubuntu2204", "accepted"), ("k8s-node-ubuntu2404", "accepted"),
                    ("made-by-cli", "accepted"), ("nginx-edge-opensuse155", "accepted"), ("redis-7-debian12", "accepted")]


def _reachable(port: int) -> bool:
    import socket

    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.commands
@pytest.mark.skipif(not (_reachable(5432) and _reachable(6379)), reason="make fleet needs PostgreSQL and Redis")
def test_make_fleet_serves_through_its_proxy_from_both_instances_and_stops_by_itself(tmp_path):
    import time
    import uuid

    from ims_console.fleet import free_port
    from tests.fleet_parts import Browser

    port, name = free_port(), f"ims_fleet_test_{uuid.uuid4().hex[:8]}"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    command = ["make", "--no-print-directory", "fleet", f"PORT={port}", f"FLEET_ARGS=--seconds 20 --logs {tmp_path}",
               f"FLEET_DATABASE_URL=postgres://postgres@127.0.0.1:5432/{name}"]
    fleet = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines = []
        assert fleet.stdout is not None
        for line in fleet.stdout:
            lines.append(line)
            if "The fleet answers at" in line:
                break
        assert any("The fleet answers at" in line for line in lines), "".join(lines)
        alice = Browser()
        alice.http.headers["Connection"] = "close"  # the proxy balances connections: one per request here
        assert alice.log_in(f"http://127.0.0.1:{port}", "", "alice").status_code == 302
        for _ in range(6):  # round-robin: the same session's pages come from both instances (their logs say so)
            page = alice.get(f"http://127.0.0.1:{port}/images/")
            assert page.status_code == 200 and "Private Images" in page.text
            time.sleep(0.1)
        rest = fleet.communicate(timeout=120)[0]
        assert fleet.returncode == 0 and "The fleet stopped." in rest, rest[-3000:]
        logs = tmp_path
        served = {log.name: sum(1 for line in log.read_text().splitlines() if '"path": "/images/"' in line)
                  for log in logs.glob("instance-*.log")}
        assert len(served) == 2 and all(n >= 2 for n in served.values()), served
    finally:
        if fleet.poll() is None:
            fleet.kill()
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.commands
@pytest.mark.skipif(not (_reachable(5432) and _reachable(6379)), reason="make stress FLEET=1 needs PostgreSQL and Redis")
def test_make_stress_in_fleet_mode_spreads_the_load_and_finds_no_server_error_or_broken_invariant():
    import uuid

    import psycopg

    name = f"ims_stress_test_{uuid.uuid4().hex[:8]}"
    try:
        out = run_make("stress", "FLEET=1", "STRESS_ARGS=--writes 40 --concurrency 4 --workers 2",
                       f"STRESS_DATABASE_URL=postgres://postgres@127.0.0.1:5432/{name}",
                       "STRESS_REDIS_URL=redis://127.0.0.1:6379/3").stdout
    finally:
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    assert "database:             postgresql" in out and "a fleet of 2 instances" in out and "2 task workers" in out
    served = [int(n) for n in re.findall(r"http://127\.0\.0\.1:\d+: (\d+)", out.split("by instance:", 1)[1].split("\n")[0])]
    assert len(served) == 2 and min(served) >= 20, out  # every session's requests go to both instances in turn
    assert re.search(r"shares ended by expiry: (\d+) of \1 once, 0 more than once", out), out
    assert "FAILED" not in out and re.search(r"pending for eu-de_globex: (\d+), \1 on the instances, \1 in the database", out), out
    assert "responses 5xx:        0" in out and "invariant violations: 0" in out
