"""A real Keystone v3 and Glance v2 on loopback, for OpenStack mode's tests and for trying it locally.

Runs with the Python of the cloud's own virtualenv (tools/local_cloud/requirements.txt; `make openstack-venv`
builds it), never the console's: their dependency pins differ. Usage:

    python cloud.py DIRECTORY [--keystone-port N] [--glance-port N] [--demo]

It writes both services' configuration and SQLite databases under DIRECTORY, serves each with gunicorn, registers
Glance in Keystone's catalog for the regions eu-de and eu-nl, and with --demo adds the demo accounts (Keystone
domains acme, globex, initech), their projects, users (alice, carol, bob, dave; password ims-demo) and images. When
both answer it writes DIRECTORY/ready.json (`{"auth_url": ..., "image_url": ..., "admin_password": ...}`; image_url
is the catalog's, which --glance-catalog-url may set to a proxy in front of Glance, glance_url Glance's own), logs
where they are, and runs until it is sent SIGTERM or SIGINT, when it stops both servers. SIGUSR1 stops Glance alone
and SIGUSR2 starts it again (for tests of a cloud whose image service goes away and comes back). With
--shipped-glance-port a second Glance serves the same database as Glance is shipped, whose concurrent writes fail
now and then (for tests of a cloud that fails some calls: see SQLITE_WRITERS_WAIT).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

log = logging.getLogger("local_cloud")

ADMIN_PASSWORD = "local-cloud-admin"
SERVICE_PASSWORD = "local-cloud-glance"
# The console's optional project lookup account (IMS_OS_LOOKUP_USER): a reader on the whole system.
LOOKUP_USER, LOOKUP_PASSWORD = "ims-lookup", "local-cloud-lookup"
DEMO_PASSWORD = "ims-demo"
REGIONS = ("eu-de", "eu-nl")
BIN = Path(sys.executable).parent

# Demo accounts as in the embedded demo (ims_console/management/commands/seed_demo.py): domain -> projects, users.
DEMO = {
# A tenant's administrator is a "member" of its projects: Keystone's "admin" role would make them the whole cloud's.
    "acme": {"projects": ["eu-de_acme", "eu-nl_acme"], "users": {"alice": "member", "carol": "reader"}},
    "globex": {"projects": ["eu-de_globex", "eu-nl_globex"], "users": {"bob": "member"}},
    "initech": {"projects": ["eu-de_initech"], "users": {"dave": "member"}},
}
DEMO_IMAGES = {
    "eu-de_acme": ["web-ubuntu2404", "api-gateway-debian12", "db-postgres-rocky9"],
    "eu-de_globex": ["globex-base-ubuntu2204"],
    "eu-de_initech": ["initech-tools-debian12"],
}


def keystone_config(directory: Path) -> Path:
    for name in ("fernet-keys", "fernet-receipts", "credential-keys"):
        (directory / name).mkdir(exist_ok=True)
    config = directory / "keystone.conf"
    config.write_text(f"""[DEFAULT]
log_file = {directory}/keystone.log
[database]
connection = sqlite:///{directory}/keystone.db
sqlite_synchronous = false
[token]
provider = fernet
expiration = 3600
[fernet_tokens]
key_repository = {directory}/fernet-keys
[fernet_receipts]
key_repository = {directory}/fernet-receipts
[credential]
key_repository = {directory}/credential-keys
""")
    return config


def glance_config(directory: Path, auth_url: str, member_quota: int) -> Path:
    etc = directory / "glance-etc"
    etc.mkdir(exist_ok=True)
    (directory / "images").mkdir(exist_ok=True)
    shutil.copy(BIN.parent / "etc" / "glance" / "glance-api-paste.ini", etc / "glance-api-paste.ini")
    (etc / "glance-api.conf").write_text(f"""[DEFAULT]
