"""Who a request acts as: the tenant (set on every request by TenantMiddleware, with the user's time zone), the
client's address, and the Caller that backends are given."""

from __future__ import annotations

import ipaddress
import zoneinfo

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext

from ims_console.core.errors import READ_ONLY_MESSAGE
from ims_console.identity import keystone
from ims_console.identity.caller import Caller, Remote
from ims_console.identity.tenant import load_tenant
from ims_console.web.http import ConsoleRequest


class TenantMiddleware:
    """Sets request.tenant (None for anonymous users and users in no account) and the user's time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: ConsoleRequest):
        # Only for authenticated users, who are the console's User objects.
        request.tenant = load_tenant(request.user, request.session) if request.user.is_authenticated else None
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
        raise PermissionDenied(gettext("Your user belongs to no account with projects. Ask an operator to add you to one."))
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
