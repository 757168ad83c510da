"""How a view answers an IMSError it cannot show next to a field: 404 for what you cannot see, 403 for what you
cannot do, 400 with the message for a request that makes no sense (one the console's own pages never send)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import BadRequest, PermissionDenied
from django.http import Http404

from ims_console.backends.base import IMSError


def http_error(error: IMSError) -> Exception:
    if error.status == 404:
        return Http404(error.message)
    if error.status == 403:
        return PermissionDenied(error.message)
    return BadRequest(f"{error.message} ({error.code})" if error.code else error.message)


T = TypeVar("T")


def fetch(call: Callable[[], T]) -> T:
    """Run a backend read for a view: what the caller may not see is 404, what it may not do is 403."""
    try:
        return call()
    except IMSError as error:
        raise http_error(error) from error


def attempt(call: Callable[[], T]) -> tuple[T | None, list[IMSError]]:
    """Run a backend write for a dialog. A refusal with listed problems (S13) comes back for the dialog to show;
    anything the caller may not touch at all is answered as such (404, 403, 400)."""
    try:
        return call(), []
    except IMSError as error:
        if not error.problems:
            raise http_error(error) from error
        return None, error.problems
