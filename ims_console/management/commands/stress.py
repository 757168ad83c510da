"""Load test: the README's production command (gunicorn, 4 workers) on loopback, 500 mixed writes at concurrency 8
and the recipient-limit races, then every invariant checked in the database. Bounded in count and time.

Run through `make stress` (a scratch SQLite database, or DATABASE_URL), which migrates and loads the demo data
first. Prints requests, responses 5xx, and invariant violations: the goal is 0 and 0.

With --fleet (`make stress FLEET=1`): the same against a fleet on PostgreSQL and Redis, two instances and two task
workers, each user's requests spread over the instances, with shares ending meanwhile for the workers to end
(ims_console/management/fleet_stress.py).
"""

from __future__ import annotations

import io
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import requests
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count, Sum

from images.models import Image, Key
from ims_console.activity.models import Job, Trace
from ims_console.core.bulk import bulk_insert
from ims_console.identity.models import Account, Project
from ims_console.management import fleet_stress
from ims_console.management.commands.fleet import ensure_database
from ims_console.management.stress_clients import Session, Tally, turned
from sharing.models import ImageMember, Vault
from sharing.rules import member_limit


class Command(BaseCommand):
    help = "Load-test the console under gunicorn (4 workers) and check every invariant afterwards."

    def add_arguments(self, parser):
        parser.add_argument("--writes", type=int, default=500)
        parser.add_argument("--concurrency", type=int, default=8)
        parser.add_argument("--workers", type=int, default=4)
        parser.add_argument("--seconds", type=int, default=300, help="stop issuing requests after this long")
        parser.add_argument("--fleet", action="store_true", help="against two instances and two task workers on "
                            "PostgreSQL and Redis (DATABASE_URL, REDIS_URL), with shares ending meanwhile")
        parser.add_argument("--instances", type=int, default=2, help="fleet mode: console instances")
        parser.add_argument("--task-workers", type=int, default=2, help="fleet mode: task workers")

    def handle(self, *args, writes: int, concurrency: int, workers: int, seconds: int, fleet: bool, instances: int,
               task_workers: int, **options) -> None:
        if fleet:  # the fleet's database may be new: make it, as `make fleet` does
            fleet_stress.require_services()
            ensure_database(settings.DATABASES["default"])
            call_command("migrate", "--no-input", verbosity=0)
            call_command("seed_demo", stdout=io.StringIO())
        acme = Project.objects.get(name="eu-de_acme")
        globex = Project.objects.get(name="eu-de_globex")
        initech = Project.objects.get(name="eu-de_initech")
        crowded, full_ecs = self._race_images(acme)
        started_jobs = set(Job.objects.values_list("pk", flat=True))
        tally = Tally()
        lines: list[str] = []
        violations: list[str] = []
        with self._servers(fleet, workers, instances, task_workers) as (bases, server, parts):
            if parts:
                expiring, task_ids = fleet_stress.expiring_shares(acme, self._pool(acme), per_image=4,
                                                                  within=min(seconds, max(5, writes / 25)))
            began = time.monotonic()
            self._mixed(bases, tally, writes, concurrency, seconds, acme, globex, initech)
            self._race(bases, tally, concurrency, crowded, each=6, action="race-256")
            self._race(bases, tally, concurrency, full_ecs, each=5, action="race-full-ecs")
            elapsed = time.monotonic() - began
            if parts:
                fleet_stress.wait_for_expiry(expiring, task_ids, seconds=120)
                line, wrong = fleet_stress.pending_everywhere(bases, Session(bases, "bob").get, globex)
                lines, violations = fleet_stress.expiry_report(expiring, task_ids)
                lines.append(line)
                violations += wrong + [f"{name} stopped during the run (logs in {parts.logs})" for name in parts.down()]
        violations += self._invariants(started_jobs)

        self.stdout.write(f"database:             {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}")
        self.stdout.write(f"server:               {server}")
        self.stdout.write(f"requests:             {tally.requests} in {elapsed:.1f} s (concurrency {concurrency})")
        self.stdout.write("by action (done):     " + ", ".join(
            f"{k} {v} ({tally.done[k]})" for k, v in sorted(tally.by_action.items())
        ))
        self.stdout.write(
            f"limit races:          {tally.done['race-256']} of {concurrency} won at 250+6 (limit 256), "
            f"{tally.done['race-full-ecs']} of {concurrency} at 5+5 (limit 10); recipients now "
            f"{crowded.members.count()} and {full_ecs.members.count()}"
        )
        if len(bases) > 1:
            self.stdout.write("by instance:          " + ", ".join(f"{b}: {tally.by_base[b]}" for b in bases))
        for line in lines:
            self.stdout.write(line)
        self.stdout.write("by status:            " + ", ".join(f"{k}: {v}" for k, v in sorted(tally.by_status.items())))
        self.stdout.write(f"responses 5xx:        {len(tally.server_errors)}")
        for line in tally.server_errors[:10]:
            self.stdout.write(f"  {line}")
        self.stdout.write(f"invariant violations: {len(violations)}")
        for line in violations[:20]:
            self.stdout.write(f"  {line}")
        if tally.server_errors or violations:
            sys.exit(1)

    @contextmanager
    def _servers(self, fleet: bool, workers: int, instances: int, task_workers: int):
        """(the instances' addresses, what they are, the fleet or None) while they run."""
        if not fleet:
            port = _free_port()
            server = self._serve(port, workers)
            try:
                yield [f"http://127.0.0.1:{port}"], f"gunicorn, {workers} workers, 127.0.0.1:{port}", None
            finally:
                server.send_signal(signal.SIGTERM)
                server.wait(timeout=30)
            return
        processes = max(1, workers // instances)
        with fleet_stress.Fleet(instances=instances, processes=processes, workers=task_workers) as parts:
            yield parts.bases, (f"a fleet of {instances} instances (gunicorn, {processes} workers each) and "
                                f"{task_workers} task workers on PostgreSQL and Redis; logs in {parts.logs}"), parts

    @staticmethod
    def _pool(acme: Project) -> list[str]:
        """The owner's images the mixed writes work on."""
        return [str(pk) for pk in
                Image.objects.filter(project=acme, status="active", key__isnull=True, image_type__in=["system", "data"])
                .exclude(name__startswith="stress-").order_by("pk").values_list("pk", flat=True)[:12]]

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

    def _mixed(self, bases, tally, writes, concurrency, seconds, acme, globex, initech) -> None:
        pool = self._pool(acme)
        received = list(ImageMember.objects.filter(project=globex, image__image_type="system").values_list("image_id", flat=True))
        key = Key.objects.get(project=acme, alias="acme/prod-images")
        deadline = time.monotonic() + seconds
        per_client = writes // concurrency

        def client(n: int) -> None:
            alice, bob = Session(turned(bases, n), "alice"), Session(turned(bases, n + 1), "bob")
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

    def _race(self, bases, tally, concurrency, image: Image, *, each: int, action: str) -> None:
        """`concurrency` sessions of the owner each add `each` new recipients to one image at the same moment."""
        account = Account.objects.create(name=f"stress-race-{uuid.uuid4().hex[:6]}")
        batches = [
            [p.pk for p in Project.objects.bulk_create(
                Project(id=uuid.uuid4().hex, name=f"eu-de_race-{uuid.uuid4().hex[:8]}", region="eu-de", account=account)
                for _ in range(each)
            )]
            for _ in range(concurrency)
        ]
        sessions = [Session(turned(bases, k), "alice") for k in range(concurrency)]
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
            # A share ended by its expiry is traced "expired" (sharing/expiry.py), every other change "success…".
            result = "expired" if job.entities.get("reason") == "expired" else "success"
            traced = Trace.objects.filter(job_id=job.pk, result__startswith=result).count()
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
