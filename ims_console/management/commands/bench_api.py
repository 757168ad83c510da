"""`make bench`, part "api": the console's Glance v2 against the Glance that the tests start, the same calls under
the same load (issue 20).

Both are served by gunicorn with 2 processes of 4 threads each; wrk sends, at 8 and then 32 connections, for
`--seconds` each: member create (a new pair on every request, spread over many images), the member list of an
image with 128 members, and a recipient's status update (accepted and rejected in turn, over 50 shared images). Each
row gives both sides' requests per second, their ratio and their failed requests (errors, timeouts, non-2xx).
Figures are printed, not asserted.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from images.models import Image
from ims_console.core.bulk import bulk_insert
from ims_console.identity import tokens
from ims_console.identity.models import Account, Membership, Project
from ims_console.management.commands import bench_openstack
from ims_console.management.commands.bench_openstack import _free_port, _Tenant
from sharing.models import ImageMember

IMAGES_FOR_CREATE, PER_IMAGE, LISTED, ANSWERING = 80, 250, 128, 50
LUA = """
local calls = {%(calls)s}
local token = "%(token)s"
local next_id = 0
function setup(thread) thread:set("id", next_id); next_id = next_id + 1 end
local n = 0
function init(args) n = id end
request = function()
  local call = calls[(n %% #calls) + 1]
  n = n + 2
  local headers = {["X-Auth-Token"] = token, ["Content-Type"] = "application/json"}
  return wrk.format(call[1], call[2], headers, call[3])
end
"""


class Command(BaseCommand):
    help = "The console's Glance v2 API against a real Glance: member create, member list, status update."

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=int, default=5, help="wrk duration per call and concurrency")
        parser.add_argument("--cloud-python", default=os.environ.get("IMS_CLOUD_PYTHON", ""))

    def handle(self, *args, seconds: int, cloud_python: str, **options) -> None:
        if not cloud_python or not Path(cloud_python).exists():
            raise CommandError("The test cloud's Python is missing: run it as `make bench` (it passes --cloud-python).")
        self.stdout.write("\n== The API: the console's Glance v2 against Glance itself (gunicorn 2 x 4 threads each, wrk)")
        with tempfile.TemporaryDirectory(prefix="bench-api-") as directory:
            cloud_processes, cloud = bench_openstack.start_cloud(cloud_python, Path(directory), 2)
            port = _free_port()
            console = _gunicorn(port, Path(directory) / "console.log")
            try:
                calls = {"glance": self._glance_calls(cloud), "console": self._console_calls(f"http://127.0.0.1:{port}")}
                self._compare(calls, seconds, Path(directory), {"glance": cloud["image_url"].rstrip("/"),
                                                               "console": f"http://127.0.0.1:{port}"})
            finally:
                console.send_signal(signal.SIGTERM)
                console.wait(timeout=30)
                for process in cloud_processes:
                    process.terminate()
                    process.wait(timeout=60)

    # ---- What each side is asked: (method, path, body) per request, and the token to send.

    def _glance_calls(self, cloud: dict) -> dict:
        owner, recipient = _Tenant(cloud), _Tenant(cloud)
        images = [owner.image(f"bench-{n}") for n in range(IMAGES_FOR_CREATE // 4 + 2)]
        listed, answered = images[-2], [owner.image(f"answer-{n}") for n in range(ANSWERING)]
        owner.share([listed], [uuid.uuid4().hex for _ in range(LISTED)], parallel=8)
        owner.share(answered, [recipient.project_id], parallel=8)
        owner.share(images[:-2], [], parallel=1)  # open them to sharing, as a script must first
        creates = [("POST", f"/v2/images/{images[n % (len(images) - 2)]}/members", f'{{"member": "{uuid.uuid4().hex}"}}')
                   for n in range(len(images[:-2]) * 900)]
        return {"token": owner.headers["X-Auth-Token"], "answer_token": recipient.headers["X-Auth-Token"],
                "create": creates, "list": [("GET", f"/v2/images/{listed}/members", "")],
                "update": _updates(answered, recipient.project_id)}

    def _console_calls(self, url: str) -> dict:
        from django.contrib.auth import get_user_model

        suffix = uuid.uuid4().hex[:6]
        accounts = [Account.objects.create(name=f"bench-api-{n}-{suffix}") for n in range(3)]
        owner, recipient = (Project.objects.create(name=f"eu-de_bench-api-{n}-{suffix}", region="eu-de", account=accounts[n])
                            for n in range(2))
        users = []
        for n, project in enumerate((owner, recipient)):
            user = get_user_model().objects.create(username=f"bench-api-{n}-{suffix}")
            Membership.objects.create(user=user, account=accounts[n], role=Membership.Role.ADMIN, time_zone="UTC")
            users.append(tokens.issue(user, project).raw)
        targets = Project.objects.bulk_create(
            Project(id=uuid.uuid4().hex, name=f"eu-de_target-{n:05d}-{suffix}", region="eu-de", account=accounts[2])
            for n in range(IMAGES_FOR_CREATE * PER_IMAGE // 10)
        )
        images = _images(owner, IMAGES_FOR_CREATE + 1 + ANSWERING)
        listed, answered, for_create = images[0], images[1 : 1 + ANSWERING], images[1 + ANSWERING :]
        now = timezone.now()
        members = [(listed, p.pk, owner.pk, "pending", now, now) for p in targets[:LISTED]]
        members += [(i, recipient.pk, owner.pk, "pending", now, now) for i in answered]
        bulk_insert(ImageMember, ("image", "project", "owner_project", "status", "created_at", "updated_at"), members)
        creates = [("POST", f"/v2/images/{for_create[n % len(for_create)]}/members",
                    f'{{"member": "{targets[(n // len(for_create)) % len(targets)].pk}"}}')
                   for n in range(min(len(targets) * len(for_create), len(for_create) * PER_IMAGE))]
        return {"token": users[0], "answer_token": users[1], "create": creates,
                "list": [("GET", f"/v2/images/{listed}/members", "")], "update": _updates(answered, recipient.pk)}

    def _compare(self, calls: dict, seconds: int, directory: Path, bases: dict) -> None:
        self.stdout.write(f"  {'call':<28} {'conns':>5} {'console req/s':>13} {'Glance req/s':>12} {'ratio':>6} "
                          f"{'failed: console':>15} {'Glance':>7}")
        names = {"create": "member create", "list": f"member list ({LISTED} members)", "update": "member status update"}
        for call, title in names.items():
            for connections in (8, 32):
                figures = {}
                for side in ("console", "glance"):
                    token = calls[side]["answer_token" if call == "update" else "token"]
                    script = directory / f"{side}-{call}-{connections}.lua"
                    chosen = calls[side][call]
                    if call == "create":  # each run its own pairs, so that no request repeats an earlier one's
                        half = len(chosen) // 2
                        chosen = chosen[:half] if connections == 8 else chosen[half:]
                    script.write_text(_lua(chosen, token))
                    figures[side] = _wrk(bases[side], script, connections, seconds)
                (c_rps, c_failed), (g_rps, g_failed) = figures["console"], figures["glance"]
                self.stdout.write(f"  {title:<28} {connections:>5} {c_rps:13.0f} {g_rps:12.0f} {c_rps / max(g_rps, 0.1):6.1f} "
                                  f"{c_failed:>15} {g_failed:>7}")
        self.stdout.write("  goal (issue 20): at least 10x Glance's req/s for each call at 8 and 32 connections, 0 failed")


def _updates(images: list, project_id: str) -> list[tuple[str, str, str]]:
    return [("PUT", f"/v2/images/{image}/members/{project_id}", f'{{"status": "{status}"}}')
            for status in ("accepted", "rejected") for image in images]


def _lua(calls: list[tuple[str, str, str]], token: str) -> str:
    def quoted(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    listed = ",\n".join("{" + ", ".join(quoted(part) if part else "nil" for part in call) + "}" for call in calls)
    return LUA % {"calls": listed, "token": token}


def _images(project: Project, count: int) -> list[uuid.UUID]:
    now = timezone.now()
    ids = [uuid.uuid4() for _ in range(count)]
    bulk_insert(Image, ("id", "project", "name", "description", "status", "visibility", "image_type", "os_type",
                        "os_version", "disk_format", "min_disk", "size", "backup_source", "tags", "created_at",
                        "updated_at"),
                [(i, project.pk, f"bench-api-{n:04d}", "", "active", "private", "system", "Linux", "Ubuntu", "zvhd2", 40,
                  1024**3, "", {}, now, now) for n, i in enumerate(ids)])
    return ids


def _gunicorn(port: int, log: Path) -> subprocess.Popen:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ims_console.settings", "DJANGO_HTTPS": "0",
           "DJANGO_ALLOWED_HOSTS": "127.0.0.1", "DJANGO_LOG_LEVEL": "ERROR"}
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    server = subprocess.Popen([gunicorn, "ims_console.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2",
                               "--threads", "4", "--log-level", "warning"], env=env,
                              stdout=log.open("wb"), stderr=subprocess.STDOUT)
    for _ in range(150):
        try:
            requests.get(f"http://127.0.0.1:{port}/v3", timeout=10)
            return server
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.2)
    server.kill()
    raise CommandError("gunicorn did not start within 30 s")


def _wrk(base: str, script: Path, connections: int, seconds: int) -> tuple[float, int]:
    """Requests per second, and the requests that failed (socket errors, timeouts, non-2xx answers)."""
    output = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(script),
                             base + "/"], capture_output=True, text=True, check=False).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if rate is None:
        raise CommandError(f"wrk printed no figures (is the script valid?):\n{output}")
    failed = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return float(rate.group(1)), failed + (int(non_2xx.group(1)) if non_2xx else 0)

