"""My Credentials > Access Keys: at most two keys per user, the secret shown once and kept encrypted, deactivate,
activate and delete after a confirmation, each in Activity; another user's key does not exist."""

from __future__ import annotations

import csv
import io
from urllib.parse import unquote

import pytest
from django.test import Client
from django.urls import reverse

from ims_console.activity.models import Job, Trace
from ims_console.identity import access_keys
from ims_console.identity.models import AccessKey
from tests.conftest import Persona, make_persona, snapshot

HTMX = {"HX-Request": "true", "HX-Target": "modal"}


def create(persona: Persona, description: str = "ci pipeline"):
    return persona.client.post(reverse("access_key_create"), {"description": description}, headers=HTMX)


def test_the_list_starts_empty_and_says_what_keys_are_for(owner):
    page = owner.client.get(reverse("access_keys")).content.decode()
    assert "You have no access keys" in page and "Create Access Key" in page
    assert 'aria-current="page">Access Keys' in page


def test_a_key_is_created_its_secret_shown_once_kept_encrypted_and_offered_as_credentials_csv(owner):
    response = create(owner)
    assert response.status_code == 200 and "access-keys-changed" in response["HX-Trigger"]
    key = AccessKey.objects.get(user=owner.user)
    secret = access_keys.secret_of(key)
    shown = response.content.decode()
    assert key.pk in shown and secret in shown and len(secret) == 40 and len(key.pk) == 20
    assert secret not in key.secret_encrypted and key.description == "ci pipeline" and key.status == "active"
    href = shown.split('href="data:text/csv;charset=utf-8,', 1)[1].split('"', 1)[0]
    rows = list(csv.reader(io.StringIO(unquote(href))))
    assert rows == [["User Name", "Access Key Id", "Secret Access Key"], [owner.user.username, key.pk, secret]]
    assert 'download="credentials.csv"' in shown
    # Never again: not on the list, not in the confirmation dialogs.
    for url in (reverse("access_keys"), reverse("access_key_delete", args=[key.pk]),
                reverse("access_key_status", args=[key.pk])):
        assert secret not in owner.client.get(url).content.decode()
    job = Job.objects.get(job_type=Job.Type.CREATE_ACCESS_KEY)
    assert job.username == owner.user.username
    assert "Create access key" in owner.client.get(reverse("activity")).content.decode()


def test_a_third_key_is_refused_and_nothing_is_made(owner):
    create(owner), create(owner)
    before = snapshot(), AccessKey.objects.count()
    refused = create(owner, "third")
    assert refused.status_code == 200
    assert "You have 2 access keys, the most a user can have." in refused.content.decode()
    assert (snapshot(), AccessKey.objects.count()) == before
    assert "Create Access Key</button>" in owner.client.get(reverse("access_keys")).content.decode()  # disabled


def test_a_description_over_255_characters_is_refused_next_to_the_field(owner):
    refused = create(owner, "d" * 256)
    assert "The description is 256 characters long; at most 255 are allowed." in refused.content.decode()
    assert not AccessKey.objects.exists()


def test_deactivate_activate_and_delete_each_after_a_confirmation_and_each_in_activity(owner):
    create(owner)
    key = AccessKey.objects.get()
    confirm = owner.client.get(reverse("access_key_status", args=[key.pk]) + "?status=inactive", headers=HTMX)
    assert "Deactivate access key" in confirm.content.decode() or "Deactivate Access Key" in confirm.content.decode()
    assert AccessKey.objects.get().status == "active"  # asking changes nothing
    owner.client.post(reverse("access_key_status", args=[key.pk]), {"status": "inactive"}, headers=HTMX)
    assert AccessKey.objects.get().status == "inactive"
    owner.client.post(reverse("access_key_status", args=[key.pk]), {"status": "active"}, headers=HTMX)
    assert AccessKey.objects.get().status == "active"
    assert owner.client.get(reverse("access_key_delete", args=[key.pk])).status_code == 200
    assert AccessKey.objects.exists()
    owner.client.post(reverse("access_key_delete", args=[key.pk]), headers=HTMX)
    assert not AccessKey.objects.exists()
    traces = list(Trace.objects.filter(resource_type="accessKey").order_by("time", "id").values_list("name", "result"))
    assert traces == [("createAccessKey", "success"), ("updateAccessKey", "success: inactive"),
                      ("updateAccessKey", "success: active"), ("deleteAccessKey", "success")]
    activity = owner.client.get(reverse("activity")).content.decode()
    for label in ("Create access key", "Deactivate access key", "Activate access key", "Delete access key"):
        assert label in activity


def test_a_read_only_user_may_hold_keys(readonly):
    create(readonly)
    assert AccessKey.objects.filter(user=readonly.user).count() == 1


def test_another_users_key_does_not_exist_and_is_left_alone(owner, outsider):
    create(owner)
    key = AccessKey.objects.get()
    colleague = make_persona(account=owner.account, project=owner.project)
    for persona in (outsider, colleague):
        before = snapshot(), list(AccessKey.objects.values_list("pk", "status"))
        for method, url in (("get", reverse("access_key_status", args=[key.pk])),
                            ("post", reverse("access_key_status", args=[key.pk])),
                            ("get", reverse("access_key_delete", args=[key.pk])),
                            ("post", reverse("access_key_delete", args=[key.pk]))):
            assert getattr(persona.client, method)(url).status_code == 404, (method, url)
        assert key.pk not in persona.client.get(reverse("access_keys")).content.decode()
        assert (snapshot(), list(AccessKey.objects.values_list("pk", "status"))) == before


@pytest.mark.parametrize("name, methods", [
    ("access_keys", ["get"]), ("access_key_create", ["get", "post"]),
    ("access_key_status", ["get", "post"]), ("access_key_delete", ["get", "post"]),
])
def test_anonymous_users_log_in_and_wrong_methods_are_405(owner, name, methods):
    create(owner)
    args = [AccessKey.objects.get().pk] if name in ("access_key_status", "access_key_delete") else []
    url = reverse(name, args=args)
    for method in methods:
        response = getattr(Client(), method)(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), method
    for method in {"get", "post", "put", "patch", "delete"} - set(methods):
        assert getattr(owner.client, method)(url).status_code == 405, method
    assert AccessKey.objects.count() == 1
