"""The backend contract: how every implementation of the IMS protocol must behave, whatever it talks to.

The tests in this folder call only the protocol (ims_console.backends.protocol.Backend) and read its records and
errors. They are parametrized over BACKENDS, each with a world to test in (tests/clouds.py): the embedded backend's
database, or a real Keystone and Glance for OpenStack mode, held to the same behaviour by the same tests.
"""

from __future__ import annotations

import pytest

from ims_console.backends import _backend
from ims_console.backends.protocol import Backend
from tests.clouds import EmbeddedCloud, OpenStackCloud, Tenant

BACKENDS = ["embedded", "openstack"]


def pytest_configure(config) -> None:
    config.addinivalue_line(
        "markers", "backends(*names): the contract test applies only to these backends (its name says why)"
    )


def pytest_generate_tests(metafunc) -> None:
    """Each contract test runs once per backend it applies to (all, unless marked `backends`)."""
    if "backend_name" in metafunc.fixturenames:
        marker = metafunc.definition.get_closest_marker("backends")
        names = [b for b in BACKENDS if marker is None or b in marker.args]
        metafunc.parametrize("backend_name", names)


@pytest.fixture
def backend(backend_name: str, db) -> Backend:
    return _backend(backend_name)


@pytest.fixture
def cloud(backend_name: str, db, request):
    if backend_name == "openstack":
        return OpenStackCloud(request.getfixturevalue("local_cloud"))
    return EmbeddedCloud()


@pytest.fixture
def alice(cloud) -> Tenant:
    return cloud.tenant()


@pytest.fixture
def bob(cloud) -> Tenant:
    return cloud.tenant()
