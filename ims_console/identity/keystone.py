"""OpenStack mode's identity: users log in as the cloud's own users (Keystone v3), as on IMS's IAM user login.

Logging in is `POST /v3/auth/tokens` with the password method and the account (a Keystone domain) as the user's
domain; the user's projects come from `GET /v3/auth/projects`; each project the user works in gets a
project-scoped token, whose catalog gives the image endpoint of the project's region. Tokens live only in the
server-side session (SESSION_KEY), never in cookies, URLs or logs, and are revoked at logout.

A project's region is the part of its name before the first "_" when the catalog has that region (Open Telekom
Cloud names projects `eu-de_…`), else OS_REGION_NAME. Roles `member`, `manager` or `admin` on the project may
write; `reader` alone is read-only.
"""

from __future__ import annotations

import contextlib
from typing import Any

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import BaseBackend, ModelBackend
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils.translation import gettext

from ims_console.core.errors import LoginAgain

SESSION_KEY = "ims_keystone"
# Keystone's longest user and domain name.
KEYSTONE_NAME_LENGTH = 255
WRITE_ROLES = {"member", "manager", "admin"}


class KeystoneUnavailable(Exception):
    """Keystone did not answer, or answered something else than Keystone answers."""


def post_token(body: dict) -> tuple[str, dict]:
    try:
        response = requests.post(
            settings.OS_AUTH_URL.rstrip("/") + "/auth/tokens", json={"auth": body},
            timeout=settings.IMS_REMOTE_TIMEOUT, verify=settings.OS_CACERT or True,
        )
    except requests.RequestException:
        raise KeystoneUnavailable(gettext("The identity service at %(url)s cannot be reached.") % {"url": settings.OS_AUTH_URL}) from None
    if response.status_code in (400, 401, 403, 404):
        return "", {}
    if response.status_code >= 300 or "X-Subject-Token" not in response.headers:
        raise KeystoneUnavailable(gettext("The identity service at %(url)s failed (%(status_code)s).") % {"url": settings.OS_AUTH_URL, "status_code": response.status_code})
    return response.headers["X-Subject-Token"], response.json()["token"]


def _get(path: str, token: str) -> dict:
    try:
        response = requests.get(
            settings.OS_AUTH_URL.rstrip("/") + path, headers={"X-Auth-Token": token},
            timeout=settings.IMS_REMOTE_TIMEOUT, verify=settings.OS_CACERT or True,
        )
        response.raise_for_status()
        return response.json()
    except requests.RequestException:
        raise KeystoneUnavailable(gettext("The identity service at %(url)s did not list the projects.") % {"url": settings.OS_AUTH_URL}) from None


def region_of(project_name: str, regions: set[str]) -> str:
    prefix = project_name.split("_", 1)[0]
    return prefix if "_" in project_name and prefix in regions else settings.OS_REGION_NAME


def _image_url(catalog: list[dict], region: str) -> str:
    for service in catalog:
        if service.get("type") != "image":
            continue
        for endpoint in service.get("endpoints", []):
            if endpoint.get("interface") == settings.OS_INTERFACE and endpoint.get("region_id", endpoint.get("region")) == region:
                return endpoint["url"]
    return ""


def scoped(identity: dict, project_id: str) -> dict:
    """The identity with a token scoped to one of its projects (and that project's role and image endpoint)."""
    token, data = post_token({"identity": {"methods": ["token"], "token": {"id": identity["unscoped"]}},
                               "scope": {"project": {"id": project_id}}})
    if not token:
        # The session's own token has expired or was revoked.
        raise LoginAgain(gettext("The identity service no longer accepts this session's token."))
    project = next(p for p in identity["projects"] if p["id"] == project_id)
    roles = {r["name"] for r in data.get("roles", [])}
    return {
        **identity, "project_id": project_id, "token": token, "expires_at": data.get("expires_at", ""),
        "role": "admin" if roles & WRITE_ROLES else "readonly",
        "image_url": _image_url(data.get("catalog", []), project["region"]),
    }


