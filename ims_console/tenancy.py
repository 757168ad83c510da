"""The current tenant of a request: the user's account, role, projects and the project chosen in the header."""

from __future__ import annotations

import ipaddress
import zoneinfo
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.utils import timezone

from ims_console import keystone
from ims_console.caller import Caller, Remote
from ims_console.http import ConsoleRequest
from ims_console.ims_errors import READ_ONLY_MESSAGE
from ims_console.models import Account, Membership, Project

SESSION_PROJECT_KEY = "ims_project_id"


@dataclass(frozen=True)
class Tenant:
    membership: Membership
    projects: list[Project]
    project: Project

    @property
    def account(self) -> Account:
        return self.membership.account

    @property
    def can_write(self) -> bool:
        return self.membership.role == Membership.Role.ADMIN


def load_tenant(request: ConsoleRequest) -> Tenant | None:
    """One query on every page: the account's projects, each carrying the user's membership (role, time zone).
    In OpenStack mode, no query: the tenant is the session's Keystone identity."""
    if settings.IMS_BACKEND == "openstack":
        return _cloud_tenant(request)
    user = cast(User, request.user)  # only called for authenticated users
    projects: list[Project] = list(
        Project.objects.filter(account__memberships__user=user).select_related("account").annotate(
            membership_id=F("account__memberships__id"), membership_role=F("account__memberships__role"),
            membership_time_zone=F("account__memberships__time_zone"),
        )
    )
    if not projects:
        return None
    first: Any = projects[0]  # carries the membership annotations
    membership = Membership(
        id=first.membership_id, user=user, account=first.account, role=first.membership_role,
        time_zone=first.membership_time_zone,
    )
    chosen = request.session.get(SESSION_PROJECT_KEY)
    project = next((p for p in projects if p.id == chosen), projects[0])
    return Tenant(membership=membership, projects=projects, project=project)


def _cloud_tenant(request: ConsoleRequest) -> Tenant | None:
    """The Keystone account (domain), its projects and the user's role in the current one, as the console's
    own (unsaved) records, so that every screen shows them the same way in both modes."""
    identity = request.session.get(keystone.SESSION_KEY)
    if not identity:
        return None
    account = Account(id=identity["domain_id"], name=identity["domain_name"])
    projects = [Project(id=p["id"], name=p["name"], region=p["region"], account=account) for p in identity["projects"]]
    project = next(p for p in projects if p.id == identity["project_id"])
    membership = Membership(
        user=cast(User, request.user), account=account, role=identity["role"], time_zone=settings.IMS_DEFAULT_TIME_ZONE
    )
    return Tenant(membership=membership, projects=projects, project=project)


class TenantMiddleware:
    """Sets request.tenant (None for anonymous users and users in no account) and the user's time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: ConsoleRequest):
        request.tenant = load_tenant(request) if request.user.is_authenticated else None
        if request.tenant is not None:
            timezone.activate(zoneinfo.ZoneInfo(request.tenant.membership.time_zone))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


def client_ip(request: ConsoleRequest) -> str:
    """The address a request came from, for audit traces and login throttling.

    X-Forwarded-For can be sent by anyone, so it is read only behind IMS_TRUSTED_PROXIES proxies, each of which
    appends the address it received from: the client is the entry that many places from the right. With fewer
    entries than that, the request did not come through all the proxies and its header cannot be trusted.
    """
    proxies = settings.IMS_TRUSTED_PROXIES
    remote = request.META.get("REMOTE_ADDR", "")
    if proxies == 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < proxies:
        return remote
    candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


# django-axes keeps the user name of each failed login in a column of this width.
THROTTLED_NAME_LENGTH = 255


def throttled_username(request: ConsoleRequest, credentials: dict | None) -> str | None:
    """The user name a failed login counts against (django-axes' AXES_USERNAME_CALLABLE): as typed, cut to the
    width of axes' column, so that an over-long name is one more failure for that name and address, not an error
    (on PostgreSQL a longer value is refused: a 500)."""
    name = credentials.get("username") if credentials else request.POST.get("username")
    return name[:THROTTLED_NAME_LENGTH] if isinstance(name, str) else name


def caller_for(request: ConsoleRequest, *, write: bool = False) -> Caller:
    """The backend's view of who is acting. Read-only users asking to write get 403."""
    tenant = request.tenant
    if tenant is None:
        raise PermissionDenied("Your user belongs to no account with projects. Ask an operator to add you to one.")
    if write and not tenant.can_write:
        raise PermissionDenied(READ_ONLY_MESSAGE)
    return Caller(
        user_id=request.user.pk,
        username=request.user.get_username(),
        account_id=tenant.account.id,
        project_id=tenant.project.id,
        role=tenant.membership.role,
        source_ip=client_ip(request),
        remote=_remote(request),
    )


def _remote(request: ConsoleRequest) -> Remote | None:
    identity = request.session.get(keystone.SESSION_KEY) if settings.IMS_BACKEND == "openstack" else None
    if not identity:
        return None
    region = next((p["region"] for p in identity["projects"] if p["id"] == identity["project_id"]), "")
    return Remote(token=identity["token"], image_url=identity["image_url"], region=region)