log_file = {directory}/glance.log
enabled_backends = local:file
image_member_quota = {member_quota}
[database]
connection = sqlite:///{directory}/glance.db
# A scratch cloud: no fsync at each commit (a real cloud's MySQL has its own durability, and its own speed).
sqlite_synchronous = false
[glance_store]
default_backend = local
[local]
filesystem_store_datadir = {directory}/images
[image_format]
disk_formats = raw,qcow2,vhd,vmdk,iso,zvhd2,zvhd
[paste_deploy]
flavor = keystone
[keystone_authtoken]
www_authenticate_uri = {auth_url}
auth_url = {auth_url}
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = glance
password = {SERVICE_PASSWORD}
[oslo_policy]
enforce_new_defaults = true
enforce_scope = false
policy_file = {etc}/policy.yaml
""")
    # No rule of its own: Glance's defaults. Tests write rules into it to make Glance refuse an operation, as a
    # cloud's operator may (Glance reads the file again when it changes).
    policy = etc / "policy.yaml"
    if not policy.exists():
        policy.write_text("{}\n")
    return etc


def run(*command: str, env: dict | None = None) -> None:
    subprocess.run(command, check=True, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL)


# The services keep their data in SQLite, where a transaction that reads and then writes is refused at once
# ("database is locked") if another wrote meanwhile: a real cloud's MySQL would make it wait. So that concurrent
# requests (the console sends several at once) wait for each other as there, every transaction takes the write
# lock when it begins and waits up to 30 s for it (SQLAlchemy's recipe for pysqlite, fitted to oslo.db's).
SQLITE_WRITERS_WAIT = """\
import sqlite3
from sqlalchemy import event
from sqlalchemy.engine import Engine
@event.listens_for(Engine, "connect")
def _sqlite_connect(dbapi_connection, record):
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA busy_timeout = 30000")
@event.listens_for(Engine, "begin")
def _sqlite_begin(connection):
    # oslo.db begins SQLite transactions itself unless this marker (its own) says one has begun.
    if connection.dialect.name == "sqlite" and "in_transaction" not in connection.info:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
        connection.info["in_transaction"] = True
