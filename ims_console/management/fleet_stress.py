"""What `make stress FLEET=1` adds to the load test (ims_console/management/commands/stress.py): the console as a
fleet (ims_console.fleet) of two instances and two task workers on one PostgreSQL and one Redis, every user's
requests spread over the instances in turn as a load balancer without stickiness sends them, and work for the task
workers while the writes run: shares that end during the run, each end queued as a task as the console queues it.
Afterwards: every share whose end came was ended exactly once (one "expired" trace), every task ran once, and every
instance shows the database's count of pending shares."""

from __future__ import annotations

import re
import tempfile
import time
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ims_console import fleet
from ims_console.activity.models import Trace
from ims_console.core.bulk import bulk_insert
from ims_console.identity.models import Account, Project
from ims_console.management.commands.fleet import database_url
from sharing import tasks
from sharing.models import ImageMember

PENDING = re.compile(r"\((\d+) pending\)")
TASK = "sharing.tasks.end_expired_shares"


def require_services() -> None:
    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql") or not settings.REDIS_URL:
        raise CommandError("Fleet mode runs on one PostgreSQL and one Redis: set DATABASE_URL=postgres://… and "
                           "REDIS_URL=redis://… (make stress FLEET=1 does).")


class Fleet:
    """The fleet under test: `instances` gunicorn instances of `processes` workers each and `workers` task workers,
    their logs in a folder of their own (named when something fails)."""

    def __init__(self, *, instances: int, processes: int, workers: int) -> None:
        database = settings.DATABASES["default"]
        require_services()
        self.logs = Path(tempfile.mkdtemp(prefix="ims-stress-fleet-"))
        env = fleet.environment(database_url(database), settings.REDIS_URL)
        self.instances = [fleet.instance(f"instance-{n + 1}", env, workers=processes, log=self.logs / f"instance-{n + 1}.log")
                          for n in range(instances)]
        self.workers = [fleet.worker(f"worker-{n + 1}", env, log=self.logs / f"worker-{n + 1}.log") for n in range(workers)]
        self.processes = processes

    def __enter__(self) -> Fleet:
        try:
            for part in [*self.instances, *self.workers]:
                part.start()
            for instance in self.instances:
                instance.wait_answering()
        except RuntimeError as error:
            self.__exit__()
            raise CommandError(f"The fleet did not start ({error}); logs in {self.logs}") from None
        return self

    def __exit__(self, *exc) -> None:
        for part in [*self.instances, *self.workers]:
            part.stop()

    @property
    def bases(self) -> list[str]:
        return [instance.url for instance in self.instances]

    def down(self) -> list[str]:
        return [part.name for part in [*self.instances, *self.workers] if not part.running]


def expiring_shares(owner: Project, image_ids: list[str], *, per_image: int, within: float
                    ) -> tuple[list[tuple[str, str]], list[str]]:
    """Shares of the owner's images with new projects, ending one after another within `within` seconds, and their
    ends queued as the console queues them, a task to run at each end. Made in the database, since the Share
    dialog's earliest end is tomorrow. Returns the pairs and the tasks' IDs."""
    account = Account.objects.create(name=f"stress-expiry-{uuid.uuid4().hex[:6]}")
    projects = Project.objects.bulk_create(
        Project(id=uuid.uuid4().hex, name=f"eu-de_expiry-{uuid.uuid4().hex[:8]}", region="eu-de", account=account)
        for _ in range(len(image_ids) * per_image)
    )
    now = timezone.now()
    pairs = [(image_id, projects[n * per_image + k].pk) for n, image_id in enumerate(image_ids) for k in range(per_image)]
    # Two shares end at each moment, each with its own task: both task workers are then due the same rows at once.
    moments = [now + timedelta(seconds=2 + within * (n // 2) / len(pairs)) for n in range(len(pairs))]
    bulk_insert(
        ImageMember, ("image", "project", "owner_project", "status", "created_at", "updated_at", "expires_at"),
        [(image, project, owner.pk, "pending", now, now, ends) for (image, project), ends in zip(pairs, moments, strict=True)],
    )
    task_ids = [tasks.end_expired_shares.using(run_after=ends).enqueue().id for ends in moments]
    return pairs, task_ids


def wait_for_expiry(pairs: list[tuple[str, str]], task_ids: list[str], seconds: float) -> None:
    """Until the task workers have run every task of the run and ended every share whose end came (or `seconds`)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        running = DBTaskResult.objects.filter(pk__in=task_ids).exclude(status__in=["SUCCESSFUL", "FAILED"])
        if not running.exists() and not _still_shared(pairs):
            return
        time.sleep(0.5)


def _still_shared(pairs: list[tuple[str, str]]) -> int:
    projects = [project for _, project in pairs]
    return ImageMember.objects.filter(project_id__in=projects, expires_at__lte=timezone.now()).count()


def expiry_report(pairs: list[tuple[str, str]], task_ids: list[str]) -> tuple[list[str], list[str]]:
    """(lines to print, invariant violations) about the shares that ended during the run and the tasks that ended
    them: each share ended once, none left past its end, each task run by one worker and none failed."""
    projects = [project for _, project in pairs]
    ended = Counter(Trace.objects.filter(name=Trace.Name.DELETE_MEMBER, result="expired", member_project_id__in=projects)
                    .values_list("resource_id", "member_project_id"))
    times = [ended[(str(image), project)] for image, project in pairs]
    violations = [f"share {image} -> {project} ended {n} times by expiry" for (image, project), n in zip(pairs, times, strict=True)
                  if n != 1]
    if left := _still_shared(pairs):
        violations.append(f"{left} shares are still there after their end")
    runs = list(DBTaskResult.objects.filter(pk__in=task_ids).values_list("status", "worker_ids"))
    by_status = Counter(status for status, _ in runs)
    violations += [f"{n} expiry tasks {status}" for status, n in by_status.items() if status != "SUCCESSFUL"]
    violations += [f"an expiry task was claimed by {', '.join(ids)}" for _, ids in runs if len(ids) > 1]
    by_worker = Counter(ids[0] for _, ids in runs if ids)
    lines = [
        f"shares ended by expiry: {times.count(1)} of {len(pairs)} once, {sum(1 for n in times if n > 1)} more than once",
        f"expiry tasks:          {', '.join(f'{k} {v}' for k, v in sorted(by_status.items()))}; run by "
        f"{len(by_worker)} task workers ({', '.join(str(n) for n in sorted(by_worker.values(), reverse=True))})",
    ]
    return lines, violations


def pending_everywhere(bases: list[str], session_get, project: Project) -> tuple[str, list[str]]:
    """The red dot's count as each instance shows it to the project's user, against the database's."""
    truth = ImageMember.objects.filter(project=project, status="pending").count()
    shown = []
    for base in bases:
        found = PENDING.search(session_get(f"{base}/images/").text)
        shown.append(int(found.group(1)) if found else 0)
    line = f"pending for {project.name}: {', '.join(map(str, shown))} on the instances, {truth} in the database"
    return line, [f"an instance shows {n} pending for {project.name}, the database has {truth}" for n in shown if n != truth]
