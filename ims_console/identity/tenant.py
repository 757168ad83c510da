"""The current tenant of a request: the user's account, role, projects and the project chosen in the header (kept
in the session), as the console's own records in both modes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.sessions.backends.base import SessionBase
from django.db.models import F

from ims_console.identity import keystone
from ims_console.identity.models import Account, Membership, Project

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


def load_tenant(user: User, session: SessionBase) -> Tenant | None:
    """One query on every page: the account's projects, each carrying the user's membership (role, time zone).
    In OpenStack mode, no query: the tenant is the session's Keystone identity."""
    if settings.IMS_BACKEND == "openstack":
        return _cloud_tenant(user, session)
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
    chosen = session.get(SESSION_PROJECT_KEY)
    project = next((p for p in projects if p.id == chosen), projects[0])
    return Tenant(membership=membership, projects=projects, project=project)


def _cloud_tenant(user: User, session: SessionBase) -> Tenant | None:
    """The Keystone account (domain), its projects and the user's role in the current one, as the console's
    own (unsaved) records, so that every screen shows them the same way in both modes."""
    identity = session.get(keystone.SESSION_KEY)
    if not identity:
        return None
    account = Account(id=identity["domain_id"], name=identity["domain_name"])
    projects = [Project(id=p["id"], name=p["name"], region=p["region"], account=account) for p in identity["projects"]]
    project = next(p for p in projects if p.id == identity["project_id"])
    membership = Membership(
        user=user, account=account, role=identity["role"], time_zone=settings.IMS_DEFAULT_TIME_ZONE
    )
    return Tenant(membership=membership, projects=projects, project=project)