"""


def serve(directory: Path, name: str, module: str, port: int, env: dict, workers: int = 1,
          writers_wait: bool = True) -> subprocess.Popen:
    """gunicorn with a WSGI module of our own: oslo.config reads sys.argv, which holds gunicorn's arguments.
    `writers_wait=False` serves the service as shipped, without SQLITE_WRITERS_WAIT."""
    wsgi = directory / f"{name}_wsgi.py"
    hook = SQLITE_WRITERS_WAIT if writers_wait else ""
    wsgi.write_text(f"import sys\nsys.argv = sys.argv[:1]\n{hook}from {module} import application  # noqa: E402,F401\n")
    log = open(directory / f"{name}-gunicorn.log", "ab")  # noqa: SIM115 - open as long as the server runs
    return subprocess.Popen(
        [str(BIN / "gunicorn"), "--chdir", str(directory), f"{name}_wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--threads", "4", "--timeout", "120"],
        env={**os.environ, **env}, stdout=log, stderr=log,
    )


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            return  # it answers (401 and the like are answers)
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within {seconds:.0f} s")


class Keystone:
    """Just enough of Keystone's API, with the admin's token."""

    def __init__(self, auth_url: str) -> None:
        self.auth_url = auth_url
        self.token = self.login("admin", ADMIN_PASSWORD, domain="Default", project=("admin", "Default"))

    def call(self, method: str, path: str, body: dict | None = None, token: str | None = None) -> tuple[dict, dict]:
        request = urllib.request.Request(
            self.auth_url.rstrip("/") + path, method=method, data=json.dumps(body).encode() if body else None,
            headers={"Content-Type": "application/json", **({"X-Auth-Token": token or self.token} if token or getattr(self, "token", None) else {})},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read()
            return (json.loads(text) if text else {}), dict(response.headers)

    def login(self, user: str, password: str, *, domain: str, project: tuple[str, str]) -> str:
        body = {"auth": {
            "identity": {"methods": ["password"], "password": {"user": {"name": user, "domain": {"name": domain}, "password": password}}},
            "scope": {"project": {"name": project[0], "domain": {"name": project[1]}}},
        }}
        request = urllib.request.Request(self.auth_url.rstrip("/") + "/auth/tokens", method="POST",
                                         data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.headers["X-Subject-Token"]

    def create(self, kind: str, body: dict) -> dict:
        return self.call("POST", f"/{kind}s", {kind: body})[0][kind]

    def find(self, kind: str, name: str) -> dict:
        return next(x for x in self.call("GET", f"/{kind}s?name={name}")[0][f"{kind}s"])

    def grant(self, role: str, *, user: str, project: str) -> None:
        self.call("PUT", f"/projects/{project}/users/{user}/roles/{self.find('role', role)['id']}")


def register_glance(keystone: Keystone, image_url: str) -> None:
    service_project = keystone.create("project", {"name": "service", "domain_id": "default"})
    glance = keystone.create("user", {"name": "glance", "domain_id": "default", "password": SERVICE_PASSWORD})
    keystone.grant("admin", user=glance["id"], project=service_project["id"])
    keystone.grant("service", user=glance["id"], project=service_project["id"]) if _has_role(keystone, "service") else None
    for region in REGIONS[1:]:
        keystone.create("region", {"id": region})
    service = keystone.create("service", {"name": "glance", "type": "image"})
    for region in REGIONS:
        for interface in ("public", "internal", "admin"):
            keystone.create("endpoint", {"service_id": service["id"], "interface": interface, "region_id": region, "url": image_url})


def add_lookup_account(keystone: Keystone) -> None:
    user = keystone.create("user", {"name": LOOKUP_USER, "domain_id": "default", "password": LOOKUP_PASSWORD})
    keystone.call("PUT", f"/system/users/{user['id']}/roles/{keystone.find('role', 'reader')['id']}")


def _has_role(keystone: Keystone, name: str) -> bool:
    return bool(keystone.call("GET", f"/roles?name={name}")[0]["roles"])


def add_demo(keystone: Keystone, image_url: str) -> None:
    for domain_name, spec in DEMO.items():
        domain = keystone.create("domain", {"name": domain_name})
        projects = [keystone.create("project", {"name": name, "domain_id": domain["id"]}) for name in spec["projects"]]
        for username, role in spec["users"].items():
            user = keystone.create("user", {"name": username, "domain_id": domain["id"], "password": DEMO_PASSWORD})
            for project in projects:
                keystone.grant(role, user=user["id"], project=project["id"])
        for project in projects:
            owner = next(u for u, r in spec["users"].items() if r == "member")
            token = keystone.login(owner, DEMO_PASSWORD, domain=domain_name, project=(project["name"], domain_name))
            for name in DEMO_IMAGES.get(project["name"], []):
                create_image(image_url, token, name)


def create_image(image_url: str, token: str, name: str, **properties: str) -> str:
    """An active private image: created, then a few bytes of raw data uploaded."""
    body = {"name": name, "disk_format": "raw", "container_format": "bare", "visibility": "private", **properties}
    request = urllib.request.Request(f"{image_url.rstrip('/')}/v2/images", method="POST", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json", "X-Auth-Token": token})
    with urllib.request.urlopen(request, timeout=30) as response:
        image = json.loads(response.read())
    upload = urllib.request.Request(f"{image_url.rstrip('/')}/v2/images/{image['id']}/file", method="PUT",
                                    data=b"\0" * 1024, headers={"Content-Type": "application/octet-stream", "X-Auth-Token": token})
    urllib.request.urlopen(upload, timeout=30).read()
    return image["id"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--keystone-port", type=int, default=5000)
    parser.add_argument("--glance-port", type=int, default=9292)
    parser.add_argument("--demo", action="store_true")
    parser.add_argument("--glance-workers", type=int, default=1, help="Glance's gunicorn processes (4 threads each)")
    parser.add_argument("--member-quota", type=int, default=128, help="Glance's image_member_quota (its default 128)")
    parser.add_argument("--shipped-glance-port", type=int, default=0,
                        help="also serve Glance as shipped (without SQLITE_WRITERS_WAIT) on this port, on the same "
                             "database: concurrent member writes then fail now and then with 'database is locked' "
                             "(HTTP 500), as a cloud under load may")
    parser.add_argument("--glance-catalog-url", default="",
                        help="the address Keystone's catalog gives for Glance (its own by default): a proxy in front "
                             "of it, such as one that puts it farther away")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    directory = args.directory.resolve()
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "ready.json").unlink(missing_ok=True)
    auth_url = f"http://127.0.0.1:{args.keystone_port}/v3"
    image_url = f"http://127.0.0.1:{args.glance_port}"
    catalog_url = args.glance_catalog_url.rstrip("/") or image_url

    config = keystone_config(directory)
    me = ["--keystone-user", str(os.getuid()), "--keystone-group", str(os.getgid())]
    manage = str(BIN / "keystone-manage")
    fresh = not (directory / "keystone.db").exists()
    if fresh:
        run(manage, "--config-file", str(config), "db_sync")
        run(manage, "--config-file", str(config), "fernet_setup", *me)
        run(manage, "--config-file", str(config), "credential_setup", *me)
        run(manage, "--config-file", str(config), "bootstrap", "--bootstrap-password", ADMIN_PASSWORD,
            "--bootstrap-admin-url", auth_url + "/", "--bootstrap-public-url", auth_url + "/",
            "--bootstrap-internal-url", auth_url + "/", "--bootstrap-region-id", REGIONS[0])
    etc = glance_config(directory, auth_url, args.member_quota)
    if fresh:
        run(str(BIN / "glance-manage"), "--config-file", str(etc / "glance-api.conf"), "db_sync")

    def glance() -> subprocess.Popen:
        return serve(directory, "glance", "glance.wsgi.api", args.glance_port, {"OS_GLANCE_CONFIG_DIR": str(etc)},
                     workers=args.glance_workers)

    servers = [
        serve(directory, "keystone", "keystone.wsgi.api", args.keystone_port, {"OS_KEYSTONE_CONFIG_FILES": str(config)}),
        glance(),
    ]
    shipped_url = f"http://127.0.0.1:{args.shipped_glance_port}" if args.shipped_glance_port else ""
    if shipped_url:
        servers.append(serve(directory, "glance_shipped", "glance.wsgi.api", args.shipped_glance_port,
                             {"OS_GLANCE_CONFIG_DIR": str(etc)}, workers=args.glance_workers, writers_wait=False))

    # SIGUSR1 and SIGUSR2 only say whether Glance is wanted; the main loop below stops or starts it. (Acting in the
    # handlers raced: a start that came while the stop still waited for Glance to exit saw it alive and did nothing.)
    glance_wanted = [True]

    def stop_glance(*_) -> None:
        glance_wanted[0] = False

    def start_glance(*_) -> None:
        glance_wanted[0] = True

    def stop(*_) -> None:
        for server in servers:
            server.terminate()
        for server in servers:
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGUSR1, stop_glance)
    signal.signal(signal.SIGUSR2, start_glance)
    try:
        wait_for(auth_url)
        wait_for(image_url + "/versions")
        if shipped_url:
            wait_for(shipped_url + "/versions")
        if fresh:
            keystone = Keystone(auth_url)
            register_glance(keystone, catalog_url)
            add_lookup_account(keystone)
            if args.demo:
                add_demo(keystone, image_url)
    except BaseException:
        for server in servers:
            server.kill()
        raise
    # Written whole, then renamed: whoever waits for the file never reads half of it.
    ready = directory / "ready.json"
    draft = directory / "ready.json.draft"
    draft.write_text(json.dumps({"auth_url": auth_url, "image_url": catalog_url, "glance_url": image_url,
                                 "admin_password": ADMIN_PASSWORD,
                                 "lookup_user": LOOKUP_USER, "lookup_password": LOOKUP_PASSWORD,
                                 "shipped_image_url": shipped_url, "glance_policy_file": str(etc / "policy.yaml"),
                                 "glance_log": str(directory / "glance.log")}))
    draft.replace(ready)
    log.info("Keystone at %s and Glance at %s (in the catalog: %s) are ready (state in %s)", auth_url, image_url,
             catalog_url, directory)
    while servers[0].poll() is None:  # Keystone; Glance may be stopped and started on request
        if not glance_wanted[0] and servers[1].poll() is None:
            servers[1].terminate()
            servers[1].wait(timeout=15)
        elif glance_wanted[0] and servers[1].poll() is not None:
            servers[1] = glance()
        time.sleep(0.1)
    stop()


if __name__ == "__main__":
    main()
