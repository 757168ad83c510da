"""OpenStack mode's client of Glance v2 (the cloud's image API): one keep-alive session per thread, the caller's
token, and every answer other than a success turned into the console's IMSError (401: log in again; 404 of an image:
IMG.0027; 5xx, no answer or garbage: the cloud is unavailable, 502/503; other 4xx: the cloud refused, in its own
words)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from ims_console.core.errors import ConsoleCode, IMSError
from ims_console.identity.caller import Caller, Remote
from ims_console.web import metrics

JSON_PATCH = "application/openstack-images-v2.1-json-patch"

_local = threading.local()


def session() -> requests.Session:
    """One keep-alive session per thread. Connection errors are retried (nothing reached the server); a read
    that timed out or an error status is never retried, so a write is never sent twice."""
    session = getattr(_local, "session", None)
    if session is None:
        session = requests.Session()
        retry = Retry(total=2, connect=2, read=0, status=0, other=0, backoff_factor=0.1)
        session.mount("http://", HTTPAdapter(max_retries=retry, pool_maxsize=settings.IMS_OS_PARALLEL_CALLS))
        session.mount("https://", HTTPAdapter(max_retries=retry, pool_maxsize=settings.IMS_OS_PARALLEL_CALLS))
        if getattr(settings, "OS_CACERT", ""):
            session.verify = settings.OS_CACERT
        _local.session = session
    return session


def each[T, R](work: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """`work` on every item, IMS_OS_PARALLEL_CALLS at once (a cloud far away costs one round trip for them all,
    not one each), its answers in the items' order; the first item's error in that order is raised, as a loop would.
    Messages made in the pool's threads are in the language of the request (or job) that asked."""
    items = list(items)
    if len(items) < 2:
        return [work(item) for item in items]
    language = translation.get_language()

    def in_language(item: T) -> R:
        with translation.override(language):
            return work(item)

    with ThreadPoolExecutor(min(settings.IMS_OS_PARALLEL_CALLS, len(items))) as pool:
        return list(pool.map(in_language, items))


def remote_of(caller: Caller) -> Remote:
    if caller.remote is None:
        raise IMSError(ConsoleCode.SESSION_EXPIRED, gettext("Log in again: this session holds no token for the cloud."), status=401)
    return caller.remote


def _timed(method: str, url: str, **kwargs: Any) -> requests.Response:
    """The HTTP request, counted and timed for the metrics (ims_console/web/metrics.py)."""
    started = time.perf_counter()
    try:
        response = session().request(method, url, **kwargs)
    except requests.RequestException:
        metrics.glance_call(method, "unreachable", time.perf_counter() - started)
        raise
    status = response.status_code
    outcome = "failed" if status >= 500 else "refused" if status >= 400 else "ok"
    metrics.glance_call(method, outcome, time.perf_counter() - started)
    return response


def call(caller: Caller, method: str, path: str, *, image_id: str = "", **kwargs: Any) -> Any:
    """One request to Glance, its refusals turned into the console's errors."""
    remote = remote_of(caller)
    timeout = settings.IMS_REMOTE_TIMEOUT
    headers = {"X-Auth-Token": remote.token, "Accept": "application/json", **kwargs.pop("headers", {})}
    url = remote.image_url.rstrip("/") + path
    try:
        response = _timed(method, url, headers=headers, timeout=timeout, **kwargs)
    except requests.Timeout:
        raise IMSError(
            ConsoleCode.CLOUD_UNAVAILABLE, gettext("The image service at %(image_url)s did not answer in %(timeout)s s.") % {"image_url": remote.image_url, "timeout": format(timeout, 'g')},
            status=503,
        ) from None
    except requests.ConnectionError:
        raise IMSError(
            ConsoleCode.CLOUD_UNAVAILABLE, gettext("The image service at %(image_url)s cannot be reached.") % {"image_url": remote.image_url}, status=503
        ) from None
    except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError,
            requests.TooManyRedirects) as error:  # a reply cut short or garbled on the way, or a redirect loop
        raise IMSError(
            ConsoleCode.CLOUD_UNAVAILABLE, gettext("The image service at %(image_url)s answered badly (%(error)s).") % {"image_url": remote.image_url, "error": type(error).__name__},
            status=502,
        ) from None
    if response.status_code == 401:
        raise IMSError(ConsoleCode.SESSION_EXPIRED, gettext("Your session with the cloud has ended: log in again."), status=401)
    if response.status_code == 404 and image_id:
        raise IMSError.image_not_found(image_id)
    if response.status_code >= 500:
        raise IMSError(
            ConsoleCode.CLOUD_UNAVAILABLE,
            gettext("The image service at %(image_url)s failed (%(status_code)s); try again later.") % {"image_url": remote.image_url, "status_code": response.status_code}, status=502,
        )
    if response.status_code >= 400:
        raise IMSError(ConsoleCode.CLOUD_REFUSED, glance_message(response), status=response.status_code)
    if response.status_code == 204 or not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        raise IMSError(
            ConsoleCode.CLOUD_UNAVAILABLE, gettext("The image service at %(image_url)s answered something that is not JSON.") % {"image_url": remote.image_url},
            status=502,
        ) from None


def glance_message(response: requests.Response) -> str:
    """Glance's own words, without its HTML wrapping."""
    text = response.text
    try:
        body = response.json()
        text = body.get("message") or body.get("error", {}).get("message") or text
    except ValueError:
        pass
    lines = [line.strip() for line in text.replace("<br />", "\n").splitlines() if line.strip() and not line.strip().startswith("<")]
    return " ".join(lines[-1:]) or gettext("The image service refused the request (%(status_code)s).") % {"status_code": response.status_code}


