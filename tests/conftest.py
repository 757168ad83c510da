from __future__ import annotations

import os

# pytest-playwright runs an event loop in the test thread; Django's database set-up must still work there
# (tests/environment.py sets it before Django starts; this keeps a run without that plugin working too).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from dataclasses import dataclass  # noqa: E402

import pytest  # noqa: E402
from django.test import Client  # noqa: E402

from ims_console.backends.base import Caller  # noqa: E402
from ims_console.models import Account, Membership, Project  # noqa: E402
from tests.factories import AccountFactory, MembershipFactory, ProjectFactory  # noqa: E402


@dataclass
class Persona:
    """A console user with their account, current project (eu-de) and a logged-in test client."""

    user: object
    account: Account
    project: Project
    membership: Membership
    client: Client


def make_persona(*, account: Account | None = None, role: str = Membership.Role.ADMIN, project: Project | None = None) -> Persona:
    account = account or AccountFactory()
    project = project or ProjectFactory(account=account, region="eu-de")
    membership = MembershipFactory(account=account, role=role)
    client = Client()
    client.force_login(membership.user)
    return Persona(user=membership.user, account=account, project=project, membership=membership, client=client)


def caller_of(persona: Persona, *, role: str = "admin") -> Caller:
    """The backend's view of a persona acting in its project."""
    return Caller(
        user_id=persona.user.pk, username=persona.user.username, account_id=persona.account.id,
        project_id=persona.project.id, region=persona.project.region, role=role, source_ip="192.0.2.10",
    )


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
    return {**browser_context_args, "viewport": {"width": 1440, "height": 900}, "timezone_id": "Europe/Berlin"}
