"""Worlds to test backends in: the embedded backend's database, or a real Keystone and Glance (OpenStack mode).
Each sets up accounts (tenants) with an administrator and a reader, their images and vaults, its own way."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import cast

from images.models import Image
from ims_console.identity.caller import Caller, Remote
from ims_console.identity.models import Account, Membership, Project
from sharing.models import Vault
from tests.factories import AccountFactory, ImageFactory, MembershipFactory, ProjectFactory, VaultFactory


@dataclass
class Tenant:
    """One account with one project, seen by its administrator (`admin`) and a read-only user (`reader`)."""

    admin: Caller
    reader: Caller
    project_id: str
    account_id: str
    # OpenStack mode: how its users log in (Keystone domain, user names, their password).
    account_name: str = ""
    admin_name: str = ""
    reader_name: str = ""
    password: str = ""


class EmbeddedCloud:
    """Sets up the embedded backend's world: the console's own database, through the factories."""

    def tenant(self, *, region: str = "eu-de") -> Tenant:
        account = cast(Account, AccountFactory())
        project = cast(Project, ProjectFactory(account=account, region=region))
        callers = []
        for role in (Membership.Role.ADMIN, Membership.Role.READONLY):
            membership = cast(Membership, MembershipFactory(account=account, role=role))
            callers.append(Caller(
                user_id=membership.user.pk, username=membership.user.username, account_id=account.pk,
                project_id=project.pk, role=role, source_ip="192.0.2.20",
            ))
        return Tenant(admin=callers[0], reader=callers[1], project_id=project.pk, account_id=account.pk)

    def image(self, tenant: Tenant, name: str, **attributes) -> str:
        return str(cast(Image, ImageFactory(project_id=tenant.project_id, name=name, **attributes)).pk)

    def vault(self, tenant: Tenant, **attributes) -> str:
        return str(cast(Vault, VaultFactory(project_id=tenant.project_id, **attributes)).pk)


class OpenStackCloud:
    """Sets up the OpenStack backend's world in a real Keystone and Glance (tests/conftest.py::local_cloud): a
    Keystone domain per account with one project, an administrator (role member) and a reader, each
    with a project-scoped token; images created and uploaded through Glance with that token."""

    def __init__(self, local_cloud) -> None:
        import requests

        self.http = requests.Session()
        self.cloud = local_cloud
        self.admin = self._token("admin", local_cloud.admin_password, "Default", ("admin", "Default"))

    def _token(self, user: str, password: str, domain: str, project: tuple[str, str]) -> str:
        body = {"auth": {
            "identity": {"methods": ["password"], "password": {"user": {"name": user, "domain": {"name": domain}, "password": password}}},
            "scope": {"project": {"name": project[0], "domain": {"name": project[1]}}},
        }}
        response = self.http.post(f"{self.cloud.auth_url}/auth/tokens", json=body, timeout=30)
        response.raise_for_status()
        return response.headers["X-Subject-Token"]

    def _keystone(self, method: str, path: str, body: dict | None = None) -> dict:
        response = self.http.request(method, f"{self.cloud.auth_url}{path}", json=body, timeout=30,
                                     headers={"X-Auth-Token": self.admin})
        response.raise_for_status()
        return response.json() if response.content else {}

    def _role(self, name: str) -> str:
        return self._keystone("GET", f"/roles?name={name}")["roles"][0]["id"]

    def tenant(self, *, region: str = "eu-de") -> Tenant:
        suffix = uuid.uuid4().hex[:8]
        domain = self._keystone("POST", "/domains", {"domain": {"name": f"account-{suffix}"}})["domain"]
        project = self._keystone("POST", "/projects", {"project": {"name": f"{region}_project-{suffix}", "domain_id": domain["id"]}})["project"]
        callers = []
        # Keystone's "admin" role is the whole cloud's administrator (Glance shows it every image): a tenant's
        # administrator is a "member" of its project.
        for role, roles in (("admin", ("member",)), ("readonly", ("reader",))):
            name = f"{role}-{suffix}"
            user = self._keystone("POST", "/users", {"user": {"name": name, "domain_id": domain["id"], "password": "pw-" + suffix}})["user"]
            for granted in roles:
                self._keystone("PUT", f"/projects/{project['id']}/users/{user['id']}/roles/{self._role(granted)}")
            token = self._token(name, "pw-" + suffix, domain["name"], (project["name"], domain["name"]))
            callers.append(Caller(user_id=None, username=name, account_id=domain["id"], project_id=project["id"], role=role,
                                  source_ip="192.0.2.20", remote=Remote(token=token, image_url=self.cloud.image_url)))
        return Tenant(
            admin=callers[0], reader=callers[1], project_id=project["id"], account_id=domain["id"],
            account_name=domain["name"], admin_name=f"admin-{suffix}", reader_name=f"readonly-{suffix}",
            password="pw-" + suffix,
        )

    def members(self, owner: Tenant, image_id: str) -> list[tuple[str, str]]:
        """An image's members as Glance itself lists them, (project ID, status) sorted; none if it has none."""
        assert owner.admin.remote is not None
        response = self.http.get(f"{self.cloud.image_url}/v2/images/{image_id}/members",
                                 headers={"X-Auth-Token": owner.admin.remote.token}, timeout=30)
        return sorted((m["member_id"], m["status"]) for m in response.json()["members"]) if response.ok else []

    def image(self, tenant: Tenant, name: str, *, creating: bool = False, full_ecs_cbr: bool = False, size: int = 0,
              protected: bool = False) -> str:
        assert tenant.admin.remote is not None
        headers = {"X-Auth-Token": tenant.admin.remote.token}
        body = {"name": name, "disk_format": "raw", "container_format": "bare", "visibility": "private",
                "protected": protected}
        if full_ecs_cbr:
            body["__whole_image"] = "true"
        image = self.http.post(f"{self.cloud.image_url}/v2/images", json=body, headers=headers, timeout=30).json()
        if not creating:
            response = self.http.put(f"{self.cloud.image_url}/v2/images/{image['id']}/file", data=b"\0" * 512,
                                     headers={**headers, "Content-Type": "application/octet-stream"}, timeout=30)
            response.raise_for_status()
        return image["id"]


