"""Create Grant takes the project ID the owner already knows (issue 12, point 3): its account is named before
anything is granted; IMG.0099's link opens the dialog filled in for the project that lacks the grant."""

from __future__ import annotations

import re
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from images.models import KeyGrant
from tests.conftest import snapshot
from tests.factories import ImageFactory, KeyFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true", "HX-Target": "modal"}


@pytest.fixture
def key(owner):
    return KeyFactory(project=owner.project, alias="acme/prod")


def grant_url(key) -> str:
    return reverse("images:grant_create", args=[key.pk])


def test_a_project_id_names_its_account_before_anything_is_granted_then_ok_grants_that_account(owner, recipient, key):
    before = snapshot()
    html = owner.client.post(grant_url(key), {"account_id": recipient.project.id.upper()}, headers=HTMX).content.decode()
    assert f"Project <strong>{recipient.project.name}</strong>" in html
    assert f"belongs to account <strong>{recipient.account.name}</strong>" in html
    assert f'name="account_id" value="{recipient.account.id}"' in html
    assert snapshot() == before

    done = owner.client.post(grant_url(key), {"account_id": recipient.account.id, "confirmed": "1"}, headers=HTMX)

    assert f"Granted acme/prod to account {recipient.account.name} ({recipient.account.id})." in done.content.decode()
    assert list(KeyGrant.objects.filter(key=key).values_list("grantee_account_id", flat=True)) == [recipient.account.id]


def test_an_account_id_is_granted_at_once_as_before(owner, recipient, key):
    response = owner.client.post(grant_url(key), {"account_id": recipient.account.id}, headers=HTMX)
    assert "Granted acme/prod to account" in response.content.decode()
    assert KeyGrant.objects.filter(key=key, grantee_account=recipient.account).exists()


def test_a_project_of_ones_own_account_is_refused_with_the_reason(owner, key):
    before = snapshot()
    html = owner.client.post(grant_url(key), {"account_id": owner.project.id}, headers=HTMX).content.decode()
    assert f"Project {owner.project.name} ({owner.project.id}) is in your own account" in html
    assert 'aria-invalid="true"' in html
    assert snapshot() == before


def test_an_id_of_nothing_says_so(owner, key):
    unknown = uuid.uuid4().hex
    before = snapshot()
    html = owner.client.post(grant_url(key), {"account_id": unknown}, headers=HTMX).content.decode()
    assert f"No account or project has the ID {unknown}." in html
    assert snapshot() == before


def test_img_0099_links_to_create_grant_filled_in_for_the_project(owner, recipient, key):
    image = ImageFactory(project=owner.project, key=key)
    html = owner.client.post(reverse("sharing:share"), {"image_id": image.pk, "project_ids": recipient.project.id},
                             headers=HTMX).content.decode()
    assert "IMG.0099" in html
    link = re.search(r'<a href="([^"]+)" hx-get="[^"]+" hx-target="#modal" hx-swap="innerHTML">Create the grant for this project.s account</a>', html)
    assert link and link.group(1) == f"{grant_url(key)}?project_id={recipient.project.id}"
    page = owner.client.get(link.group(1)).content.decode()
    assert f'value="{recipient.project.id}"' in page and "Account ID or project ID" in page


def test_only_an_administrator_of_the_keys_project_may_grant(owner, readonly, outsider, recipient, key):
    before = snapshot()
    assert readonly.client.post(grant_url(key), {"account_id": recipient.project.id}).status_code == 403
    assert outsider.client.post(grant_url(key), {"account_id": recipient.project.id}).status_code == 404
    anonymous = Client().post(grant_url(key), {"account_id": recipient.project.id})
    assert anonymous.status_code == 302 and reverse("login") in anonymous.headers["Location"]
    assert owner.client.put(grant_url(key)).status_code == 405
    assert snapshot() == before
