"""What the fleet tests share: a scratch database of the run's kind for the fleet, a Redis of the test's own, and a
browser-like session of one user that a load balancer may send to any instance."""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from ims_console.fleet import ROOT, Part, RedisServer, free_port, redis_server

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


class PostgresServer:
    """A PostgreSQL of the test's own (initdb into a temporary folder, a free port), so that a test may stop and start
    it without touching the server the rest of the suite uses. As root, it runs as the `postgres` user, as initdb
    requires."""

    def __init__(self) -> None:
        import shutil
        import tempfile

        binaries = [shutil.which("initdb"), shutil.which("pg_ctl")]
        if not all(binaries):
            found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
            binaries = [str(found[-1]), str(found[-1].with_name("pg_ctl"))] if found else [None, None]
        if not all(binaries):
            pytest.skip("PostgreSQL's initdb and pg_ctl are not installed")
        self.initdb, self.pg_ctl = binaries
        # Not under pytest's tmp_path: the postgres user cannot enter root's private folders.
        directory = self.directory = Path(tempfile.mkdtemp(prefix="ims-test-pg-"))
        self.port = free_port()
        self.prefix: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(directory, "postgres")
            self.prefix = ["runuser", "-u", "postgres", "--"]
        self._run(self.initdb, "-D", str(directory / "data"), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")

    def _run(self, *command: str | None) -> None:
        subprocess.run([*self.prefix, *[str(c) for c in command]], check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(self.pg_ctl, "-D", str(self.directory / "data"), "-o", options, "-l", str(self.directory / "log"),
                  "-w", "start")

    def stop(self) -> None:
        """As a restart or a failover does: connections are cut, the server is gone until started again."""
        self._run(self.pg_ctl, "-D", str(self.directory / "data"), "-m", "fast", "-w", "stop")

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as db:
            db.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


@contextmanager
def own_postgres() -> Iterator[PostgresServer]:
    import shutil

    server = PostgresServer()
    try:
        server.start()
        yield server
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            server.stop()
        shutil.rmtree(server.directory, ignore_errors=True)


def pending_image(cloud_database: Path, project_name: str) -> str:
    """An image shared with the project and still pending, in the serving console's database."""
    with sqlite3.connect(cloud_database) as db:
        return db.execute(
            "SELECT m.image_id FROM sharing_imagemember m JOIN ims_console_project p ON p.id = m.project_id "
            "WHERE p.name = ? AND m.status = 'pending' ORDER BY m.image_id LIMIT 1", (project_name,)
        ).fetchone()[0]


def query(database_url: str, sql: str, params: tuple = ()) -> list[tuple]:
    """Rows of the fleet's database, read from outside the fleet (SQLite or PostgreSQL; `?` placeholders)."""
    if database_url.startswith("sqlite:///"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=30) as db:
            return db.execute(sql, params).fetchall()
    import psycopg

    with psycopg.connect(database_url.replace("postgres://", "postgresql://", 1)) as db:
        return db.execute(sql.replace("?", "%s"), params).fetchall()
