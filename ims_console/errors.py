"""How a view answers an IMSError it cannot show next to a field: 404 for what you cannot see, 403 for what you
cannot do, 400 with the message for a request that makes no sense (one the console's own pages never send)."""

from __future__ import annotations

from django.core.exceptions import BadRequest, PermissionDenied
from django.http import Http404

from ims_console.backends.base import IMSError


def http_error(error: IMSError) -> Exception:
    if error.status == 404:
        return Http404(error.message)
    if error.status == 403:
        return PermissionDenied(error.message)
    return BadRequest(f"{error.message} ({error.code})" if error.code else error.message)
