"""Requests signed with an access key, as Huawei Cloud's SDKs sign them (SDK-HMAC-SHA256), verified the way the
SDK's signer builds them (huaweicloudsdkcore/signer/signer.py is the authority; tests run the SDK itself):

- canonical request: METHOD, the path with each segment percent-encoded (only `~` kept besides letters, digits and
  `-._`) and a trailing `/`, the query sorted by key and value and encoded alike, `name:value` for each signed
  header (lower-case, trimmed), the signed headers joined with `;`, and the SHA-256 of the body (or the value of
  X-Sdk-Content-Sha256);
- string to sign: `SDK-HMAC-SHA256`, X-Sdk-Date, the SHA-256 of the canonical request, a line each;
- signature: HMAC-SHA256 of that with the secret key, compared in constant time.

The date may be at most 15 minutes from the console's clock. The project is X-Project-Id, which must be a project of
the key's account; without it, the account's first project. Every refusal is 401 and says which check failed.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, quote, unquote

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import APIKeyHeader

from ims_console.identity import access_keys
from ims_console.identity.models import AccessKey

ALGORITHM = "SDK-HMAC-SHA256"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
MAX_SKEW = timedelta(minutes=15)
# "Last used" is written at most this often per key, so that a busy key does not make every request a write.
LAST_USED_EVERY = timedelta(minutes=1)
AUTHORIZATION = re.compile(r"^SDK-HMAC-SHA256\s+Access=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-fA-F]+)$")


class SignatureRefused(Exception):
    """A signed request that is not accepted: always 401, with IMS's error body saying which check failed."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Signed:
    """Who a verified request acts as: the key's user, in a project of the key's account (plain values, read
    without model objects: verifying must stay well under a millisecond)."""

    key_id: str
    user_id: int
    username: str
    account_id: str
    role: str
    project_id: str


def _encode(text: str) -> str:
    return quote(text, safe="~")


def canonical_request(request: HttpRequest, signed_headers: list[str], body_hash: str) -> str:
    path = "/".join(_encode(part) for part in unquote(request.path).split("/"))
    if not path.endswith("/"):
        path += "/"
    query = "&".join(f"{_encode(k)}={_encode(v)}" for k, v in sorted(parse_qsl(request.META.get("QUERY_STRING", ""),
                                                                                  keep_blank_values=True)))
    headers = "".join(f"{name}:{_header(request, name)}\n" for name in signed_headers)
    return "\n".join([request.method or "GET", path, query, headers, ";".join(signed_headers), body_hash])


def _header(request: HttpRequest, name: str) -> str:
    value = request.headers.get(name, "")
    # WSGI hands header values over as Latin-1; the SDK signs them as UTF-8 text.
    with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
        value = value.encode("latin-1").decode("utf-8")
    return value.strip()


def signature(secret: str, date: str, canonical: str) -> str:
    to_sign = f"{ALGORITHM}\n{date}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    return hmac.new(secret.encode(), to_sign.encode(), hashlib.sha256).hexdigest()


def verify(request: HttpRequest) -> Signed:
    match = AUTHORIZATION.match(request.headers.get("Authorization", "").strip())
    if match is None:
        raise SignatureRefused("APIGW.0301", "The Authorization header is not an SDK-HMAC-SHA256 signature "
                                             "(Access=..., SignedHeaders=..., Signature=...).")
    key_id, signed, given = match.groups()
    date = request.headers.get("X-Sdk-Date", "")
    try:
        when = datetime.strptime(date, DATE_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        raise SignatureRefused("APIGW.0303", f"The X-Sdk-Date header {date[:40]!r} is missing or not a date such as "
                                             f"20261207T101500Z.") from None
    if abs(timezone.now() - when) > MAX_SKEW:
        raise SignatureRefused("APIGW.0303", f"The request was signed at {date}, more than 15 minutes from the "
                                             f"console's time: check the clock of the machine that sent it.")
    wanted_project = request.headers.get("X-Project-Id", "").strip()[:64]
    row = access_keys.verification_row(key_id[:64], wanted_project)
    if row is None:
        raise SignatureRefused("APIGW.0301", f"Access key {key_id[:40]} does not exist.")
    encrypted, status, last_used_at, user_id, username, user_active, account_id, account_name, role, project_id = row
    if status != AccessKey.Status.ACTIVE or not user_active or account_id is None:
        raise SignatureRefused("APIGW.0301", f"Access key {key_id} is not active.")
    signed_headers = signed.lower().split(";")
    body_hash = request.headers.get("X-Sdk-Content-Sha256") or hashlib.sha256(request.body).hexdigest()
    expected = signature(access_keys.decrypt(encrypted), date, canonical_request(request, signed_headers, body_hash))
    if not hmac.compare_digest(expected, given.lower()):
        raise SignatureRefused("APIGW.0301", f"The signature of this request does not match access key {key_id}: "
                                             f"check the secret access key.")
    if project_id is None:
        raise SignatureRefused("APIGW.0302", f"Project {wanted_project[:40]} is not a project of account "
                                             f"{account_name}: set X-Project-Id to one of its projects.")
    now = timezone.now()
    if last_used_at is None or now - last_used_at > LAST_USED_EVERY:
        access_keys.touch(key_id)
    return Signed(key_id=key_id, user_id=user_id, username=username, account_id=account_id, role=role,
                  project_id=project_id)


class SignatureAuth(APIKeyHeader):
    """The Authorization header signed with an access key (an SDK-HMAC-SHA256 signature)."""

    param_name = "Authorization"

    def authenticate(self, request: HttpRequest, key: str | None) -> Signed | None:
        if not key or not key.strip().startswith(ALGORITHM):
            return None
        return verify(request)


signature_auth = SignatureAuth()
