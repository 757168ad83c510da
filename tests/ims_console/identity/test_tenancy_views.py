from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import ImageFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def test_the_header_shows_the_user_the_region_and_the_current_project(owner):
    html = owner.client.get(reverse("images:private")).content.decode()
    assert owner.user.username in html
    assert "EU-Germany" in html
    assert f'value="{owner.project.id}" selected' in html


def test_switching_project_changes_what_the_lists_show(owner):
    nl = ProjectFactory(account=owner.account, region="eu-nl", name="eu-nl_team")
    ImageFactory(project=owner.project, name="in-germany")
    ImageFactory(project=nl, name="in-netherlands")
    response = owner.client.post(reverse("project_switch"), {"project": nl.id, "next": reverse("images:private")}, follow=True)
    html = response.content.decode()
    assert "in-netherlands" in html and "in-germany" not in html
    assert "EU-Netherlands" in html
    # The choice is kept in the session.
    assert "in-netherlands" in owner.client.get(reverse("images:private")).content.decode()


def test_switching_to_another_accounts_project_is_404_and_changes_nothing(owner, outsider):
    response = owner.client.post(reverse("project_switch"), {"project": outsider.project.id})
    assert response.status_code == 404
    assert f'value="{owner.project.id}" selected' in owner.client.get(reverse("images:private")).content.decode()


def test_read_only_users_may_switch_project(readonly):
    nl = ProjectFactory(account=readonly.account, region="eu-nl")
    response = readonly.client.post(reverse("project_switch"), {"project": nl.id})
    assert response.status_code == 302


def test_switching_never_redirects_off_site(owner):
    response = owner.client.post(reverse("project_switch"), {"project": owner.project.id, "next": "https://evil.example/"})
    assert response["Location"] == reverse("images:private")


def test_my_credentials_lists_the_account_and_every_project_with_region_and_id(owner, outsider):
    nl = ProjectFactory(account=owner.account, region="eu-nl", name="eu-nl_team")
    html = owner.client.get(reverse("my_credentials")).content.decode()
    for value in (owner.account.name, owner.account.id, owner.project.name, owner.project.id, nl.name, nl.id,
                  "EU-Germany (eu-de)", "EU-Netherlands (eu-nl)", ">Region<", ">Project Name<", ">Project ID<"):
        assert value in html, value
    assert f'data-copy="{nl.id}"' in html
    assert outsider.project.id not in html


def test_login_with_a_wrong_password_says_so_and_logs_nobody_in(client, owner):
    response = client.post(reverse("login"), {"username": owner.user.username, "password": "wrong"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert client.get(reverse("images:private")).status_code == 302


def test_login_then_logout(client, owner):
    from tests.factories import PASSWORD

    response = client.post(reverse("login"), {"username": owner.user.username, "password": PASSWORD})
    assert response["Location"] == reverse("images:private")
    assert client.get(reverse("images:private")).status_code == 200
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout"))["Location"] == reverse("login")
    assert client.get(reverse("images:private")).status_code == 302


def test_the_console_never_links_tenants_to_the_admin(owner):
    html = owner.client.get(reverse("images:private")).content.decode()
    assert "/admin/" not in html
    assert owner.client.get("/admin/").status_code == 302
