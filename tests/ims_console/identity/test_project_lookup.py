"""OpenStack mode with the console's project lookup account (IMS_OS_LOOKUP_USER, a Keystone system reader): the
recipients' projects are checked for existence and region before anything is shared (S6, S11), and names are
shown beside project IDs. Real Keystone and Glance (tests/conftest.py::local_cloud)."""

from __future__ import annotations

import uuid

import pytest
from django.core.cache import cache
from django.urls import reverse

from ims_console.core.errors import IMSError
from tests.ims_console.backends.openstack.test_openstack_mode import log_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def cloud(openstack, local_cloud, settings):
    settings.IMS_OS_LOOKUP_USER = local_cloud.lookup_user
    settings.IMS_OS_LOOKUP_PASSWORD = local_cloud.lookup_password
    settings.IMS_OS_LOOKUP_DOMAIN = "Default"
    cache.clear()
    return openstack



def test_s6_a_project_id_that_names_no_project_is_refused_and_nothing_is_shared(cloud):
    acme, globex = cloud.tenant(), cloud.tenant()
    image = cloud.image(acme, "web")
    nobody = uuid.uuid4().hex
    owner, _ = log_in(acme)

    response = owner.post(reverse("sharing:share"), {"image_id": image, "project_ids": f"{globex.project_id}\n{nobody}"})

    assert response.status_code == 200
    html = response.content.decode()
    assert f"Project {nobody} cannot be found in the current region (eu-de)" in html
    assert globex.project_id not in html.split("cannot be found")[0][-200:]
    assert cloud.members(acme, image) == []


def test_s11_a_project_of_another_region_is_refused(cloud):
    acme, faraway = cloud.tenant(), cloud.tenant(region="eu-nl")
    image = cloud.image(acme, "web")
    owner, _ = log_in(acme)

    response = owner.post(reverse("sharing:share"), {"image_id": image, "project_ids": faraway.project_id})

    assert f"Project {faraway.project_id} cannot be found in the current region (eu-de)" in response.content.decode()
    assert cloud.members(acme, image) == []


def test_with_the_lookup_account_the_dialog_does_not_warn_and_a_project_of_the_region_is_shared_with(cloud):
    acme, globex = cloud.tenant(), cloud.tenant()
    image = cloud.image(acme, "web")
    owner, _ = log_in(acme)
    dialog = owner.get(reverse("sharing:share"), {"image_id": image}).content.decode()
    assert "does not tell the console whether a project ID exists" not in dialog

    response = owner.post(reverse("sharing:share"), {"image_id": image, "project_ids": globex.project_id})

    assert response.status_code == 302
    assert cloud.members(acme, image) == [(globex.project_id, "pending")]


def test_names_are_shown_beside_project_ids_to_the_owner_and_the_recipient(cloud):
    acme, globex = cloud.tenant(), cloud.tenant()
    image = cloud.image(acme, "web")
    owner, _ = log_in(acme)
    owner.post(reverse("sharing:share"), {"image_id": image, "project_ids": globex.project_id})
    globex_project = f"eu-de_project-{globex.account_name.removeprefix('account-')}"
    acme_project = f"eu-de_project-{acme.account_name.removeprefix('account-')}"

    sharing_tab = owner.get(reverse("sharing:image_sharing", args=[image])).content.decode()
    assert globex_project in sharing_tab and globex.account_name in sharing_tab

    recipient, _ = log_in(globex)
    pending = recipient.get(reverse("sharing:shared_pending")).content.decode()
    assert acme_project in pending and acme.account_name in pending


def test_a_lookup_account_keystone_refuses_is_a_clear_503_and_nothing_is_shared(cloud, settings):
    settings.IMS_OS_LOOKUP_PASSWORD = "wrong"
    acme, globex = cloud.tenant(), cloud.tenant()
    image = cloud.image(acme, "web")
    owner, _ = log_in(acme)

    response = owner.post(reverse("sharing:share"), {"image_id": image, "project_ids": globex.project_id})

    assert response.status_code == 503
    assert "refused the console&#x27;s lookup account IMS_OS_LOOKUP_USER=ims-lookup" in response.content.decode()
    assert cloud.members(acme, image) == []
    # Names are a hint: the lists still work, with IDs only.
    assert owner.get(reverse("sharing:image_sharing", args=[image])).status_code == 200


