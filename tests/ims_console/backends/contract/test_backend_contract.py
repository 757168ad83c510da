"""What every backend must do, seen only through the protocol (see conftest.py). Rule IDs are docs/rules.md's."""

from __future__ import annotations

import pytest

from ims_console.backends.protocol import Backend, Scope
from ims_console.backends.records import ImageQuery
from ims_console.core.errors import ConsoleCode, Display, IMSError
from tests.clouds import Tenant


def refusal(call) -> IMSError:
    with pytest.raises(IMSError) as error:
        call()
    return error.value


def codes(error: IMSError) -> list[str]:
    return [p.code for p in error.all_problems]


def shared(backend: Backend, owner: Tenant, recipient: Tenant, image_id: str) -> None:
    result = backend.image_members_add(owner.admin, [image_id], [recipient.project_id])
    assert (result.changed, result.unchanged) == (1, 0)


# ---- Images: lookups and tenancy.


def test_an_image_is_found_in_its_own_project_and_nowhere_else(backend, cloud, alice, bob):
    image_id = cloud.image(alice, "web")
    assert backend.image_get(alice.admin, image_id).name == "web"
    assert backend.image_get(alice.reader, image_id).owner_project_id == alice.project_id
    for scope in Scope:
        error = refusal(lambda scope=scope: backend.image_get(bob.admin, image_id, scope=scope))
        assert (error.code, error.status, error.display) == ("IMG.0027", 404, Display.PAGE)


def test_a_malformed_image_id_names_no_image(backend, alice):
    assert refusal(lambda: backend.image_get(alice.admin, "not-a-uuid")).code == "IMG.0027"


def test_images_get_returns_all_or_names_the_missing_one(backend, cloud, alice, bob):
    mine = [cloud.image(alice, "b-image"), cloud.image(alice, "a-image")]
    assert [r.name for r in backend.images_get(alice.admin, mine)] == ["a-image", "b-image"]
    theirs = cloud.image(bob, "theirs")
    error = refusal(lambda: backend.images_get(alice.admin, [*mine, theirs]))
    assert (error.code, error.item) == ("IMG.0027", theirs)


def test_a_shared_image_is_found_by_its_recipient_only_with_the_shared_or_visible_scope(backend, cloud, alice, bob):
    image_id = cloud.image(alice, "base")
    shared(backend, alice, bob, image_id)
    assert refusal(lambda: backend.image_get(bob.admin, image_id)).code == "IMG.0027"
    for scope in (Scope.SHARED, Scope.VISIBLE):
        record = backend.image_get(bob.admin, image_id, scope=scope)
        assert (record.share_status, record.owner_project_id) == ("pending", alice.project_id)
    assert backend.image_get(alice.admin, image_id, scope=Scope.VISIBLE).share_status == ""


def test_the_private_list_pages_by_marker_and_counts_where_the_service_counts(backend, cloud, alice):
    for n in range(5):
        cloud.image(alice, f"img-{n}")
    query = ImageQuery(sort="name", order="asc", limit=2)
    first = backend.image_list_private(alice.admin, query)
    assert ([r.name for r in first.items], first.previous_marker) == (["img-0", "img-1"], None)
    assert first.total in (5, None)  # Glance does not count: None, and the page says so
    second = backend.image_list_private(alice.admin, ImageQuery(sort="name", order="asc", limit=2, after=first.next_marker))
    assert [r.name for r in second.items] == ["img-2", "img-3"]
    back = backend.image_list_private(alice.admin, ImageQuery(sort="name", order="asc", limit=2, before=second.previous_marker))
    assert [r.name for r in back.items] == ["img-0", "img-1"]


# ---- Writes: read-only roles, Modify, Delete.


def test_a_read_only_role_changes_nothing(backend, cloud, alice, bob):
    image_id = cloud.image(alice, "web")
    keys = backend.keys_list(alice.admin)
    writes = [
        lambda: backend.image_update(alice.reader, image_id, name="x", description=""),
        lambda: backend.images_delete(alice.reader, [image_id]),
        lambda: backend.image_members_add(alice.reader, [image_id], [bob.project_id]),
        lambda: backend.key_create(alice.reader, "team/x"),
        lambda: backend.image_replicate(alice.reader, image_id, name="copy", description=""),
    ]
    for write in writes:
        error = refusal(write)
        assert (error.code, error.status, error.display) == (ConsoleCode.READ_ONLY, 403, Display.PAGE)
    assert backend.image_get(alice.admin, image_id).name == "web"
    assert backend.image_members_list(alice.admin, [image_id]) == []
    assert backend.keys_list(alice.admin) == keys


def test_modify_renames_and_delete_removes_the_image_for_its_recipients_too(backend, cloud, alice, bob):
    image_id = cloud.image(alice, "web")
    assert backend.image_update(alice.admin, image_id, name="web-2", description="new").name == "web-2"
    shared(backend, alice, bob, image_id)
    assert backend.images_delete(alice.admin, [image_id]) == 1
    assert refusal(lambda: backend.image_get(alice.admin, image_id)).status == 404
    assert refusal(lambda: backend.image_get(bob.admin, image_id, scope=Scope.SHARED)).status == 404
    assert backend.shares_pending_count(bob.admin) == 0


