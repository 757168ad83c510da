"""`make fleet`: the console as a fleet on this machine, to try it: two instances (gunicorn) behind a round-robin
proxy, two task workers, one PostgreSQL database and one Redis; stopped with Ctrl-C."""

from __future__ import annotations

import signal
import sys
import tempfile
import time
from pathlib import Path

import requests
from django.conf import settings
from django.core.management import BaseCommand, CommandError, call_command

from ims_console import fleet


class Command(BaseCommand):
    help = "Run two console instances behind a proxy and two task workers on DATABASE_URL and REDIS_URL, until Ctrl-C."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000, help="the proxy's port (the fleet's one address)")
        parser.add_argument("--instances", type=int, default=2)
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--seconds", type=float, default=0, help="stop after this long (0: at Ctrl-C)")
        parser.add_argument("--logs", default="", help="the folder for each process's log (default: a new one)")

    def handle(self, *args, port: int, instances: int, workers: int, seconds: float, logs: str, **options) -> None:
        database = settings.DATABASES["default"]
        if not database["ENGINE"].endswith("postgresql"):
            raise CommandError("A fleet shares one PostgreSQL: set DATABASE_URL=postgres://… (make fleet does).")
        if not settings.REDIS_URL:
            raise CommandError("A fleet shares one Redis: set REDIS_URL=redis://… (make fleet does).")
        ensure_database(database)
        call_command("migrate", "--no-input", verbosity=0)
        call_command("seed_demo", stdout=self.stdout)
        url = database_url(database)
        folder = Path(logs) if logs else Path(tempfile.mkdtemp(prefix="ims-fleet-"))
        folder.mkdir(parents=True, exist_ok=True)
        env = fleet.environment(url, settings.REDIS_URL, IMS_LOG_FORMAT="json", DJANGO_LOG_LEVEL="INFO",
                                IMS_METRICS="1")
        parts: list[fleet.Part] = [fleet.instance(f"instance-{n + 1}", env, log=folder / f"instance-{n + 1}.log")
                                   for n in range(instances)]
        parts += [fleet.worker(f"worker-{n + 1}", env, log=folder / f"worker-{n + 1}.log") for n in range(workers)]
        proxy = None
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        try:
            for part in parts:
                part.start()
            answering = [p.wait_answering() for p in parts if isinstance(p, fleet.Instance)]
            proxy = fleet.Proxy([("127.0.0.1", p.port) for p in answering], port=port).start()
            ready = requests.get(f"{proxy.url}/health/ready/", timeout=10).json()
            self.stdout.write(f"The fleet answers at {proxy.url}/ (round-robin over {len(answering)} instances):")
            for p in answering:
                self.stdout.write(f"  {p.name}: {p.url}/  health {p.url}/health/ready/  metrics {p.url}/metrics")
            self.stdout.write(f"  {workers} task workers; readiness {ready}; logs (JSON) in {folder}")
            self.stdout.write("Log in as alice, bob, carol or dave with password ims-demo. Ctrl-C stops it.")
            deadline = time.monotonic() + seconds if seconds else None
            while not stopping and (deadline is None or time.monotonic() < deadline):
                for part in parts:
                    if not part.running:
                        raise CommandError(f"{part.name} stopped; its log: {part.log}")
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            if proxy:
                proxy.stop()
            for part in reversed(parts):
                part.stop()
            self.stdout.write("The fleet stopped.")
        sys.stdout.flush()


def database_url(database: dict) -> str:
    host, port = database["HOST"] or "127.0.0.1", database["PORT"] or 5432
    password = f":{database['PASSWORD']}" if database["PASSWORD"] else ""
    return f"postgres://{database['USER']}{password}@{host}:{port}/{database['NAME']}"


def ensure_database(database: dict) -> None:
    """Creates DATABASE_URL's database on its server when it is not there yet (`make fleet` on a fresh machine)."""
    import psycopg
    from django.db import OperationalError, connection

    try:
        connection.ensure_connection()
        return
    except OperationalError as error:
        if "does not exist" not in str(error):
            raise CommandError(f"PostgreSQL at {database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}: {error}") from None
    server = database_url({**database, "NAME": "postgres"}).replace("postgres://", "postgresql://", 1)
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{database["NAME"]}"')
