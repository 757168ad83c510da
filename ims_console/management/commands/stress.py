"""Load test: the README's production command (gunicorn, 4 workers) on loopback, 500 mixed writes at concurrency 8
and the recipient-limit races, then every invariant checked in the database. Bounded in count and time.

Run through `make stress` (a scratch SQLite database, or DATABASE_URL), which migrates and loads the demo data
first. Prints requests, responses 5xx, and invariant violations: the goal is 0 and 0.
"""

from __future__ import annotations

import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import requests
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count, Sum
from requests import Response

from images.models import Image, Key
from ims_console.activity.models import Job, Trace
from ims_console.core.bulk import bulk_insert
from ims_console.identity.models import Account, Project
from ims_console.management.commands.seed_demo import DEMO_PASSWORD
from sharing.models import ImageMember, Vault
from sharing.rules import member_limit

HTMX = {"HX-Request": "true", "HX-Target": "modal"}
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Tally:
    requests: int = 0
    by_status: Counter = field(default_factory=Counter)
    by_action: Counter = field(default_factory=Counter)
    done: Counter = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, action: str, response: Response) -> None:
        with self.lock:
            self.requests += 1
            self.by_status[response.status_code] += 1
            self.by_action[action] += 1
            # A dialog write that took effect answers with HX-Trigger; one refused whole re-renders the dialog.
            if "HX-Trigger" in response.headers or response.status_code == 302:
                self.done[action] += 1
            if response.status_code >= 500:
                self.server_errors.append(f"{action} -> {response.status_code}")


class Session:
    """One browser of one demo user, logged in through the login form."""

    def __init__(self, base: str, username: str) -> None:
        self.base = base
        self.http = requests.Session()
        page = self.http.get(f"{base}/login/", timeout=30)
        found = CSRF.search(page.text)
        if found is None:
            raise CommandError(f"The login page of {base} has no CSRF token.")
        token = found.group(1)
        response = self.http.post(
            f"{base}/login/", data={"username": username, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token},
            timeout=30, allow_redirects=False,
        )
        if response.status_code != 302:
            raise CommandError(f"{username} could not log in: HTTP {response.status_code}")

    def post(self, path: str, data: dict, *, htmx: bool = True) -> requests.Response:
        headers = {"X-CSRFToken": self.http.cookies["csrftoken"], **(HTMX if htmx else {})}
        return self.http.post(f"{self.base}{path}", data=data, headers=headers, timeout=60, allow_redirects=False)


