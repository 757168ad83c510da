"""The backend contract: how every implementation of the IMS protocol must behave, whatever it talks to.

The tests in this folder call only the protocol (ims_console.backends.protocol.Backend) and read its records and
errors. They are parametrized over BACKENDS; a second backend (OpenStack mode) joins the list with a `Cloud` that
sets up projects and images its own way (in Keystone and Glance), and is then held to the same behaviour by the
same tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import pytest

from images.models import Image
from ims_console.backends import _backend
from ims_console.backends.protocol import Backend
from ims_console.caller import Caller
from ims_console.models import Account, Membership, Project
from sharing.models import Vault
from tests.factories import AccountFactory, ImageFactory, MembershipFactory, ProjectFactory, VaultFactory

BACKENDS = ["embedded"]


@dataclass
class Tenant:
    """One account with one project, seen by its administrator (`admin`) and a read-only user (`reader`)."""

    admin: Caller
    reader: Caller
    project_id: str
    account_id: str


class EmbeddedCloud:
    """Sets up the embedded backend's world: the console's own database, through the factories."""

    def tenant(self, *, region: str = "eu-de") -> Tenant:
        account = cast(Account, AccountFactory())
        project = cast(Project, ProjectFactory(account=account, region=region))
        callers = []
        for role in (Membership.Role.ADMIN, Membership.Role.READONLY):
            membership = cast(Membership, MembershipFactory(account=account, role=role))
            callers.append(Caller(
                user_id=membership.user.pk, username=membership.user.username, account_id=account.pk,
                project_id=project.pk, role=role, source_ip="192.0.2.20",
            ))
        return Tenant(admin=callers[0], reader=callers[1], project_id=project.pk, account_id=account.pk)

    def image(self, tenant: Tenant, name: str, **attributes) -> str:
        return str(cast(Image, ImageFactory(project_id=tenant.project_id, name=name, **attributes)).pk)

    def vault(self, tenant: Tenant, **attributes) -> str:
        return str(cast(Vault, VaultFactory(project_id=tenant.project_id, **attributes)).pk)


CLOUDS = {"embedded": EmbeddedCloud}


@pytest.fixture(params=BACKENDS)
def backend_name(request) -> str:
    return request.param


@pytest.fixture
def backend(backend_name: str, db) -> Backend:
    return _backend(backend_name)


@pytest.fixture
def cloud(backend_name: str, db):
    return CLOUDS[backend_name]()


@pytest.fixture
def alice(cloud) -> Tenant:
    return cloud.tenant()


@pytest.fixture
def bob(cloud) -> Tenant:
    return cloud.tenant()
