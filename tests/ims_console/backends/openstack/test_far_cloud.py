"""OpenStack mode with the cloud far away: Glance behind a proxy that holds every request back (ims_console.fleet's
Proxy, as `make bench-openstack` puts it 50 ms away). A dialog about several images waits one round trip for their
reads, not one each: the proxy counts how many requests it had passed on and not yet seen answered at once (1 when
the console asks one after another). Real Keystone and Glance (tests/conftest.py::local_cloud)."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest
import requests

from ims_console.backends import get_backend
from ims_console.backends.protocol import Scope
from ims_console.core.errors import IMSError
from ims_console.fleet import Proxy
from ims_console.identity.caller import Caller

pytestmark = pytest.mark.django_db

IMAGES = 6  # fewer than IMS_OS_PARALLEL_CALLS (8): all of them at once


@pytest.fixture
def far(openstack):
    """The proxy in front of the test cloud's Glance, 0.3 s away; `through(caller)` sends that caller's calls by it."""
    host, port = openstack.cloud.image_url.removeprefix("http://").rstrip("/").split(":")
    proxy = Proxy([(host, int(port))], delay=0.3).start()
    yield proxy
    proxy.stop()


def through(proxy: Proxy, caller: Caller) -> Caller:
    assert caller.remote is not None
    return replace(caller, remote=replace(caller.remote, image_url=proxy.url))


def test_a_dialogs_images_and_their_recipients_are_read_at_once_not_one_after_another(openstack, far):
    alice, bob = openstack.tenant(), openstack.tenant()
    ids = [openstack.image(alice, f"far-{n}") for n in range(IMAGES)]
    backend = get_backend()
    backend.image_members_add(alice.admin, ids, [bob.project_id])  # near: only the reads below go through the proxy
    caller = through(far, alice.admin)

    images = backend.images_get(caller, ids)
    assert sorted(i.id for i in images) == sorted(ids)
    assert far.most_waiting == IMAGES

    far.most_waiting = 0
    members = backend.image_members_list(caller, ids)
    assert {(m.image_id, m.project_id) for m in members} == {(i, bob.project_id) for i in ids}
    assert far.most_waiting == IMAGES  # the images, then their members: each read all at once


def test_a_share_and_an_accept_of_several_images_through_the_far_cloud_reach_glance_whole(openstack, far):
    alice, bob = openstack.tenant(), openstack.tenant()
    ids = [openstack.image(alice, f"far-{n}") for n in range(IMAGES)]
    backend = get_backend()

    result = backend.image_members_add(through(far, alice.admin), ids, [bob.project_id])
    assert (result.changed, result.background) == (IMAGES, False)
    far.most_waiting = 0
    backend.image_member_status_update(through(far, bob.admin), ids, "accepted")
    assert far.most_waiting > 1

    headers = {"X-Auth-Token": alice.admin.remote.token}
    for image_id in ids:
        member = requests.get(f"{openstack.cloud.image_url}/v2/images/{image_id}/members/{bob.project_id}",
                              headers=headers, timeout=30).json()
        assert member["status"] == "accepted"
    assert {i.share_status for i in backend.images_get(bob.admin, ids, scope=Scope.SHARED)} == {"accepted"}


def test_an_unknown_image_among_several_read_at_once_is_named_and_nothing_is_shared(openstack, far):
    alice, bob = openstack.tenant(), openstack.tenant()
    ids = [openstack.image(alice, f"far-{n}") for n in range(3)]
    unknown = str(uuid.uuid4())
    backend = get_backend()

    with pytest.raises(IMSError) as refused:
        backend.image_members_add(through(far, alice.admin), [ids[0], unknown, *ids[1:]], [bob.project_id])
    assert refused.value.code == "IMG.0027" and unknown in refused.value.message
    assert backend.image_members_list(alice.admin, ids) == []
