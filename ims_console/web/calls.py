"""How a view calls the backend: `read` for what it shows, `write` for what it changes. The one error contract.

- `read(call)`: the result, or the request is answered by its status: 404 for what the caller cannot see, 403 for
  what it may not do, 400 with the message for a request that makes no sense.
- `write(call)`: `(result, [])`, or `(None, problems)` when the service refused what was entered
  (`IMSError.display` is DIALOG): the dialog shows every problem, each next to its input, and nothing was changed.
  A refusal the dialog cannot fix (display PAGE: 404, 403) is answered by its status, as in `read`.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import BadRequest, PermissionDenied
from django.http import Http404

from ims_console.core.errors import CloudUnavailable, Display, IMSError, LoginAgain


def http_error(error: IMSError) -> Exception:
    if error.status == 401:
        return LoginAgain(error.message)
    if error.status in (502, 503):
        return CloudUnavailable(error.message, error.status, error.problems)
    if error.status == 404:
        return Http404(error.message)
    if error.status == 403:
        return PermissionDenied(error.message)
    return BadRequest(f"{error.message} ({error.ims_code})" if error.ims_code else error.message)


def read[T](call: Callable[[], T]) -> T:
    try:
        return call()
    except IMSError as error:
        raise http_error(error) from error


def write[T](call: Callable[[], T]) -> tuple[T | None, list[IMSError]]:
    try:
        return call(), []
    except IMSError as error:
        if error.display is Display.PAGE:
            raise http_error(error) from error
        return None, error.all_problems