def sign_in(account: str, username: str, password: str) -> dict | None:
    """The session's identity for these credentials, scoped to the user's first project; None if refused."""
    unscoped, data = post_token({"identity": {"methods": ["password"], "password": {
        "user": {"name": username, "domain": {"name": account}, "password": password}}}})
    if not unscoped:
        return None
    projects = [p for p in _get("/auth/projects", unscoped)["projects"] if p.get("enabled", True)]
    if not projects:
        return None
    # The regions the cloud has, from a scoped token's catalog (an unscoped token has none).
    first = sorted(projects, key=lambda p: p["name"])[0]
    _, probe = post_token({"identity": {"methods": ["token"], "token": {"id": unscoped}},
                            "scope": {"project": {"id": first["id"]}}})
    regions = {e.get("region_id", e.get("region")) for s in probe.get("catalog", []) for e in s.get("endpoints", [])}
    user = data["user"]
    identity: dict[str, Any] = {
        "unscoped": unscoped, "user_id": user["id"], "user_name": user["name"],
        "domain_id": user["domain"]["id"], "domain_name": user["domain"]["name"],
        "projects": sorted(
            ({"id": p["id"], "name": p["name"], "region": region_of(p["name"], regions)} for p in projects),
            key=lambda p: (p["region"], p["name"]),
        ),
    }
    return scoped(identity, identity["projects"][0]["id"])


def revoke(identity: dict) -> None:
    """Best effort at logout: the tokens stop working at once, not when they expire."""
    for token in {identity.get("token"), identity.get("unscoped")} - {None, ""}:
        with contextlib.suppress(requests.RequestException):
            requests.delete(
                settings.OS_AUTH_URL.rstrip("/") + "/auth/tokens",
                headers={"X-Auth-Token": token, "X-Subject-Token": token},
                timeout=settings.IMS_REMOTE_TIMEOUT, verify=settings.OS_CACERT or True,
            )


class KeystoneBackend(BaseBackend):
    """Django authentication against Keystone. The Django user it returns (`account/username`, no usable password)
    only anchors the session; who the user is in the cloud is the session's identity."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None, password: str | None = None,
                     account: str | None = None, **kwargs: Any):
        if settings.IMS_BACKEND != "openstack" or not (account and username and password):
            return None
        if len(username) > KEYSTONE_NAME_LENGTH or len(account) > KEYSTONE_NAME_LENGTH:
            return None  # no such user or domain in Keystone: not worth a call
        identity = sign_in(account, username, password)
        if identity is None:
            return None
        user, created = get_user_model().objects.get_or_create(username=f"{identity['domain_name']}/{identity['user_name']}"[:150])
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        user.keystone_identity = identity  # type: ignore[attr-defined]  # picked up by the user_logged_in receiver, after the session is renewed
        return user

    def get_user(self, user_id: int):
        model = get_user_model()
        try:
            user = model._default_manager.get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if user.is_active else None


class LocalUsersBackend(ModelBackend):
    """The console's own users (embedded mode, and operators on the admin site). A login that names an account is
    the cloud's to answer: a local user of the same name and password does not get in through it."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None, password: str | None = None,
                     **kwargs: Any):
        if kwargs.get("account"):
            return None
        if username is not None and len(username) > (get_user_model()._meta.get_field("username").max_length or 150):
            # No user can have this name: refused without hashing a password (the attempt still counts, see
            # ims_console.identity.tenancy.throttled_username).
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


@receiver(user_logged_in)
def _keep_identity(sender, request: HttpRequest, user, **kwargs) -> None:
    identity = getattr(user, "keystone_identity", None)
    if identity is not None:
        request.session[SESSION_KEY] = identity


@receiver(user_logged_out)
def _revoke_identity(sender, request: HttpRequest, user, **kwargs) -> None:
    identity = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    if identity:
        revoke(identity)
