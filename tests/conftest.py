from __future__ import annotations

import os

# pytest-playwright runs an event loop in the test thread; Django's database set-up must still work there
# (tests/environment.py sets it before Django starts; this keeps a run without that plugin working too).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import cast

import pytest
from django.contrib.auth.models import User
from django.test import Client

from ims_console.core.errors import IMSError
from ims_console.identity.caller import Caller
from ims_console.identity.models import Account, Membership, Project
from tests.factories import AccountFactory, MembershipFactory, ProjectFactory


@dataclass
class Persona:
    """A console user with their account, current project (eu-de) and a logged-in test client."""

    user: User
    account: Account
    project: Project
    membership: Membership
    client: Client


def make_persona(*, account: Account | None = None, role: str = Membership.Role.ADMIN, project: Project | None = None) -> Persona:
    account = account or cast(Account, AccountFactory())
    project = project or cast(Project, ProjectFactory(account=account, region="eu-de"))
    membership = cast(Membership, MembershipFactory(account=account, role=role))
    client = Client()
    client.force_login(membership.user)
    return Persona(user=membership.user, account=account, project=project, membership=membership, client=client)


def caller_of(persona: Persona, *, role: str = "admin") -> Caller:
    """The backend's view of a persona acting in its project."""
    return Caller(
        user_id=persona.user.pk, username=persona.user.username, account_id=persona.account.id,
        project_id=persona.project.id, role=role, source_ip="192.0.2.10",
    )


def snapshot() -> str:
    """Everything a write could change, as one comparable value: images, members, keys, grants, vaults, jobs and
    traces. A refused request must leave it as it was."""
    from django.core import serializers

    from images.models import Image, Key, KeyGrant
    from ims_console.activity.models import Job, Trace
    from sharing.models import ImageMember, Vault

    models: list = [Image, ImageMember, Key, KeyGrant, Vault, Job, Trace]
    return "".join(serializers.serialize("json", m.objects.order_by("pk")) for m in models)


def refused(codes: list[str], call) -> IMSError:
    """Run a backend or service call, expect an IMSError whose problems carry exactly `codes` (IMS's or the
    console's), and that nothing at all was written."""
    before = snapshot()
    with pytest.raises(IMSError) as error:
        call()
    assert [p.code for p in error.value.all_problems] == codes
    assert snapshot() == before
    return error.value


def share_many(owner: Persona, recipient: Persona, count: int, status: str = "pending") -> list[str]:
    """`count` images of the owner shared with the recipient, written in bulk (factories would take minutes)."""
    import uuid

    from django.utils import timezone

    from images.models import Image
    from ims_console.core.bulk import bulk_insert
    from sharing.models import ImageMember

    now = timezone.now()
    ids = [uuid.uuid4() for _ in range(count)]
    bulk_insert(
        Image,
        ("id", "project", "name", "description", "status", "visibility", "image_type", "os_type", "os_version",
         "disk_format", "min_disk", "size", "backup_source", "tags", "created_at", "updated_at"),
        ((i, owner.project.pk, f"bulk-{n:05d}", "", "active", "private", "system", "Linux", "Ubuntu", "zvhd2", 40, 1,
          "", {}, now, now) for n, i in enumerate(ids)),
    )
    bulk_insert(
        ImageMember,
        ("image", "project", "owner_project", "status", "created_at", "updated_at"),
        ((i, recipient.project.pk, owner.project.pk, status, now, now) for i in ids),
    )
    return [str(i) for i in ids]


@pytest.fixture
def owner(db) -> Persona:
    return make_persona()


@pytest.fixture
def readonly(owner) -> Persona:
    """A read-only user of the owner's account, looking at the same project."""
    return make_persona(account=owner.account, project=owner.project, role=Membership.Role.READONLY)


@pytest.fixture
def outsider(db) -> Persona:
    return make_persona()


@pytest.fixture
def recipient(db) -> Persona:
    return make_persona()


# Browser tests: Debian's Chromium, not a Playwright download (none is possible on these machines).
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": os.environ.get("CHROMIUM", "/usr/bin/chromium"), "args": CHROMIUM_FLAGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1440, "height": 900}, "timezone_id": "Europe/Berlin",
            "locale": "en-US"}


# ---- OpenStack mode: a real Keystone and Glance on loopback (tools/local_cloud/cloud.py), one per test session.


# Glance 33's own rules for the operations tests make it refuse (glance/policies/image.py), to write them back.
GLANCE_DEFAULT_RULES = {
    "delete_member": "rule:context_is_admin or (role:member and project_id:%(project_id)s)",
}


