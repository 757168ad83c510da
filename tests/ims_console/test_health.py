"""The health URLs a load balancer asks: liveness and readiness, without a login, in JSON, naming no address."""

from __future__ import annotations

import json
import socket

import pytest
from django.test import Client

from ims_console.fleet import free_port


def _closed_port() -> int:
    """A loopback port nothing listens on (a refused connection, as a server that is down answers)."""
    return free_port()


@pytest.fixture
def anonymous() -> Client:
    return Client()


def test_liveness_answers_without_a_login_without_a_session_and_without_the_database(anonymous):
    # No django_db mark: a query would fail the test.
    response = anonymous.get("/health/live/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"] and not response.cookies


@pytest.mark.django_db
def test_readiness_asks_the_database_and_says_ok(anonymous):
    response = anonymous.get("/health/ready/")
    assert (response.status_code, response.json()) == (200, {"status": "ok", "checks": {"database": "ok"}})
    assert not response.cookies


@pytest.mark.django_db
def test_readiness_is_503_when_keystone_cannot_be_reached_and_names_no_address(anonymous, settings):
    port = _closed_port()
    settings.IMS_BACKEND = "openstack"
    settings.OS_AUTH_URL = f"http://127.0.0.1:{port}/v3"
    response = anonymous.get("/health/ready/")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable", "checks": {"database": "ok", "keystone": "unavailable: cannot be reached"}
    }
    assert str(port) not in response.content.decode() and "127.0.0.1" not in response.content.decode()


@pytest.mark.django_db
def test_readiness_is_503_when_keystone_does_not_answer_in_time(anonymous, settings):
    # A fault no real Keystone shows on demand: a server that takes the connection and never answers.
    hung = socket.socket()
    hung.bind(("127.0.0.1", 0))
    hung.listen(4)
    try:
        settings.IMS_BACKEND = "openstack"
        settings.OS_AUTH_URL = f"http://127.0.0.1:{hung.getsockname()[1]}/v3"
        response = anonymous.get("/health/ready/")
    finally:
        hung.close()
    assert response.status_code == 503
    assert response.json()["checks"]["keystone"] == "unavailable: timed out"


@pytest.mark.django_db
def test_readiness_is_503_when_redis_is_configured_but_down(anonymous, settings):
    url = f"redis://127.0.0.1:{_closed_port()}/0"
    settings.REDIS_URL = url
    from ims_console.core.env import cache_settings

    settings.CACHES = cache_settings(url)
    response = anonymous.get("/health/ready/")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "checks": {"database": "ok", "cache": "unavailable: does not answer"}}


@pytest.mark.parametrize("url", ["/health/live/", "/health/ready/"])
def test_health_urls_answer_only_get_and_head(anonymous, db, url):
    assert anonymous.post(url).status_code == 405
    assert anonymous.head(url).status_code == 200


@pytest.mark.django_db
def test_health_urls_are_json_whatever_the_language_asked(anonymous):
    response = anonymous.get("/health/ready/", HTTP_ACCEPT_LANGUAGE="de", HTTP_ACCEPT="text/html")
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content)["status"] == "ok"
