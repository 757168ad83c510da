"""OpenStack mode: who a project ID is, asked of Keystone with an optional read-only account of the console's own.

A user's token cannot read other tenants' projects, so without this account the console cannot tell whether a
recipient's project exists or in which region it is (the Share dialog says so). With IMS_OS_LOOKUP_USER (a
Keystone user with the `reader` role on the system, made by `manage.py os_lookup_account`), the
console checks existence and region before sharing (S6, S11 in docs/rules.md) and shows project and account names
beside IDs.

Answers are cached (Django's cache: LOOKUP_SECONDS for a project found, MISSING_SECONDS for one not found), so a
list page asks Keystone about a project at most once in a while; the account's system-scoped token is kept until
shortly before it expires. Unknown IDs are asked concurrently, at most PARALLEL_CALLS at once.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime

import requests
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext

from ims_console.core.errors import ConsoleCode, IMSError
from ims_console.identity import keystone

LOOKUP_SECONDS = 300
MISSING_SECONDS = 30
PARALLEL_CALLS = 8
_MISSING = "missing"


@dataclass(frozen=True)
class ProjectInfo:
    id: str
    name: str
    account_id: str
    account_name: str
    region: str


def configured() -> bool:
    return bool(settings.IMS_OS_LOOKUP_USER)


def projects(project_ids: list[str]) -> dict[str, ProjectInfo | None]:
    """Each ID's project, or None where Keystone has no such project. IMSError (503) if Keystone cannot say."""
    ids = list(dict.fromkeys(project_ids))
    cached = cache.get_many([_key("project", i) for i in ids])
    found: dict[str, dict | None] = {}
    for project_id in ids:
        value = cached.get(_key("project", project_id))
        if value is not None:
            found[project_id] = None if value == _MISSING else value
    unknown = [i for i in ids if i not in found]
    if unknown:
        fetched = _fetch_many("/projects/{}", unknown, "project")
        cache.set_many({_key("project", i): v for i, v in fetched.items() if v is not None}, LOOKUP_SECONDS)
        cache.set_many({_key("project", i): _MISSING for i, v in fetched.items() if v is None}, MISSING_SECONDS)
        found.update(fetched)
    domain_ids = list({p["domain_id"] for p in found.values() if p})
    domains = {k.rsplit(":", 1)[1]: v for k, v in cache.get_many([_key("domain", d) for d in domain_ids]).items()}
    missing_domains = [d for d in domain_ids if d not in domains]
    if missing_domains:
        fetched_domains = {d: (v or {}).get("name", "") for d, v in _fetch_many("/domains/{}", missing_domains, "domain").items()}
        cache.set_many({_key("domain", d): name for d, name in fetched_domains.items()}, LOOKUP_SECONDS)
        domains.update(fetched_domains)
    regions = _session()[1]
    return {
        i: ProjectInfo(id=i, name=p["name"], account_id=p["domain_id"], account_name=domains.get(p["domain_id"], ""),
                       region=keystone.region_of(p["name"], regions)) if (p := found.get(i)) else None
        for i in ids
    }


def names(project_ids: list[str]) -> dict[str, ProjectInfo]:
    """What is known of these projects, for showing names beside IDs: nothing (not an error) when no lookup
    account is configured or Keystone cannot say right now."""
    if not configured() or not project_ids:
        return {}
    try:
        return {i: info for i, info in projects(project_ids).items() if info}
    except IMSError:
        return {}


def _key(kind: str, object_id: str) -> str:
    return f"ims:lookup:{kind}:{object_id}"


def _fetch_many(path: str, ids: list[str], kind: str) -> dict[str, dict | None]:
    with ThreadPoolExecutor(min(PARALLEL_CALLS, len(ids))) as pool:
        return dict(zip(ids, pool.map(lambda i: _get(path.format(i), kind), ids), strict=True))


def _get(path: str, kind: str) -> dict | None:
    for attempt in range(2):
        token = _session(renew=attempt > 0)[0]
        try:
            response = requests.get(
                settings.OS_AUTH_URL.rstrip("/") + path, headers={"X-Auth-Token": token},
                timeout=settings.IMS_REMOTE_TIMEOUT, verify=settings.OS_CACERT or True,
            )
        except requests.RequestException:
            raise _unavailable(gettext("The identity service at %(url)s cannot be reached, so the console cannot check project IDs now.")) from None
        if response.status_code == 401 and attempt == 0:
            continue  # the account's token expired or was revoked: take a new one, once
        if response.status_code == 404:
            return None
        if response.status_code == 403:
            raise _unavailable(gettext(
                "The identity service at %(url)s does not let IMS_OS_LOOKUP_USER=%(user)s read %(kind)ss (it needs the "
                "reader role on the system), so the console cannot check project IDs now."
            ), kind=kind)
        if not response.ok:
            raise _unavailable(gettext(
                "The identity service at %(url)s failed (%(status)s), so the console cannot check project IDs now."
            ), status=response.status_code)
        return response.json()[kind]
    raise _unavailable(gettext(
        "The identity service at %(url)s refused the token of IMS_OS_LOOKUP_USER=%(user)s, so the console cannot check "
        "project IDs now."
    ))


_lock = threading.Lock()
_state: dict[tuple, tuple[str, set[str], float]] = {}


def _session(*, renew: bool = False) -> tuple[str, set[str]]:
    """The lookup account's system-scoped token and the regions of its catalog, kept until a minute before the
    token expires."""
    key = (settings.OS_AUTH_URL, settings.IMS_OS_LOOKUP_DOMAIN, settings.IMS_OS_LOOKUP_USER, settings.IMS_OS_LOOKUP_PASSWORD)
    with _lock:
        held = _state.get(key)
        if held and not renew and held[2] > time.monotonic():
            return held[0], held[1]
        try:
            token, data = keystone.post_token({
                "identity": {"methods": ["password"], "password": {"user": {
                    "name": settings.IMS_OS_LOOKUP_USER, "domain": {"name": settings.IMS_OS_LOOKUP_DOMAIN},
                    "password": settings.IMS_OS_LOOKUP_PASSWORD,
                }}},
                "scope": {"system": {"all": True}},
            })
        except keystone.KeystoneUnavailable as error:
            raise IMSError(ConsoleCode.CLOUD_UNAVAILABLE, str(error), status=503) from None
        if not token:
            raise _unavailable(gettext(
                "The identity service at %(url)s refused the console's lookup account IMS_OS_LOOKUP_USER=%(user)s, so "
                "the console cannot check project IDs now."
            ))
        regions = {e.get("region_id", e.get("region")) for s in data.get("catalog", []) for e in s.get("endpoints", [])}
        lifetime = 3600.0
        if data.get("expires_at"):
            expires = datetime.fromisoformat(data["expires_at"].replace("Z", "+00:00"))
            lifetime = min(lifetime, (expires - datetime.now(UTC)).total_seconds() - 60)
        _state[key] = (token, regions, time.monotonic() + max(lifetime, 0))
        return token, regions


def _unavailable(sentence: str, **values: object) -> IMSError:
    """A 503 in words of the identity service's address and the lookup account's name, and `values`."""
    text = sentence % {"url": settings.OS_AUTH_URL, "user": settings.IMS_OS_LOOKUP_USER, **values}
    return IMSError(ConsoleCode.CLOUD_UNAVAILABLE, text, status=503)
