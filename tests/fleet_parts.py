"""What the fleet tests share: a scratch database of the run's kind for the fleet, a Redis of the test's own, and a
browser-like session of one user that a load balancer may send to any instance."""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from ims_console.fleet import ROOT, Part, RedisServer, redis_server

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PENDING = re.compile(r"\((\d+) pending\)")


@contextmanager
def fleet_database(tmp_path: Path) -> Iterator[str]:
    """A migrated scratch database for the fleet, of the kind this run tests: on PostgreSQL (CI's second pass) a
    database of its own on the test server, dropped afterwards; otherwise a SQLite file."""
    from django.db import connection

    if connection.vendor != "postgresql":
        url = f"sqlite:///{tmp_path / 'fleet.sqlite3'}"
        _migrate(url)
        yield url
        return
    s = connection.settings_dict
    name = f"ims_fleet_{uuid.uuid4().hex[:10]}"
    host, port = s["HOST"] or "127.0.0.1", s["PORT"] or 5432
    url = f"postgres://{s['USER']}:{s['PASSWORD']}@{host}:{port}/{name}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        _migrate(url)
        yield url
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _migrate(url: str) -> None:
    from ims_console.fleet import environment

    subprocess.run([sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT,
                   env=environment(url, ""), check=True, capture_output=True, timeout=300)


@contextmanager
def running(*parts: Part) -> Iterator[None]:
    try:
        for part in parts:
            part.start()
        yield
    finally:
        for part in reversed(parts):
            part.kill()


@contextmanager
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    try:
        server = redis_server(tmp_path / "redis.log")
    except RuntimeError as missing:
        pytest.skip(str(missing))
    with running(server):
        yield server


class Browser:
    """One user's browser: one cookie jar, whichever instance a request goes to (cookies ignore the port, as a
    load balancer's single address would make them)."""

    def __init__(self) -> None:
        self.http = requests.Session()

    def log_in(self, base: str, account: str, username: str, password: str = "ims-demo") -> requests.Response:
        page = self.http.get(f"{base}/login/", timeout=30)
        token = CSRF.search(page.text)
        assert token, f"no login form at {base}: HTTP {page.status_code}"
        data = {"account": account, "username": username, "password": password, "csrfmiddlewaretoken": token.group(1)}
        return self.http.post(f"{base}/login/", data=data, timeout=60, allow_redirects=False)

    def get(self, url: str) -> requests.Response:
        return self.http.get(url, timeout=60)

    def post(self, url: str, data: dict) -> requests.Response:
        headers = {"X-CSRFToken": self.http.cookies["csrftoken"], "HX-Request": "true", "HX-Target": "modal"}
        return self.http.post(url, data=data, headers=headers, timeout=120, allow_redirects=False)

    def pending(self, base: str) -> int:
        """The red dot's count on Private Images, as the page shows it (0 when there is no dot)."""
        page = self.get(f"{base}/images/")
        assert page.status_code == 200, page.status_code
        found = PENDING.search(page.text)
        return int(found.group(1)) if found else 0
