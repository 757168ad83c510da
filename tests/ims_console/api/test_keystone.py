"""Keystone v3 as the console serves it: version discovery, tokens (issue, scope, validate, revoke, expiry and the
ways they die), the user's projects, and login throttling that the API cannot get around."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import cast

import pytest
from django.test import Client
from django.utils import timezone

from ims_console.identity import tokens
from ims_console.identity.models import ApiToken, Membership, Project
from tests.conftest import Persona, make_persona
from tests.factories import ProjectFactory
from tests.ims_console.api.conftest import Api, issue, password_auth, token_for


def test_clients_discover_keystone_v3_and_the_image_api_from_the_root_and_browsers_still_get_the_console(db):
    versions = Client().get("/", HTTP_ACCEPT="application/json")
    assert versions.status_code == 300
    entries = {v["id"]: v["links"][0]["href"] for v in versions.json()["versions"]["values"]}
    assert entries["v3.14"] == "http://testserver/v3/"
    assert entries["v2.16"] == "http://testserver/v2/"
    assert Client().get("/v3/").json()["version"]["id"] == "v3.14"
    assert Client().get("/v3").json()["version"]["id"] == "v3.14"
    assert Client().get("/v2").json()["versions"][0]["id"] == "v2.16"
    page = Client().get("/", HTTP_ACCEPT="text/html,application/xhtml+xml")
    assert page.status_code == 302 and page["Location"].startswith("/login/")


def test_an_administrator_gets_a_project_token_with_member_and_reader_and_a_catalog_pointing_at_the_console(owner: Persona):
    response = issue(password_auth(owner))
    assert response.status_code == 201
    body = response.json()["token"]
    assert body["user"]["name"] == owner.user.username
    assert body["user"]["domain"] == {"id": owner.account.pk, "name": owner.account.name}
    assert body["project"]["id"] == owner.project.pk
    assert {r["name"] for r in body["roles"]} == {"member", "reader"}
    images = next(s for s in body["catalog"] if s["type"] == "image")
    assert {(e["region_id"], e["url"]) for e in images["endpoints"] if e["interface"] == "public"} == {
        ("eu-de", "http://testserver"), ("eu-nl", "http://testserver")}
    raw = response["X-Subject-Token"]
    stored = ApiToken.objects.get()
    assert stored.digest != raw and raw not in stored.digest and stored.project_id == owner.project.pk


def test_a_read_only_user_gets_the_reader_role_only(readonly: Persona):
    body = issue(password_auth(readonly)).json()["token"]
    assert [r["name"] for r in body["roles"]] == ["reader"]


def test_a_project_is_chosen_by_name_with_its_domain_and_without_scope_the_token_is_unscoped(owner: Persona):
    by_name = issue(password_auth(owner, scope={"project": {"name": owner.project.name,
                                                            "domain": {"name": owner.account.name}}}))
    assert by_name.status_code == 201 and by_name.json()["token"]["project"]["id"] == owner.project.pk
    unscoped = issue(password_auth(owner, scope=None))
    assert unscoped.status_code == 201
    assert "project" not in unscoped.json()["token"] and "catalog" not in unscoped.json()["token"]
    # An unscoped token lists the projects, and gets a scoped one by the token method; it cannot reach images.
    raw = unscoped["X-Subject-Token"]
    other = cast(Project, ProjectFactory(account=owner.account, region="eu-nl"))
    projects = Client(HTTP_X_AUTH_TOKEN=raw).get("/v3/auth/projects").json()["projects"]
    assert sorted(p["id"] for p in projects) == sorted([owner.project.pk, other.pk])
    assert Api(raw).get("/v2/images").status_code == 401
    rescoped = issue({"auth": {"identity": {"methods": ["token"], "token": {"id": raw}},
                               "scope": {"project": {"id": other.pk}}}})
    assert rescoped.status_code == 201 and rescoped.json()["token"]["project"]["id"] == other.pk


def test_wrong_password_another_accounts_project_or_domain_is_401_in_keystones_words(owner: Persona, outsider: Persona):
    for body in (
        password_auth(owner, password="wrong"),
        password_auth(owner, scope={"project": {"id": outsider.project.pk}}),
        password_auth(owner, scope={"project": {"name": outsider.project.name, "domain": {"name": outsider.account.name}}}),
        {"auth": {"identity": {"methods": ["password"], "password": {"user": {
            "name": owner.user.username, "domain": {"name": outsider.account.name}, "password": "test-password-1"}}}}},
    ):
        response = issue(body)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == 401
    assert ApiToken.objects.count() == 0


@pytest.mark.parametrize("body", [{}, {"auth": []}, {"auth": {"identity": {}}}, {"auth": {"identity": {"methods": []}}},
                                  {"auth": {"identity": {"methods": ["password"], "password": {"user": {}}}}}])
def test_a_malformed_request_is_400_naming_what_is_missing(db, body):
    response = issue(body)
    assert response.status_code == 400
    assert "Expecting to find" in response.json()["error"]["message"]


def test_wrong_passwords_through_the_api_count_towards_the_login_throttle(owner: Persona, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        assert issue(password_auth(owner, password="wrong")).status_code == 401
    locked = issue(password_auth(owner))
    assert locked.status_code == 401
    assert "Too many failed log-ins" in locked.json()["error"]["message"]
    assert ApiToken.objects.count() == 0
    # The login page is locked for that user as well.
    page = Client().post("/login/", {"username": owner.user.username, "password": "test-password-1"})
    assert page.status_code == 429


def test_a_token_is_validated_and_revoked_and_then_refused(owner: Persona):
    raw = token_for(owner)
    checker = Client(HTTP_X_AUTH_TOKEN=raw)
    shown = checker.get("/v3/auth/tokens", HTTP_X_SUBJECT_TOKEN=raw)
    assert shown.status_code == 200 and shown["X-Subject-Token"] == raw
    assert checker.get("/v3/auth/tokens", HTTP_X_SUBJECT_TOKEN="not-a-token").status_code == 404
    assert checker.delete("/v3/auth/tokens", HTTP_X_SUBJECT_TOKEN=raw).status_code == 204
    assert Api(raw).get("/v2/images").status_code == 401
    assert ApiToken.objects.count() == 0


@pytest.mark.parametrize("death", ["expired", "password changed", "deactivated", "left the account"])
def test_a_token_dies_with_its_expiry_a_new_password_a_deactivated_user_or_a_lost_membership(owner: Persona, death):
    raw = token_for(owner)
    assert Api(raw).get("/v2/images").status_code == 200
    if death == "expired":
        ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    elif death == "password changed":
        owner.user.set_password("another-password-2")
        owner.user.save()
    elif death == "deactivated":
        owner.user.is_active = False
        owner.user.save()
    else:
        Membership.objects.filter(user=owner.user).delete()
    refused = Api(raw).get("/v2/images")
    assert refused.status_code == 401
    assert refused.json()["message"] == "The request you have made requires authentication."


def test_tokens_expire_after_the_configured_hours(owner: Persona, settings):
    settings.IMS_API_TOKEN_HOURS = 2
    body = issue(password_auth(owner)).json()["token"]
    token = ApiToken.objects.get()
    assert token.expires_at - token.issued_at == timedelta(hours=2)
    assert body["expires_at"].endswith("Z")


def test_a_token_is_checked_with_one_query(owner: Persona, django_assert_num_queries):
    raw = token_for(owner)
    with django_assert_num_queries(1):
        token = tokens.valid(raw)
    assert token is not None and token.project is not None and token.project.pk == owner.project.pk
    with django_assert_num_queries(1):
        assert tokens.valid(raw + "x") is None


def test_the_token_never_appears_in_the_log(owner: Persona, caplog):
    raw = token_for(owner)
    with caplog.at_level(logging.DEBUG):
        Api(raw + "x").get("/v2/images")
        Api(raw).get("/v2/images/not-an-id")
        Client(HTTP_X_AUTH_TOKEN=raw).get("/v3/auth/tokens", HTTP_X_SUBJECT_TOKEN=raw + "y")
    assert raw not in caplog.text


def test_a_user_in_no_account_gets_no_token(db):
    from tests.factories import PASSWORD, UserFactory

    user = UserFactory()
    response = issue({"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": user.username, "password": PASSWORD}}}}})
    assert response.status_code == 401


def test_in_openstack_mode_the_apis_are_the_clouds_and_answer_404(owner: Persona, settings):
    settings.IMS_BACKEND = "openstack"
    for path in ("/v3/auth/tokens", "/v2/images", "/api/openapi.json", "/v3", "/v1/cloudimages/members"):
        response = Client().get(path)
        assert response.status_code == 404
        assert "served by the cloud itself" in response.json()["error"]["message"]


def test_projects_list_names_the_accounts_projects_only(owner: Persona, outsider: Persona):
    make_persona(account=owner.account)
    projects = Client(HTTP_X_AUTH_TOKEN=token_for(owner)).get("/v3/auth/projects").json()["projects"]
    assert outsider.project.pk not in {p["id"] for p in projects}
    assert owner.project.pk in {p["id"] for p in projects}
    assert all(p["domain_id"] == owner.account.pk for p in projects)


def test_the_catalog_gives_the_configured_address_behind_a_proxy(owner: Persona, settings):
    settings.IMS_API_URL = "https://ims.example.com"
    body = issue(password_auth(owner)).json()["token"]
    urls = {e["url"] for s in body["catalog"] for e in s["endpoints"]}
    assert urls == {"https://ims.example.com", "https://ims.example.com/v3"}
    root = Client().get("/", HTTP_ACCEPT="application/json").json()["versions"]["values"]
    assert {v["links"][0]["href"] for v in root} == {"https://ims.example.com/v3/", "https://ims.example.com/v2/"}


def test_a_users_dead_tokens_are_removed_when_a_new_one_is_issued(owner: Persona, readonly: Persona):
    token_for(owner), token_for(readonly)
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    token_for(owner)
    assert sorted(ApiToken.objects.values_list("user__username", flat=True)) == sorted(
        [owner.user.username, readonly.user.username])
    assert ApiToken.objects.filter(user=owner.user, expires_at__gt=timezone.now()).count() == 1
