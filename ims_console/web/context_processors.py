"""What every console page shows: the languages of the language menu, and the number of shares waiting for the
current project (the red dot)."""

from __future__ import annotations

from functools import cache

from django.conf import settings

from ims_console.backends import get_backend
from ims_console.backends.openstack import jobs as openstack_jobs
from ims_console.core.errors import IMSError
from ims_console.identity.tenancy import caller_for
from ims_console.web.http import ConsoleRequest


def console(request: ConsoleRequest) -> dict:
    tenant = getattr(request, "tenant", None)
    if tenant is None:
        return {"LANGUAGES": settings.LANGUAGES}
    capabilities = get_backend().capabilities
    # A template calls this when it shows the dot or the notice: only such a page pays for the count, once.
    context = {"pending_shares": cache(lambda: _pending_count(request)), "capabilities": capabilities,
               "LANGUAGES": settings.LANGUAGES}
    if "background_jobs" in capabilities:
        context["background_jobs"] = cache(lambda: openstack_jobs.region(tenant.project.id))
    return context


def _pending_count(request: ConsoleRequest) -> int:
    """The dot is a hint: if the cloud cannot say (OpenStack mode, the image service down or the token expired),
    the page shows none rather than failing; the page's own content says what went wrong."""
    try:
        return get_backend().shares_pending_count(caller_for(request))
    except IMSError:
        return 0