# ---- Sharing: the owner (S1 to S15).


def test_sharing_is_all_or_nothing_and_names_each_problem_at_its_input(backend, cloud, alice, bob):
    image_id = cloud.image(alice, "web")
    error = refusal(lambda: backend.image_members_add(alice.admin, [image_id], [bob.project_id, "not-an-id", alice.project_id]))
    assert error.display == Display.DIALOG
    assert codes(error) == ["IMG.0067", "IMG.0076"]
    assert {p.field for p in error.all_problems} == {"project_ids"}
    assert backend.image_members_list(alice.admin, [image_id]) == []


def test_images_that_are_not_normal_are_refused(backend, cloud, alice, bob):
    creating = cloud.image(alice, "creating", creating=True)
    error = refusal(lambda: backend.image_members_add(alice.admin, [creating], [bob.project_id]))
    assert codes(error) == ["IMG.0046"]
    assert not backend.image_members_list(alice.admin, [creating])


@pytest.mark.backends("embedded")
def test_full_ecs_images_from_csbs_are_refused_where_the_backup_service_is_known(backend, cloud, alice, bob):
    csbs = cloud.image(alice, "csbs", full_ecs_csbs=True)
    error = refusal(lambda: backend.image_members_add(alice.admin, [csbs], [bob.project_id]))
    assert codes(error) == ["IMG.0135"]
    assert not backend.image_members_list(alice.admin, [csbs])


def test_sharing_again_leaves_the_pair_as_it_is_and_stop_sharing_ends_it(backend, cloud, alice, bob):
    image_id = cloud.image(alice, "web")
    shared(backend, alice, bob, image_id)
    backend.image_member_status_update(bob.admin, [image_id], "accepted")
    again = backend.image_members_add(alice.admin, [image_id], [bob.project_id])
    assert (again.changed, again.unchanged) == (0, 1)
    [member] = backend.image_members_list(alice.admin, [image_id])
    assert (member.project_id, member.status) == (bob.project_id, "accepted")
    assert backend.image_members_remove(alice.admin, [image_id], [bob.project_id]).changed == 1
    assert backend.image_members_list(alice.admin, [image_id]) == []
    error = refusal(lambda: backend.image_members_remove(alice.admin, [image_id], [bob.project_id]))
    assert codes(error) == [ConsoleCode.NOT_A_RECIPIENT]


def test_a_recipient_cannot_share_what_was_shared_with_it(backend, cloud, alice, bob):
    image_id = cloud.image(alice, "web")
    shared(backend, alice, bob, image_id)
    error = refusal(lambda: backend.image_members_add(bob.admin, [image_id], [alice.project_id]))
    assert (error.code, error.status) == ("IMG.0047", 403)


def test_the_recipient_limit_counts_every_member(backend, cloud, alice, settings):
    settings.IMS_MAX_MEMBERS_PER_IMAGE = 2
    image_id = cloud.image(alice, "web")
    recipients = [cloud.tenant() for _ in range(3)]
    backend.image_members_add(alice.admin, [image_id], [r.project_id for r in recipients[:2]])
    error = refusal(lambda: backend.image_members_add(alice.admin, [image_id], [recipients[2].project_id]))
    assert codes(error) == ["IMG.0088"]
    assert len(backend.image_members_list(alice.admin, [image_id])) == 2


# ---- Sharing: the recipient (R1 to R4).


def test_a_recipient_sees_pending_then_accepts_then_rejects(backend, cloud, alice, bob):
    image_id = cloud.image(alice, "web")
    shared(backend, alice, bob, image_id)
    assert backend.shares_pending_count(bob.admin) == 1
    summary = backend.shares_pending_summary(bob.admin, 20)
    assert (summary.count, [i.id for i in summary.first], summary.full_ecs) == (1, [image_id], [])
    assert [i.id for i in backend.image_list_shared_with_me(bob.admin, "pending", ImageQuery()).items] == [image_id]
    assert backend.image_member_status_update(bob.admin, [image_id], "accepted").changed == 1
    assert [i.id for i in backend.image_list_shared_with_me(bob.admin, "accepted", ImageQuery()).items] == [image_id]
    backend.image_member_status_update(bob.admin, [image_id], "rejected")
    assert backend.image_list_shared_with_me(bob.admin, "accepted", ImageQuery()).items == []
    assert [i.id for i in backend.image_list_shared_with_me(bob.admin, "rejected", ImageQuery()).items] == [image_id]
    assert backend.shares_pending_count(bob.admin) == 0


def test_only_the_recipient_sets_a_share_status(backend, cloud, alice, bob):
    image_id = cloud.image(alice, "web")
    shared(backend, alice, bob, image_id)
    assert refusal(lambda: backend.image_member_status_update(alice.admin, [image_id], "accepted")).status == 403
    outsider = cloud.tenant()
    assert refusal(lambda: backend.image_member_status_update(outsider.admin, [image_id], "accepted")).status == 404
    assert len(backend.image_list_shared_with_me(bob.admin, "pending", ImageQuery()).items) == 1