class Command(BaseCommand):
    help = "Load-test the console under gunicorn (4 workers) and check every invariant afterwards."

    def add_arguments(self, parser):
        parser.add_argument("--writes", type=int, default=500)
        parser.add_argument("--concurrency", type=int, default=8)
        parser.add_argument("--workers", type=int, default=4)
        parser.add_argument("--seconds", type=int, default=300, help="stop issuing requests after this long")

    def handle(self, *args, writes: int, concurrency: int, workers: int, seconds: int, **options) -> None:
        acme = Project.objects.get(name="eu-de_acme")
        globex = Project.objects.get(name="eu-de_globex")
        initech = Project.objects.get(name="eu-de_initech")
        crowded, full_ecs = self._race_images(acme)
        started_jobs = set(Job.objects.values_list("pk", flat=True))
        port = _free_port()
        server = self._serve(port, workers)
        tally = Tally()
        began = time.monotonic()
        try:
            base = f"http://127.0.0.1:{port}"
            self._mixed(base, tally, writes, concurrency, seconds, acme, globex, initech)
            self._race(base, tally, concurrency, crowded, each=6, action="race-256")
            self._race(base, tally, concurrency, full_ecs, each=5, action="race-full-ecs")
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        elapsed = time.monotonic() - began
        violations = self._invariants(started_jobs)

        self.stdout.write(f"database:             {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}")
        self.stdout.write(f"server:               gunicorn, {workers} workers, 127.0.0.1:{port}")
        self.stdout.write(f"requests:             {tally.requests} in {elapsed:.1f} s (concurrency {concurrency})")
        self.stdout.write("by action (done):     " + ", ".join(
            f"{k} {v} ({tally.done[k]})" for k, v in sorted(tally.by_action.items())
        ))
        self.stdout.write(
            f"limit races:          {tally.done['race-256']} of {concurrency} won at 250+6 (limit 256), "
            f"{tally.done['race-full-ecs']} of {concurrency} at 5+5 (limit 10); recipients now "
            f"{crowded.members.count()} and {full_ecs.members.count()}"
        )
        self.stdout.write("by status:            " + ", ".join(f"{k}: {v}" for k, v in sorted(tally.by_status.items())))
        self.stdout.write(f"responses 5xx:        {len(tally.server_errors)}")
        for line in tally.server_errors[:10]:
            self.stdout.write(f"  {line}")
        self.stdout.write(f"invariant violations: {len(violations)}")
        for line in violations[:20]:
            self.stdout.write(f"  {line}")
        if tally.server_errors or violations:
            sys.exit(1)

    def _race_images(self, owner: Project) -> tuple[Image, Image]:
        """An image 6 short of its 256 recipients and a full-ECS image with 5 of its 10."""
        tag = uuid.uuid4().hex[:6]
        account = Account.objects.create(name=f"stress-{tag}")
        crowded = Image.objects.create(project=owner, name=f"stress-crowded-{tag}", image_type="system", os_type="Linux", min_disk=40)
        full_ecs = Image.objects.create(
            project=owner, name=f"stress-full-ecs-{tag}", image_type="full_ecs", os_type="Linux", min_disk=40,
            backup_source="cbr",
        )
        for image, count in ((crowded, 250), (full_ecs, 5)):
            projects = Project.objects.bulk_create(
                Project(id=uuid.uuid4().hex, name=f"eu-de_stress-{image.name}-{n}", region="eu-de", account=account)
                for n in range(count)
            )
            bulk_insert(
                ImageMember, ("image", "project", "owner_project", "status", "created_at", "updated_at"),
                [(image.pk, p.pk, owner.pk, "pending", image.created_at, image.created_at) for p in projects],
            )
        return crowded, full_ecs

    def _serve(self, port: int, workers: int) -> subprocess.Popen:
        env = {**os.environ, "DJANGO_HTTPS": "0", "DJANGO_ALLOWED_HOSTS": "127.0.0.1", "DJANGO_LOG_LEVEL": "WARNING"}
        gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
        server = subprocess.Popen(
            [gunicorn, "ims_console.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--timeout", "120"],
            env=env,
        )
        for _ in range(100):
            try:
                requests.get(f"http://127.0.0.1:{port}/login/", timeout=10)
                return server
            except (requests.ConnectionError, requests.Timeout):  # gunicorn listens before its workers are ready
                time.sleep(0.2)
        server.kill()
        raise CommandError("gunicorn did not start within 20 s")

    def _mixed(self, base, tally, writes, concurrency, seconds, acme, globex, initech) -> None:
        pool = list(
            Image.objects.filter(project=acme, status="active", key__isnull=True, image_type__in=["system", "data"])
            .exclude(name__startswith="stress-").values_list("pk", flat=True)[:12]
        )
        received = list(ImageMember.objects.filter(project=globex, image__image_type="system").values_list("image_id", flat=True))
        key = Key.objects.get(project=acme, alias="acme/prod-images")
        deadline = time.monotonic() + seconds
        per_client = writes // concurrency

        def client(n: int) -> None:
            alice, bob = Session(base, "alice"), Session(base, "bob")
            rng = random.Random(n)
            for i in range(per_client + (1 if n < writes % concurrency else 0)):
                if time.monotonic() > deadline:
                    return
                image = str(rng.choice(pool))
                action = rng.choice(["modify", "share", "share", "stop", "accept", "reject", "key"])
                if action == "modify":
                    response = alice.post(f"/images/{image}/modify/", {"name": f"stress-{n}-{i}", "description": ""})
                elif action == "share":
                    targets = rng.sample([globex.pk, initech.pk], rng.randint(1, 2))
                    response = alice.post("/sharing/share/", {"image_id": image, "project_ids": " ".join(targets)})
                elif action == "stop":
                    response = alice.post("/sharing/share/", {"image_id": image, "tab": "stop", "project_id": globex.pk})
                elif action in ("accept", "reject"):
                    ids = [str(i) for i in rng.sample(received, min(2, len(received)))] if received else [image]
                    response = bob.post("/shared/status/", {"status": f"{action}ed", "image_id": ids})
                else:
                    state = rng.choice(["enabled", "disabled"])
                    response = alice.post(f"/images/keys/{key.pk}/state/", {"state": state}, htmx=False)
                tally.add(action, response)

        with ThreadPoolExecutor(concurrency) as executor:
            list(executor.map(client, range(concurrency)))

    def _race(self, base, tally, concurrency, image: Image, *, each: int, action: str) -> None:
        """`concurrency` sessions of the owner each add `each` new recipients to one image at the same moment."""
        account = Account.objects.create(name=f"stress-race-{uuid.uuid4().hex[:6]}")
        batches = [
            [p.pk for p in Project.objects.bulk_create(
                Project(id=uuid.uuid4().hex, name=f"eu-de_race-{uuid.uuid4().hex[:8]}", region="eu-de", account=account)
                for _ in range(each)
            )]
            for _ in range(concurrency)
        ]
        sessions = [Session(base, "alice") for _ in range(concurrency)]
        barrier = threading.Barrier(concurrency)

        def submit(k: int) -> None:
            barrier.wait()
            response = sessions[k].post("/sharing/share/", {"image_id": str(image.pk), "project_ids": " ".join(batches[k])})
            tally.add(action, response)

        with ThreadPoolExecutor(concurrency) as executor:
            list(executor.map(submit, range(concurrency)))

    def _invariants(self, jobs_before: set[str]) -> list[str]:
        violations = []
        for image in Image.objects.annotate(n=Count("members")).filter(n__gt=0):
            if image.n > member_limit(image.image_type):
                violations.append(f"image {image.name} has {image.n} recipients (limit {member_limit(image.image_type)})")
        duplicates = ImageMember.objects.values("image", "project").annotate(n=Count("pk")).filter(n__gt=1)
        violations += [f"pair {d['image']} -> {d['project']} exists {d['n']} times" for d in duplicates]
        for job in Job.objects.exclude(pk__in=jobs_before):
            results = job.entities.get("results", [])
            succeeded = sum(1 for r in results if r.get("status") == "success")
            traced = Trace.objects.filter(job_id=job.pk, result__startswith="success").count()
            if succeeded != traced:
                violations.append(f"job {job.job_type} {job.pk}: {succeeded} pairs changed, {traced} traces")
            if not results:
                violations.append(f"job {job.job_type} {job.pk} has no results")
        for vault in Vault.objects.annotate(held=Sum("members__reserved_gb")):
            if vault.used_gb > vault.capacity_gb:
                violations.append(f"vault {vault.name} uses {vault.used_gb} of {vault.capacity_gb} GB")
        return violations


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
