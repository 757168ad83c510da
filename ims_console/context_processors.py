"""What every console page shows: the number of shares waiting for the current project (the red dot)."""

from __future__ import annotations

from functools import cache

from ims_console.backends import get_backend
from ims_console.http import ConsoleRequest
from ims_console.tenancy import caller_for


def console(request: ConsoleRequest) -> dict:
    if getattr(request, "tenant", None) is None:
        return {}
    # A template calls this when it shows the dot or the notice: only such a page pays for the count, once.
    return {"pending_shares": cache(lambda: get_backend().shares_pending_count(caller_for(request)))}
