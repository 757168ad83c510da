"""Benchmark: share 100 images with 100 projects (10,000 members) in one submission, against the floor.

The floor is the same rows (members, the job, one trace per pair) inserted the fastest way the database offers,
in one transaction: executemany on SQLite, COPY on PostgreSQL. That is what any implementation must at least pay. The submission also validates every rule first.
Each side runs several rounds on fresh rows; the best round of each is compared.
"""

from __future__ import annotations

import time
import uuid

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from images.models import Image
from ims_console.activity import audit
from ims_console.activity.models import Job, Trace
from ims_console.identity.caller import Caller
from ims_console.identity.models import Account, Project
from sharing.models import ImageMember
from sharing.services import image_members_add


class Command(BaseCommand):
    help = "Time sharing 100 images with 100 projects against the fastest plain insert of the same rows."

    def add_arguments(self, parser):
        parser.add_argument("--images", type=int, default=100)
        parser.add_argument("--projects", type=int, default=100)
        parser.add_argument("--rounds", type=int, default=5)

    def handle(self, *args, images: int, projects: int, rounds: int, **options) -> None:
        owner, caller, image_ids, project_ids = self._fixture(images, projects)
        submission, floor = [], []
        for _ in range(rounds):
            self._clear()
            started = time.perf_counter()
            result = image_members_add(caller=caller, image_ids=image_ids, project_ids=project_ids)
            submission.append(time.perf_counter() - started)
            assert result.changed == images * projects
            self._clear()
            floor.append(self._floor(caller, image_ids, project_ids))
            assert ImageMember.objects.filter(owner_project=owner).count() == images * projects
        self._clear()
        best, base = min(submission), min(floor)
        pairs = images * projects
        self.stdout.write(f"database:    {connection.vendor}")
        self.stdout.write(f"pairs:       {pairs:,} ({images} images x {projects} projects), best of {rounds} rounds")
        self.stdout.write(f"submission:  {best * 1000:8.1f} ms  (validation, members, job, traces)")
        how = "COPY" if connection.vendor == "postgresql" else "executemany"
        self.stdout.write(f"floor:       {base * 1000:8.1f} ms  (the same rows, {how}, one transaction)")
        self.stdout.write(f"ratio:       {best / base:8.2f}x  (target: at most 3x)")

    def _fixture(self, images: int, projects: int):
        tag = uuid.uuid4().hex[:8]
        account = Account.objects.create(name=f"bench-owner-{tag}")
        owner = Project.objects.create(name=f"eu-de_bench-{tag}", account=account)
        others = Account.objects.create(name=f"bench-recipients-{tag}")
        targets = Project.objects.bulk_create(
            Project(id=uuid.uuid4().hex, name=f"eu-de_r{n}-{tag}", account=others) for n in range(projects)
        )
        made = Image.objects.bulk_create(
            Image(project=owner, name=f"bench-{n}", image_type="system", os_type="Linux", min_disk=40) for n in range(images)
        )
        caller = Caller(user_id=None, username="bench", account_id=account.id, project_id=owner.id,
                        role="admin", source_ip="127.0.0.1")
        return owner, caller, [str(i.pk) for i in made], [p.pk for p in targets]

    def _clear(self) -> None:
        ImageMember.objects.filter(owner_project__name__startswith="eu-de_bench-").delete()
        Job.objects.filter(project_id__in=Project.objects.filter(name__startswith="eu-de_bench-").values("pk")).delete()
        Trace.objects.filter(username="bench").delete()

    def _floor(self, caller: Caller, image_ids: list[str], project_ids: list[str]) -> float:
        now = timezone.now()
        uuid_value = (lambda v: v) if connection.vendor == "postgresql" else (lambda v: v.replace("-", ""))
        pairs = [(i, p) for i in image_ids for p in project_ids]
        members = [(uuid_value(i), p, caller.project_id, "pending", now, now) for i, p in pairs]
        names = {i: f"bench-{n}" for n, i in enumerate(image_ids)}
        job_id = uuid.uuid4().hex
        traces = [("addMember", None, "bench", caller.project_id, "image", i, p, "127.0.0.1", "success", job_id, now)
                  for i, p in pairs]
        member_columns = "image_id, project_id, owner_project_id, status, created_at, updated_at"
        trace_columns = ("name, user_id, username, project_id, resource_type, resource_id, member_project_id, source_ip,"
                         " result, job_id, time")
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY sharing_imagemember ({member_columns}) FROM STDIN") as copy:
                    for row in members:
                        copy.write_row(row)
            else:
                cursor.executemany(f"INSERT INTO sharing_imagemember ({member_columns}) VALUES (%s, %s, %s, %s, %s, %s)", members)
            # The job row as the submission writes it: its per-pair results, the images' names and its summary,
            # computed here as there (every column the model has, so that the floor follows it).
            entities = audit.pair_results(pairs, names=names)
            Job.objects.create(
                id=job_id, job_type=Job.Type.ADD_MEMBERS, status=Job.Status.SUCCESS, project_id=caller.project_id,
                username=caller.username, total=len(pairs), done=len(pairs), begin_time=now, end_time=now,
                entities=entities, summary=audit.summarize(entities),
            )
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY ims_console_trace ({trace_columns}) FROM STDIN") as copy:
                    for trace in traces:
                        copy.write_row(trace)
            else:
                cursor.executemany(
                    f"INSERT INTO ims_console_trace ({trace_columns}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    traces,
                )
        return time.perf_counter() - started