@pytest.mark.backends("embedded")
def test_accepting_a_full_ecs_image_needs_a_fit_vault_where_the_cloud_has_vaults(backend, cloud, alice, bob):
    image_id = cloud.image(alice, "erp", full_ecs_cbr=True, size=50 * 1024**3)
    shared(backend, alice, bob, image_id)
    assert backend.image_get(bob.admin, image_id, scope=Scope.SHARED).accept_needs_vault
    disks = cloud.vault(bob, for_disks=True)
    small = cloud.vault(bob, capacity_gb=10)
    fit = cloud.vault(bob, capacity_gb=100)
    for vault_id, code in (("", "IMG.0184"), (disks, "IMG.0193"), (small, "IMG.0182")):
        error = refusal(lambda vault_id=vault_id: backend.image_member_status_update(bob.admin, [image_id], "accepted", vault_id))
        assert codes(error) == [code] and error.all_problems[0].field == "vault_id"
    backend.image_member_status_update(bob.admin, [image_id], "accepted", fit)
    assert {v.id: v.free_gb for v in backend.vaults_list(bob.admin)}[fit] == 50


# ---- Keys and replication (S9, R6).


@pytest.mark.backends("embedded")
def test_every_project_has_its_default_key_where_the_cloud_has_kms(backend, alice):
    keys = backend.keys_list(alice.reader)
    assert [(k.alias, k.is_default, k.encrypts_replicas) for k in keys] == [("ims/default", True, False)]
    assert backend.keys_list(alice.admin) == keys


@pytest.mark.backends("embedded")
def test_a_custom_key_granted_to_the_recipients_account_lets_its_image_be_shared_where_the_cloud_has_kms(backend, cloud, alice, bob):
    key = backend.key_create(alice.admin, "team/prod")
    assert key.encrypts_replicas
    image_id = cloud.image(alice, "enc", key_id=key.id)
    error = refusal(lambda: backend.image_members_add(alice.admin, [image_id], [bob.project_id]))
    assert codes(error) == ["IMG.0099"] and error.all_problems[0].context == {"key_id": key.id, "project_id": bob.project_id}
    own = refusal(lambda: backend.key_grant_create(alice.admin, key.id, alice.account_id))
    assert codes(own) == [ConsoleCode.ACCOUNT_ID_INVALID]
    granted = backend.key_grant_create(alice.admin, key.id, bob.account_id)
    assert [g.account_id for g in granted.grants] == [bob.account_id]
    shared(backend, alice, bob, image_id)


@pytest.mark.backends("embedded")
def test_replicating_a_shared_encrypted_image_needs_acceptance_and_an_own_key_where_the_cloud_replicates(backend, cloud, alice, bob):
    key = backend.key_create(alice.admin, "team/prod")
    backend.key_grant_create(alice.admin, key.id, bob.account_id)
    image_id = cloud.image(alice, "enc", key_id=key.id)
    shared(backend, alice, bob, image_id)
    assert backend.image_get(bob.admin, image_id, scope=Scope.SHARED).replica_needs_key
    error = refusal(lambda: backend.image_replicate(bob.admin, image_id, name="copy", description=""))
    assert codes(error) == ["IMG.0196", ConsoleCode.REPLICA_KEY]
    backend.image_member_status_update(bob.admin, [image_id], "accepted")
    bobs_key = backend.key_create(bob.admin, "bob/copies")
    copy = backend.image_replicate(bob.admin, image_id, name="copy", description="", key_id=bobs_key.id)
    assert (copy.owner_project_id, copy.key_id, copy.encrypted) == (bob.project_id, bobs_key.id, True)
    assert [r.id for r in backend.image_list_private(bob.admin, ImageQuery()).items] == [copy.id]


@pytest.mark.backends("openstack")
def test_kms_vaults_and_replicate_are_refused_as_not_available_in_a_cloud_whose_image_api_lacks_them(backend, cloud, alice, bob):
    image_id = cloud.image(alice, "erp", full_ecs_cbr=True)
    assert backend.keys_list(alice.admin) == [] and backend.vaults_list(alice.admin) == []
    assert codes(refusal(lambda: backend.key_create(alice.admin, "team/x"))) == [ConsoleCode.NOT_AVAILABLE]
    assert codes(refusal(lambda: backend.image_replicate(alice.admin, image_id, name="c", description=""))) == [ConsoleCode.NOT_AVAILABLE]
    shared(backend, alice, bob, image_id)
    error = refusal(lambda: backend.image_member_status_update(bob.admin, [image_id], "accepted"))
    assert codes(error) == [ConsoleCode.NOT_AVAILABLE] and "not available in this cloud" in error.all_problems[0].message
    assert backend.shares_pending_count(bob.admin) == 1  # nothing changed
