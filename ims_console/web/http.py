"""ConsoleRequest: a request as the console's views see it, for the type checker.

At run time every request is Django's HttpRequest; django-htmx's middleware adds `htmx` and
ims_console.identity.tenancy.TenantMiddleware adds `tenant` (None for anonymous users and users in no account).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

if TYPE_CHECKING:
    from ims_console.identity.tenant import Tenant


class ConsoleRequest(HttpRequest):
    htmx: HtmxDetails
    tenant: Tenant | None