class ConsoleCloud:
    """Another console as the cloud (issue 20): this console's own Keystone v3 and Glance v2, served by a live server
    on loopback, in front of which the OpenStack backend is held to the contract. Tenants and images are made in
    the serving console's database (as its pages would make them); the backend reaches them only over HTTP."""

    def __init__(self, live_server) -> None:
        import requests

        self.http = requests.Session()
        self.url = live_server.url

    def _token(self, username: str, password: str, project_id: str) -> str:
        body = {"auth": {
            "identity": {"methods": ["password"], "password": {"user": {"name": username, "password": password}}},
            "scope": {"project": {"id": project_id}},
        }}
        response = self.http.post(f"{self.url}/v3/auth/tokens", json=body, timeout=30)
        response.raise_for_status()
        return response.headers["X-Subject-Token"]

    def tenant(self, *, region: str = "eu-de") -> Tenant:
        from tests.factories import PASSWORD

        account = cast(Account, AccountFactory())
        project = cast(Project, ProjectFactory(account=account, region=region))
        callers, names = [], []
        for role in (Membership.Role.ADMIN, Membership.Role.READONLY):
            membership = cast(Membership, MembershipFactory(account=account, role=role))
            token = self._token(membership.user.username, PASSWORD, project.pk)
            names.append(membership.user.username)
            callers.append(Caller(user_id=None, username=membership.user.username, account_id=account.pk,
                                  project_id=project.pk, role=role, source_ip="192.0.2.20",
                                  remote=Remote(token=token, image_url=self.url, region=region)))
        return Tenant(admin=callers[0], reader=callers[1], project_id=project.pk, account_id=account.pk,
                      account_name=account.name, admin_name=names[0], reader_name=names[1], password=PASSWORD)

    def image(self, tenant: Tenant, name: str, *, creating: bool = False, size: int = 0, **attributes) -> str:
        traits = {"creating": creating, **attributes}
        if size:
            traits["size"] = size
        return str(cast(Image, ImageFactory(project_id=tenant.project_id, name=name, **traits)).pk)

    def members(self, owner: Tenant, image_id: str) -> list[tuple[str, str]]:
        assert owner.admin.remote is not None
        response = self.http.get(f"{self.url}/v2/images/{image_id}/members",
                                 headers={"X-Auth-Token": owner.admin.remote.token}, timeout=30)
        return sorted((m["member_id"], m["status"]) for m in response.json()["members"]) if response.ok else []
