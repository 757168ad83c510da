"""Access keys (AK/SK) of My Credentials > Access Keys: created (at most two per user, as IAM allows), deactivated,
activated and deleted by their own user, each recorded in Activity; their secrets kept encrypted.

The secret is shown once, when the key is created. It must be kept to verify signatures (SDK-HMAC-SHA256 is an
HMAC), so it is stored encrypted with Fernet under a key derived from IMS_ACCESS_KEY_ENCRYPTION_KEY (by default the
SECRET_KEY): a copy of the database alone gives no usable secret.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import string
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

from cryptography.fernet import Fernet
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from ims_console.activity import audit
from ims_console.activity.audit import Entry
from ims_console.activity.models import Job, Trace
from ims_console.core.errors import IMSError
from ims_console.identity.caller import Caller
from ims_console.identity.models import AccessKey, Account, Membership, Project

MAX_KEYS = 2
AK_ALPHABET = string.ascii_uppercase + string.digits
SK_ALPHABET = string.ascii_letters + string.digits


@cache
def _fernet(material: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(f"ims-access-keys:{material}".encode()).digest()))


def cipher() -> Fernet:
    return _fernet(settings.IMS_ACCESS_KEY_ENCRYPTION_KEY or settings.SECRET_KEY)


def decrypt(encrypted: str) -> str:
    return cipher().decrypt(encrypted.encode()).decode()


def secret_of(key: AccessKey) -> str:
    return decrypt(key.secret_encrypted)


@dataclass(frozen=True)
class Created:
    key: AccessKey
    secret: str


def _user_of(caller: Caller) -> int:
    if caller.user_id is None:
        raise IMSError("console.access_key_user", "Access keys belong to users; this caller is none.", status=403)
    return caller.user_id


def keys_of(user_id: int) -> list[AccessKey]:
    return list(AccessKey.objects.filter(user_id=user_id))


def _record(caller: Caller, job_type: str, trace: str, key_id: str, result: str, kind: str) -> None:
    now = timezone.now()
    entities = {"results": [{"image_id": key_id, "status": "success"}], "names": {key_id: f"access key {key_id}"},
                "reason": kind}
    job = audit.record_job(caller, job_type, entities=entities, now=now)
    audit.record_traces(caller, trace, [Entry(key_id, "", result, resource_type="accessKey")], job=job, now=now)


@transaction.atomic
def key_create(*, caller: Caller, description: str) -> Created:
    """A new key for the caller's user; refused past two (the user's row is locked, so two requests at once cannot
    make a third)."""
    description = description.strip()
    if len(description) > 255:
        raise IMSError("console.access_key_description", gettext("The description is %(count)s characters long; at most 255 are allowed.") % {"count": len(description)}, field="description")
    user_id = _user_of(caller)
    User.objects.select_for_update().filter(pk=user_id).first()
    if AccessKey.objects.filter(user_id=user_id).count() >= MAX_KEYS:
        raise IMSError("console.access_key_limit", gettext("You have %(limit)s access keys, the most a user can have. Delete one you no longer use to create another.") % {"limit": MAX_KEYS}, field="description")
    secret = "".join(secrets.choice(SK_ALPHABET) for _ in range(40))
    key = AccessKey.objects.create(
        id="".join(secrets.choice(AK_ALPHABET) for _ in range(20)), user_id=user_id, description=description,
        secret_encrypted=cipher().encrypt(secret.encode()).decode(), created_at=timezone.now(),
    )
    _record(caller, Job.Type.CREATE_ACCESS_KEY, Trace.Name.CREATE_ACCESS_KEY, key.pk, "success", "created")
    return Created(key=key, secret=secret)


def _own(caller: Caller, key_id: str) -> AccessKey:
    key = AccessKey.objects.select_for_update().filter(user_id=_user_of(caller), pk=key_id).first()
    if key is None:
        raise IMSError("console.access_key_not_found", gettext("Access key %(key_id)s does not exist.") % {"key_id": key_id}, item=key_id, status=404)
    return key


@transaction.atomic
def key_status_set(*, caller: Caller, key_id: str, active: bool) -> AccessKey:
    key = _own(caller, key_id)
    status = AccessKey.Status.ACTIVE if active else AccessKey.Status.INACTIVE
    if key.status != status:
        AccessKey.objects.filter(pk=key.pk).update(status=status)
        key.status = status
        _record(caller, Job.Type.UPDATE_ACCESS_KEY, Trace.Name.UPDATE_ACCESS_KEY, key.pk, f"success: {status}",
                "activated" if active else "deactivated")
    return key


@transaction.atomic
def key_delete(*, caller: Caller, key_id: str) -> None:
    key = _own(caller, key_id)
    key.delete()
    _record(caller, Job.Type.DELETE_ACCESS_KEY, Trace.Name.DELETE_ACCESS_KEY, key_id, "success", "deleted")


@cache
def _verification_sql(with_project: bool) -> str:
    """One statement: the key, its user, the user's account and role, and the project a signed request acts in (the
    one named if it is the account's, else the account's first). Written as SQL because it runs on every signed
    request and the ORM's query building alone costs a millisecond."""
    key, user, membership, account, project = (m._meta.db_table for m in (AccessKey, User, Membership, Account, Project))
    chosen = "AND p.id = %s " if with_project else ""
    return (
        f"SELECT k.secret_encrypted, k.status, k.last_used_at, k.user_id, u.username, u.is_active, m.account_id, "
        f"a.name, m.role, (SELECT p.id FROM {project} p WHERE p.account_id = m.account_id {chosen}"
        f"ORDER BY p.region, p.name LIMIT 1) "
        f"FROM {key} k JOIN {user} u ON u.id = k.user_id LEFT JOIN {membership} m ON m.user_id = u.id "
        f"LEFT JOIN {account} a ON a.id = m.account_id WHERE k.id = %s"
    )


def verification_row(key_id: str, project_id: str) -> tuple | None:
    with connection.cursor() as cursor:
        cursor.execute(_verification_sql(bool(project_id)), [project_id, key_id] if project_id else [key_id])
        row = cursor.fetchone()
    if row is None:
        return None
    last_used = row[2]
    if isinstance(last_used, str):
        last_used = datetime.fromisoformat(last_used)
    if last_used is not None and timezone.is_naive(last_used):
        last_used = timezone.make_aware(last_used, UTC)
    return (*row[:2], last_used, *row[3:])


def touch(key_id: str) -> None:
    AccessKey.objects.filter(pk=key_id).update(last_used_at=timezone.now())
