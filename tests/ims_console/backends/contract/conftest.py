"""The backend contract: how every implementation of the IMS protocol must behave, whatever it talks to.

The tests in this folder call only the protocol (ims_console.backends.protocol.Backend) and read its records and
errors. They are parametrized over BACKENDS, each with a world to test in (tests/clouds.py): the embedded backend's
database, a real Keystone and Glance for OpenStack mode, or another console's own Keystone and Glance APIs with the
OpenStack backend in front (the console fronting the console, "console"), held to the same behaviour by the same
tests. A test marked for "openstack" applies to "console" too: both are the OpenStack backend.
"""

from __future__ import annotations

import pytest

from ims_console.backends import _backend
from ims_console.backends.protocol import Backend
from tests.clouds import ConsoleCloud, EmbeddedCloud, OpenStackCloud, Tenant

BACKENDS = ["embedded", "openstack", "console"]


def pytest_configure(config) -> None:
    config.addinivalue_line(
        "markers", "backends(*names): the contract test applies only to these backends (its name says why)"
    )


def pytest_generate_tests(metafunc) -> None:
    """Each contract test runs once per backend it applies to (all, unless marked `backends`)."""
    if "backend_name" in metafunc.fixturenames:
        marker = metafunc.definition.get_closest_marker("backends")
        allowed = set(marker.args) | ({"console"} if "openstack" in marker.args else set()) if marker else set(BACKENDS)
        # The console as the cloud serves from a live server, which sees only committed data.
        params = [pytest.param(b, marks=[pytest.mark.django_db(transaction=True)]) if b == "console" else b
                  for b in BACKENDS if b in allowed]
        metafunc.parametrize("backend_name", params)


@pytest.fixture
def backend(backend_name: str, db) -> Backend:
    return _backend("openstack" if backend_name == "console" else backend_name)


@pytest.fixture
def cloud(backend_name: str, backend, request):
    if backend_name == "openstack":
        return OpenStackCloud(request.getfixturevalue("local_cloud"))
    if backend_name == "console":
        return ConsoleCloud(request.getfixturevalue("live_server"))
    return EmbeddedCloud()


@pytest.fixture
def alice(cloud) -> Tenant:
    return cloud.tenant()


@pytest.fixture
def bob(cloud) -> Tenant:
    return cloud.tenant()
