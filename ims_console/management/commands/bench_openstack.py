"""`make bench-openstack`: OpenStack mode's performance figures in one run, against a real Keystone and Glance
started on loopback for the run (tools/local_cloud/cloud.py, as the tests start it), with Glance put 50 ms away: a
proxy in a process of its own (ims_console.fleet) holds every request to Glance back 50 ms, and Keystone's catalog
sends the console and the direct calls alike through it. A cloud is far away; a CPU-bound Glance on the same two
cores as everything else is not what a call mostly waits on there.

1. A list page (Private Images, 20 rows): how many Glance requests it makes, and the console's median time
   against the median of the same Glance request made directly (one round trip): the target is at most one round
   trip + 15 ms.
2. Sharing 10 images with 100 projects (1,000 pairs): through the console (the request, then the background job to
   its end, run by the task worker) against the same 1,000 Glance calls made directly with the same concurrency,
   and made one by one by one client: the target is the console at least 5x faster than one by one.

Figures are printed with the targets, not asserted; they come from whatever machine runs it (the README has this
one's).
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test import Client
from django.urls import reverse

from ims_console.activity.models import Job
from ims_console.backends.openstack import glance
from ims_console.backends.openstack import jobs as openstack_jobs

ROOT = Path(__file__).resolve().parents[3]
PASSWORD = "bench-password"
LIST_TARGET_MS = 15  # a list page: at most one Glance round trip and this
SPEEDUP_TARGET = 5  # 1,000 pairs: one by one takes at least this many times the console's time


class Command(BaseCommand):
    help = "Print OpenStack mode's figures: a list page against Glance alone, 1,000 pairs against direct calls."

    def add_arguments(self, parser):
        parser.add_argument("--glance-workers", type=int, default=4, help="Glance's gunicorn processes")
        parser.add_argument("--images", type=int, default=10, help="images of the sharing part")
        parser.add_argument("--projects", type=int, default=100, help="projects of the sharing part")
        parser.add_argument("--list-rounds", type=int, default=30, help="requests of the list page part")
        parser.add_argument("--delay-ms", type=float, default=50, help="how far away Glance is: each request to it is "
                            "held back this long (0: Glance on loopback as it is)")
        parser.add_argument("--cloud-python", default=os.environ.get("IMS_CLOUD_PYTHON", ""),
                            help="the test cloud's Python (make bench-openstack passes it)")

    def handle(self, *args, cloud_python: str, glance_workers: int, images: int, projects: int, list_rounds: int,
               delay_ms: float, **options) -> None:
        self.images, self.projects, self.list_rounds, self.delay_ms = images, projects, list_rounds, delay_ms
        if not cloud_python or not Path(cloud_python).exists():
            raise CommandError("The test cloud's Python is missing: run it as `make bench-openstack`.")
        with tempfile.TemporaryDirectory(prefix="bench-cloud-") as directory:
            processes, cloud = start_cloud(cloud_python, Path(directory), glance_workers, delay_ms=self.delay_ms)
            cloud["glance_workers"] = glance_workers
            try:
                self._run(cloud)
            finally:
                for process in processes:
                    process.terminate()
                for process in processes:
                    process.wait(timeout=60)

    def _run(self, cloud: dict) -> None:
        settings.IMS_BACKEND, settings.OS_AUTH_URL, settings.OS_REGION_NAME = "openstack", cloud["auth_url"], "eu-de"
        tenant = _Tenant(cloud)
        self.stdout.write(f"cloud: Keystone {cloud['auth_url']}, Glance {cloud['glance_url']} (SQLite, {cloud['glance_workers']} gunicorn "
                          f"processes with 4 threads each) {self.delay_ms:g} ms away behind {cloud['image_url']}; "
                          f"console database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[1]}")
        images = [tenant.image(f"bench-{n:02}") for n in range(3 * self.images + 20)]
        client = Client(HTTP_HOST="localhost")
        response = client.post(reverse("login"), {"account": tenant.domain, "username": tenant.user, "password": PASSWORD})
        if response.status_code != 302:
            raise CommandError(f"Logging in through the console failed ({response.status_code}).")
        self._list_page(client, tenant)
        self._sharing(client, tenant, images[: 3 * self.images])

    # ---- 1. A list page.

    def _list_page(self, client: Client, tenant: _Tenant) -> None:
        calls: list[str] = []
        session = glance.session()
        session.hooks["response"].append(lambda response, *a, **k: calls.append(response.request.url))
        url = reverse("images:private") + "?page_size=20"
        client.get(url)
        calls.clear()
        client.get(url)
        glance_calls = list(calls)
        session.hooks["response"].clear()
        console = _median_ms(lambda: client.get(url), self.list_rounds)
        direct_session = requests.Session()
        params = {"owner": tenant.project_id, "limit": 21, "sort": "created_at:desc,id:desc"}
        direct = _median_ms(lambda: direct_session.get(f"{tenant.image_url}/v2/images", params=params,
                                                       headers=tenant.headers, timeout=30), self.list_rounds)
        self.stdout.write(f"\n== A list page (Private Images, 20 of 50 images), median of {self.list_rounds}")
        self.stdout.write(f"Glance requests per page: {len(glance_calls)} ({', '.join(_path(u) for u in glance_calls)})")
        self.stdout.write(f"console page {console:.1f} ms, one Glance round trip {direct:.1f} ms: the console adds "
                          f"{console - direct:.1f} ms (target: at most {LIST_TARGET_MS} ms: "
                          f"{_verdict(console - direct <= LIST_TARGET_MS)})")

    # ---- 2. 1,000 pairs.

    def _sharing(self, client: Client, tenant: _Tenant, images: list[str]) -> None:
        projects = [uuid.uuid4().hex for _ in range(self.projects)]
        size = self.images
        console_images, direct_images, sequential_images = (images[i * size : (i + 1) * size] for i in range(3))
        pairs = size * self.projects

        started = time.perf_counter()
        response = client.post(reverse("sharing:share"), {"image_id": console_images, "project_ids": "\n".join(projects)})
        answered = time.perf_counter() - started
        if response.status_code != 302:
            raise CommandError(f"The console did not take the submission ({response.status_code}).")
        openstack_jobs.run_queued_tasks()
        console = time.perf_counter() - started
        job = Job.objects.get(background=True)
        if (job.status, job.done) != (Job.Status.SUCCESS, pairs):
            raise CommandError(f"The job ended {job.status} with {job.done} pairs: {job.fail_reason[:500]}")

        direct = _timed(lambda: tenant.share(direct_images, projects, parallel=settings.IMS_OS_PARALLEL_CALLS))
        sequential = _timed(lambda: tenant.share(sequential_images, projects, parallel=1))
        for image in (console_images[0], direct_images[0], sequential_images[0]):
            if tenant.member_count(image) != self.projects:
                raise CommandError(f"Image {image} does not have {self.projects} members after the run.")
        self.stdout.write(f"\n== Sharing {size} images with {self.projects} projects ({pairs:,} pairs)")
        self.stdout.write(f"console: {console:.1f} s (the request answered in {answered * 1000:.0f} ms; the job ran the rest)")
        self.stdout.write(f"Glance directly, {settings.IMS_OS_PARALLEL_CALLS} at a time: {direct:.1f} s "
                          f"(console / direct = {console / direct:.2f})")
        self.stdout.write(f"Glance directly, one by one: {sequential:.1f} s (one by one / console = {sequential / console:.2f}; "
                          f"target: at least {SPEEDUP_TARGET}: {_verdict(sequential / console >= SPEEDUP_TARGET)})")


def start_cloud(python: str, directory: Path, workers: int, *, delay_ms: float = 0) -> tuple[list[subprocess.Popen], dict]:
    """The test cloud with Glance `workers` processes; with `delay_ms`, Glance that far away: the proxy (a process of
    its own) holds each request to it back, and Keystone's catalog names the proxy. Ends with the processes."""
    keystone_port, glance_port = _free_port(), _free_port()
    log = open(directory / "cloud.log", "wb")  # noqa: SIM115 - open while the cloud runs
    processes, catalog = [], []
    if delay_ms:
        proxy_port = _free_port()
        processes.append(subprocess.Popen(
            [sys.executable, "-m", "ims_console.fleet", "--port", str(proxy_port), "--delay", str(delay_ms / 1000),
             f"127.0.0.1:{glance_port}"], cwd=ROOT, stdout=log, stderr=log))
        catalog = ["--glance-catalog-url", f"http://127.0.0.1:{proxy_port}"]
    processes.append(subprocess.Popen(
        [python, str(ROOT / "tools" / "local_cloud" / "cloud.py"), str(directory), "--keystone-port", str(keystone_port),
         "--glance-port", str(glance_port), "--member-quota", "1000", "--glance-workers", str(workers), *catalog],
        stdout=log, stderr=log,
    ))
    deadline = time.monotonic() + 180
    while not (directory / "ready.json").exists():
        if any(p.poll() is not None for p in processes) or time.monotonic() > deadline:
            for process in processes:
                process.kill()
            raise CommandError("The cloud did not start:\n" + (directory / "cloud.log").read_text()[-2000:])
        time.sleep(0.2)
    return processes, json.loads((directory / "ready.json").read_text())


