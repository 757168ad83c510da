"""Tokens of the console's own Keystone v3 API (ims_console/identity/api.py): issued for a user's password,
checked on every API request with one indexed query, revoked on request.

A token is 32 random bytes; only its SHA-256 is stored, so a copy of the database gives no usable token. It carries
a stamp of the user's password hash when it was issued, so that changing the password ends every token.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.utils import timezone

from ims_console.identity.models import ApiToken, Project


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def password_stamp(user: User) -> str:
    return hashlib.sha256(user.password.encode()).hexdigest()


@dataclass(frozen=True)
class Issued:
    raw: str
    token: ApiToken


def issue(user: User, project: Project | None) -> Issued:
    raw = secrets.token_urlsafe(32)
    now = timezone.now()
    # The user's dead tokens go when a new one is issued, so the table holds live tokens and a few dead ones.
    ApiToken.objects.filter(user=user, expires_at__lte=now).delete()
    token = ApiToken.objects.create(
        digest=digest(raw), user=user, project=project, password_stamp=password_stamp(user), issued_at=now,
        expires_at=now + timedelta(hours=settings.IMS_API_TOKEN_HOURS),
    )
    return Issued(raw=raw, token=token)


def valid(raw: str) -> ApiToken | None:
    """The live token `raw` is, with its user, the user's account membership and its project, in one query (on
    the unique digest); None if there is no such token or it has died."""
    if not raw or len(raw) > 512:
        return None
    token = (
        ApiToken.objects.select_related("user__membership__account", "project")
        .filter(digest=digest(raw), expires_at__gt=timezone.now())
        .first()
    )
    if token is None or not token.user.is_active or token.password_stamp != password_stamp(token.user):
        return None
    # Loaded by the same query (select_related); a user without one is in no account and may do nothing.
    if not hasattr(token.user, "membership"):
        return None
    return token


def revoke(raw: str) -> bool:
    deleted, _ = ApiToken.objects.filter(digest=digest(raw)).delete()
    return bool(deleted)


def user_name_of(user_id: str) -> str:
    """The user name of a user given by ID (Keystone clients may name the user by ID), or "" if there is none."""
    user = User.objects.filter(pk=int(user_id)).first() if user_id.isdigit() else None
    return user.get_username() if user else ""


def projects_of(account_id: str) -> list[Project]:
    return list(Project.objects.filter(account_id=account_id).order_by("name"))


def project_of(account_id: str, *, project_id: str = "", name: str = "") -> Project | None:
    projects = Project.objects.filter(account_id=account_id)
    return (projects.filter(pk=project_id) if project_id else projects.filter(name=name)).first()
