"""Helpers of the API tests: tokens for personas (tests/conftest.py), asked for as a client asks."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tests.conftest import Persona
from tests.factories import PASSWORD


def password_auth(persona: Persona, *, password: str = PASSWORD, scope: dict | None | str = "project") -> dict:
    auth: dict = {"identity": {"methods": ["password"], "password": {"user": {
        "name": persona.user.username, "domain": {"name": persona.account.name}, "password": password}}}}
    if scope == "project":
        auth["scope"] = {"project": {"id": persona.project.pk}}
    elif isinstance(scope, dict):
        auth["scope"] = scope
    return {"auth": auth}


def issue(body: dict, client: Client | None = None):
    return (client or Client()).post("/v3/auth/tokens", data=json.dumps(body), content_type="application/json")


def token_for(persona: Persona, **kwargs) -> str:
    response = issue(password_auth(persona, **kwargs))
    assert response.status_code == 201, response.content
    return response["X-Subject-Token"]


class Api:
    """A test client that sends a persona's token, as openstacksdk does."""

    def __init__(self, token: str) -> None:
        self.client = Client(HTTP_X_AUTH_TOKEN=token)

    def get(self, path: str, **params):
        return self.client.get(path, params)

    def post(self, path: str, body):
        return self.client.post(path, data=json.dumps(body), content_type="application/json")

    def put(self, path: str, body):
        return self.client.put(path, data=json.dumps(body), content_type="application/json")

    def patch(self, path: str, body):
        return self.client.patch(path, data=json.dumps(body), content_type="application/openstack-images-v2.1-json-patch")

    def delete(self, path: str):
        return self.client.delete(path)


@pytest.fixture
def api_of():
    return lambda persona: Api(token_for(persona))