class _Tenant:
    """A Keystone domain with one project and a user (role member), made with the cloud's admin account."""

    def __init__(self, cloud: dict) -> None:
        self.auth_url, self.image_url = cloud["auth_url"].rstrip("/"), cloud["image_url"].rstrip("/")
        self.near_url = cloud["glance_url"].rstrip("/")  # Glance without the delay: for making and checking, not measuring
        admin = self._token({"user": {"name": "admin", "domain": {"name": "Default"}, "password": cloud["admin_password"]}},
                            {"project": {"name": "admin", "domain": {"name": "Default"}}})
        suffix = uuid.uuid4().hex[:6]
        self.domain, self.user = f"bench-{suffix}", f"owner-{suffix}"
        domain = self._keystone(admin, "POST", "/domains", {"domain": {"name": self.domain}})["domain"]
        project = self._keystone(admin, "POST", "/projects",
                                 {"project": {"name": f"eu-de_bench-{suffix}", "domain_id": domain["id"]}})["project"]
        user = self._keystone(admin, "POST", "/users",
                              {"user": {"name": self.user, "domain_id": domain["id"], "password": PASSWORD}})["user"]
        role = self._keystone(admin, "GET", "/roles?name=member")["roles"][0]["id"]
        self._keystone(admin, "PUT", f"/projects/{project['id']}/users/{user['id']}/roles/{role}")
        self.project_id = project["id"]
        token = self._token({"user": {"name": self.user, "domain": {"name": self.domain}, "password": PASSWORD}},
                            {"project": {"id": self.project_id}})
        self.headers = {"X-Auth-Token": token}

    def _token(self, user: dict, scope: dict) -> str:
        response = requests.post(f"{self.auth_url}/auth/tokens", timeout=30, json={"auth": {
            "identity": {"methods": ["password"], "password": user}, "scope": scope}})
        response.raise_for_status()
        return response.headers["X-Subject-Token"]

    def _keystone(self, token: str, method: str, path: str, body: dict | None = None) -> dict:
        response = requests.request(method, self.auth_url + path, json=body, headers={"X-Auth-Token": token}, timeout=30)
        response.raise_for_status()
        return response.json() if response.content else {}

    def image(self, name: str) -> str:
        body = {"name": name, "disk_format": "raw", "container_format": "bare", "visibility": "private"}
        image = requests.post(f"{self.near_url}/v2/images", json=body, headers=self.headers, timeout=30).json()
        requests.put(f"{self.near_url}/v2/images/{image['id']}/file", data=b"\0" * 512, timeout=30,
                     headers={**self.headers, "Content-Type": "application/octet-stream"}).raise_for_status()
        return image["id"]

    def share(self, images: list[str], projects: list[str], *, parallel: int) -> None:
        """What a script would do: open each image to sharing, then one member call per pair."""
        session = requests.Session()
        patch = {**self.headers, "Content-Type": "application/openstack-images-v2.1-json-patch"}
        for image in images:
            session.patch(f"{self.image_url}/v2/images/{image}", headers=patch, timeout=30,
                          data=json.dumps([{"op": "replace", "path": "/visibility", "value": "shared"}])).raise_for_status()
        pairs = [(i, p) for i in images for p in projects]

        local = threading.local()

        def one(pair: tuple[str, str]) -> None:
            # One keep-alive session per thread, as the console has.
            if not hasattr(local, "session"):
                local.session = requests.Session()
            local.session.post(f"{self.image_url}/v2/images/{pair[0]}/members", json={"member": pair[1]},
                               headers=self.headers, timeout=30).raise_for_status()

        if parallel == 1:
            for pair in pairs:
                session.post(f"{self.image_url}/v2/images/{pair[0]}/members", json={"member": pair[1]},
                             headers=self.headers, timeout=30).raise_for_status()
            return
        with ThreadPoolExecutor(parallel) as pool:
            list(pool.map(one, pairs))

    def member_count(self, image: str) -> int:
        return len(requests.get(f"{self.near_url}/v2/images/{image}/members", headers=self.headers,
                                timeout=30).json()["members"])


def _median_ms(call, rounds: int) -> float:
    call()
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def _timed(call) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def _path(url: str) -> str:
    return "GET " + url.split("/v2", 1)[1].split("?", 1)[0] if "/v2" in url else url


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