def test_the_recipients_page_of_a_shared_image_names_its_owner(cloud):
    acme, globex = cloud.tenant(), cloud.tenant()
    image = cloud.image(acme, "web")
    owner, _ = log_in(acme)
    owner.post(reverse("sharing:share"), {"image_id": image, "project_ids": globex.project_id})
    recipient, _ = log_in(globex)

    html = recipient.get(reverse("sharing:shared_image", args=[image])).content.decode()

    assert image in html and acme.account_name in html and "Pending" in html


def test_activity_names_the_recipients_projects(cloud, settings):
    acme, globex = cloud.tenant(), cloud.tenant()
    image = cloud.image(acme, "web")
    owner, _ = log_in(acme)
    owner.post(reverse("sharing:share"), {"image_id": image, "project_ids": globex.project_id})
    globex_project = f"eu-de_project-{globex.account_name.removeprefix('account-')}"

    (row,) = owner.get(reverse("activity")).context["page"].rows
    assert row.subjects == f"web → {globex_project}"
    job = owner.get(reverse("activity_job", args=[row.job.id])).content.decode()
    assert globex_project in job and globex.project_id in job
    tab = owner.get(reverse("image_activity", args=[image])).content.decode()
    assert "Shared with" in tab and globex_project in tab, tab[tab.find('id="image-activity"'):][:3000]
    # Without the lookup account (or when Keystone cannot say), the ID stands in for the name.
    settings.IMS_OS_LOOKUP_USER = ""
    (row,) = owner.get(reverse("activity")).context["page"].rows
    assert row.subjects == f"web → {globex.project_id}"


def test_the_lookup_account_is_made_by_the_consoles_own_command_and_works(openstack, local_cloud, settings, monkeypatch):
    """What the README tells an operator to run (no openstack CLI needed): the account it makes finds projects, and
    running it again gives the account a new password (the old one stops working)."""
    import io
    import re
    import time

    from django.core.management import call_command

    from ims_console.identity import project_lookup

    def make() -> str:
        out = io.StringIO()
        call_command("os_lookup_account", auth_url=local_cloud.auth_url, name=name, stdout=out)
        found = re.search(r"IMS_OS_LOOKUP_USER=(\S+) IMS_OS_LOOKUP_PASSWORD='([^']+)'", out.getvalue())
        assert found and found.group(1) == name, out.getvalue()
        return found.group(2)

    name = f"ims-lookup-{uuid.uuid4().hex[:6]}"
    monkeypatch.setenv("OS_ADMIN_PASSWORD", local_cloud.admin_password)
    acme = openstack.tenant()
    first, second = make(), make()
    # Keystone takes a token issued in the same second as its user's password change for one issued before it
    # (revoked): a person is never that quick, a test is.
    time.sleep(1.5)
    settings.IMS_OS_LOOKUP_USER, settings.IMS_OS_LOOKUP_DOMAIN = name, "Default"
    settings.IMS_OS_LOOKUP_PASSWORD = second
    cache.clear()
    found = project_lookup.projects([acme.project_id])[acme.project_id]
    assert found is not None and (found.id, found.account_id) == (acme.project_id, acme.account_id)
    settings.IMS_OS_LOOKUP_PASSWORD = first
    cache.clear()
    with pytest.raises(IMSError, match="refused the console's lookup account"):
        project_lookup.projects([acme.project_id])


def test_the_command_refuses_without_the_administrators_password(local_cloud, monkeypatch):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    monkeypatch.delenv("OS_ADMIN_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="Set OS_ADMIN_PASSWORD"):
        call_command("os_lookup_account", auth_url=local_cloud.auth_url)


def test_the_demo_data_is_not_loaded_in_openstack_mode(openstack):
    import io

    from django.core.management import call_command

    from ims_console.identity.models import Account

    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "no demo data is loaded" in out.getvalue()
    assert not Account.objects.exists()