@dataclass(frozen=True)
class LocalCloud:
    auth_url: str
    image_url: str  # Glance as Keystone's catalog gives it
    admin_password: str
    glance_url: str = ""  # Glance's own address: image_url too unless a proxy is in front (--glance-catalog-url)
    lookup_user: str = ""
    lookup_password: str = ""
    # A second Glance on the same database, as shipped (tools/local_cloud/cloud.py --shipped-glance-port): its
    # concurrent member writes fail now and then with "database is locked" (HTTP 500), as a loaded cloud's may.
    shipped_image_url: str = ""
    # Glance's policy file (both Glances read it) and log.
    glance_policy_file: str = ""
    glance_log: str = ""
    pid: int = 0

    @contextmanager
    def glance_refusing(self, *operations: str) -> Iterator[None]:
        """Glance's policy refuses these operations (its rule names, from GLANCE_DEFAULT_RULES) to everyone until the
        block ends, as a cloud's operator may forbid them: a real refusal (403) on demand. Glance merges a changed
        policy file into the rules it has (it never drops one), so the block ends by writing the defaults back."""
        self._policy({operation: "!" for operation in operations})
        try:
            yield
        finally:
            self._policy({operation: GLANCE_DEFAULT_RULES[operation] for operation in operations})

    def _policy(self, rules: dict[str, str]) -> None:
        """Glance reads its policy file again when its time changes: each write gets a later time than the last."""
        import json
        import time
        from pathlib import Path

        path = Path(self.glance_policy_file)
        stamp = max(time.time(), path.stat().st_mtime + 1)
        path.write_text(json.dumps(rules) + "\n")
        os.utime(path, (stamp, stamp))

    def glance_failures(self) -> int:
        """How many times Glance has answered "database is locked" so far (a write that failed under load)."""
        from pathlib import Path

        return Path(self.glance_log).read_text(errors="replace").count("database is locked")

    def stop_glance(self) -> None:
        """Glance goes away (Keystone stays): its port stops answering."""
        import signal

        os.kill(self.pid, signal.SIGUSR1)
        self._wait(answering=False)

    def start_glance(self) -> None:
        import signal

        os.kill(self.pid, signal.SIGUSR2)
        self._wait(answering=True)

    def _wait(self, *, answering: bool) -> None:
        """Poll until Glance's port answers (or stops answering). Gunicorn listens before its worker has loaded
        Glance, so a started Glance can accept a connection and not reply for seconds on a loaded machine: a read
        timeout means "still starting", never "up" nor "down"."""
        import time

        import requests

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                requests.get(f"{self.image_url}/versions", timeout=5)
                up: bool | None = True
            except requests.ConnectionError:
                up = False
            except requests.Timeout:
                up = None
            if up == answering:
                return
            time.sleep(0.1)
        pytest.fail(f"Glance did not {'start' if answering else 'stop'} within 60 s")


def _cloud_python() -> str:
    """The test cloud's virtualenv: `make test` names it (IMS_CLOUD_PYTHON); a bare pytest run finds the one
    `make openstack-venv` built for the current requirements."""
    import hashlib
    from pathlib import Path

    named = os.environ.get("IMS_CLOUD_PYTHON")
    requirements = Path(__file__).resolve().parent.parent / "tools" / "local_cloud" / "requirements.txt"
    digest = hashlib.sha1(requirements.read_bytes()).hexdigest()[:12]
    python = named or str(Path.home() / ".cache" / "ims-console" / f"openstack-{digest}" / "bin" / "python")
    if not Path(python).exists():
        pytest.fail(f"The test cloud's virtualenv is missing ({python}): run `make openstack-venv` (make test does).")
    return python


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# Glance's own limit on members per image in the test cloud: lower than IMS's 256, so that a test can make the
# cloud itself refuse a pair (HTTP 413) after the console's checks have passed.
CLOUD_MEMBER_QUOTA = 20


@pytest.fixture(scope="session")
def local_cloud(tmp_path_factory):
    """Keystone and Glance, started for this session on free loopback ports, with SQLite databases and fernet
    tokens, Glance validating tokens through keystonemiddleware; stopped at the end."""
    import json
    import signal
    import subprocess
    import time
    from pathlib import Path

    directory = tmp_path_factory.mktemp("local-cloud")
    script = Path(__file__).resolve().parent.parent / "tools" / "local_cloud" / "cloud.py"
    log = open(directory / "cloud.log", "wb")  # noqa: SIM115 - open while the cloud runs
    process = subprocess.Popen(
        [_cloud_python(), str(script), str(directory), "--keystone-port", str(_free_port()),
         "--glance-port", str(_free_port()), "--member-quota", str(CLOUD_MEMBER_QUOTA),
         "--shipped-glance-port", str(_free_port())],
        stdout=log, stderr=log,
    )
    ready = directory / "ready.json"  # written by cloud.py once both services answer
    deadline = time.monotonic() + 180
    while not ready.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    if not ready.exists():
        process.kill()
        process.wait(timeout=30)
        log.close()
        pytest.fail(f"The test cloud did not start:\n{(directory / 'cloud.log').read_text()[-3000:]}")
    try:
        yield LocalCloud(**json.loads(ready.read_text()), pid=process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


# ---- Background jobs: the real task worker (django-tasks-db's), run where the test needs it.


def run_tasks() -> None:
    """Every queued task, run by the real worker loop. Needs a transactional test database: the job rows must be
    committed for the worker to see them."""
    from ims_console.backends.openstack.jobs import run_queued_tasks

    run_queued_tasks()


@pytest.fixture
def task_worker(transactional_db):
    """The worker running beside a live server, as `make run` runs it, until the test ends."""
    import threading

    from django.db import connection

    stop = threading.Event()

    def loop() -> None:
        try:
            while not stop.is_set():
                run_tasks()
                stop.wait(0.2)
        finally:
            connection.close()

    thread = threading.Thread(target=loop, name="task-worker", daemon=True)
    thread.start()
    yield
    stop.set()
    thread.join(timeout=30)


@pytest.fixture
def openstack(local_cloud, settings):
    """The console in OpenStack mode, in front of the test cloud (its region eu-de), and a way to set up tenants
    and images there."""
    from tests.clouds import OpenStackCloud

    settings.IMS_BACKEND = "openstack"
    settings.OS_AUTH_URL = local_cloud.auth_url
    settings.OS_REGION_NAME = "eu-de"
    return OpenStackCloud(local_cloud)
