"""A console serving its demo data as a cloud (Keystone v3, Glance v2) from its own process and SQLite database: the
cloud that consoles in OpenStack mode front in tests (issue 20's journey, the fleet tests)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

from ims_console.fleet import free_port

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class ServedConsole:
    url: str
    database: Path

    def project_id(self, name: str) -> str:
        with sqlite3.connect(self.database) as db:
            return db.execute("SELECT id FROM ims_console_project WHERE name = ?", (name,)).fetchone()[0]

    def image_id(self, name: str, project: str) -> str:
        with sqlite3.connect(self.database) as db:
            row = db.execute("SELECT id FROM images_image WHERE name = ? AND project_id = ?", (name, project)).fetchone()
        return str(row[0])


@contextmanager
def serve_console(tmp_path: Path) -> Iterator[ServedConsole]:
    """The serving console: its own SQLite database with the demo data, `manage.py runserver` on a free port."""
    database = tmp_path / "cloud.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "IMS_BACKEND": "embedded", "DJANGO_HTTPS": "0"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    for command in (["migrate", "--no-input", "-v", "0"], ["seed_demo"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen([sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(url + "/v3", timeout=2).ok:
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline, "the serving console did not start"
            time.sleep(0.3)
        yield ServedConsole(url=url, database=database)
    finally:
        server.terminate()
        server.wait(timeout=30)
