"""OpenStack mode: make the console's read-only Keystone account (IMS_OS_LOOKUP_USER), with which it checks that
recipients' projects exist in the image's region and shows their names (ims_console/identity/project_lookup.py).

What `openstack user create … ims-lookup` and `openstack role add --system all --user ims-lookup reader` do, through
Keystone's API with a cloud administrator's credentials, so that no other tool is needed. Run again, it gives the
account a new password. It prints the two settings to start the console with.
"""

from __future__ import annotations

import os
import secrets

import requests
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Create (or give a new password to) the console's read-only Keystone account for project lookups."

    def add_arguments(self, parser):
        parser.add_argument("--auth-url", default=os.environ.get("OS_AUTH_URL", ""),
                            help="Keystone's v3 URL (default: $OS_AUTH_URL)")
        parser.add_argument("--admin-user", default="admin", help="a cloud administrator (role admin on a project)")
        parser.add_argument("--admin-domain", default="Default", help="the administrator's domain")
        parser.add_argument("--admin-project", default="admin", help="the project the administrator is admin of")
        parser.add_argument("--name", default="ims-lookup", help="the account's user name")
        parser.add_argument("--domain", default="Default", help="the account's domain (IMS_OS_LOOKUP_DOMAIN)")

    def handle(self, *args, auth_url: str, admin_user: str, admin_domain: str, admin_project: str, name: str,
               domain: str, **options) -> None:
        password = os.environ.get("OS_ADMIN_PASSWORD", "")
        if not auth_url.rstrip("/").endswith("/v3"):
            raise CommandError(f"--auth-url {auth_url!r}: give Keystone's v3 URL, such as https://host:5000/v3.")
        if not password:
            raise CommandError("Set OS_ADMIN_PASSWORD to the administrator's password (it is not taken as an "
                               "argument, which other users of the machine could read).")
        keystone = _Keystone(auth_url.rstrip("/"))
        keystone.log_in(admin_user, admin_domain, admin_project, password)
        domain_id = keystone.one("domains", domain)["id"]
        role_id = keystone.one("roles", "reader")["id"]
        secret = secrets.token_urlsafe(24)
        existing = keystone.get(f"/users?name={name}&domain_id={domain_id}")["users"]
        if existing:
            user_id = existing[0]["id"]
            keystone.call("PATCH", f"/users/{user_id}", {"user": {"password": secret}})
            self.stdout.write(f"User {name} existed in domain {domain}: it has a new password.")
        else:
            user_id = keystone.call("POST", "/users", {"user": {"name": name, "domain_id": domain_id,
                                                                "password": secret}})["user"]["id"]
            self.stdout.write(f"Created user {name} in domain {domain}.")
        keystone.call("PUT", f"/system/users/{user_id}/roles/{role_id}")
        self.stdout.write(f"It has the reader role on the system (it can read every project, and change nothing).\n"
                          "Start the console with:\n"
                          f"IMS_OS_LOOKUP_USER={name} IMS_OS_LOOKUP_PASSWORD='{secret}'"
                          + (f" IMS_OS_LOOKUP_DOMAIN={domain}" if domain != "Default" else ""))


class _Keystone:
    def __init__(self, auth_url: str) -> None:
        self.auth_url = auth_url
        self.token = ""

    def log_in(self, user: str, domain: str, project: str, password: str) -> None:
        body = {"auth": {
            "identity": {"methods": ["password"],
                         "password": {"user": {"name": user, "domain": {"name": domain}, "password": password}}},
            "scope": {"project": {"name": project, "domain": {"name": domain}}},
        }}
        response = self._send("POST", "/auth/tokens", body)
        self.token = response.headers["X-Subject-Token"]

    def get(self, path: str) -> dict:
        return self.call("GET", path)

    def one(self, kind: str, name: str) -> dict:
        found = self.get(f"/{kind}?name={name}")[kind]
        if not found:
            raise CommandError(f"Keystone has no {kind[:-1]} named {name!r}.")
        return found[0]

    def call(self, method: str, path: str, body: dict | None = None) -> dict:
        response = self._send(method, path, body)
        return response.json() if response.content else {}

    def _send(self, method: str, path: str, body: dict | None = None) -> requests.Response:
        try:
            response = requests.request(method, self.auth_url + path, json=body, timeout=30,
                                        headers={"X-Auth-Token": self.token} if self.token else {})
        except requests.RequestException as error:
            raise CommandError(f"Keystone at {self.auth_url} cannot be reached: {error}") from None
        if response.status_code >= 400:
            raise CommandError(f"Keystone refused {method} {path} ({response.status_code}): {response.text[:300]}")
        return response
