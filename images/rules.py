"""Image rules of docs/rules.md that are not about sharing: replication (R6), why an encrypted shared image is
unusable (R7), and the KMS checks of the console's key pages. Small pure functions, like sharing/rules.py: each
returns the IMSError that refuses, naming the offending value, or None."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.utils.translation import gettext

from ims_console.core.errors import ConsoleCode, IMSError
from ims_console.core.vocabulary import ImageStatus, ImageType

KEY_ALIAS = re.compile(r"[A-Za-z0-9/_-]{1,255}")
ACCOUNT_ID = re.compile(r"[0-9a-f]{32}")
MAX_REPLICA_BYTES = 128 * 1024**3


def replicate_refusals(*, image_id: str, name: str, image_type: str, size: int, status: str) -> list[IMSError]:
    """What keeps an image from being replicated whoever asks (R6)."""
    refusals = []
    if image_type == ImageType.FULL_ECS:
        refusals.append(IMSError("IMG.0130", gettext("“%(name)s” is a full-ECS image; only system and data disk images can be replicated.") % {"name": name}, item=image_id))
    if image_type == ImageType.ISO:
        refusals.append(IMSError("IMG.0167", gettext("“%(name)s” is an ISO image; only system and data disk images can be replicated.") % {"name": name}, item=image_id))
    if size > MAX_REPLICA_BYTES:
        refusals.append(IMSError(ConsoleCode.REPLICA_TOO_LARGE, gettext("“%(name)s” is %(value)s GB; images of at most 128 GB can be replicated.") % {"name": name, "value": format(size / 1024 ** 3, '.1f')}, item=image_id))
    if status != ImageStatus.ACTIVE:
        refusals.append(IMSError("IMG.0046", gettext("“%(name)s” is not Normal; only Normal images can be replicated.") % {"name": name}, item=image_id))
    return refusals


def replica_needs_key(*, shared: bool, encrypted: bool) -> bool:
    """R6: a copy of an image shared with you that is encrypted must be encrypted with one of your own keys."""
    return shared and encrypted


def key_encrypts_replicas(*, is_default: bool, enabled: bool) -> bool:
    """R6: copies are encrypted with an enabled custom key of the copying project (never ims/default)."""
    return enabled and not is_default


def replica_key_refusal(
    *, source_name: str, needs_key: bool, key_id: str, key_alias: str | None, is_default: bool, enabled: bool
) -> IMSError | None:
    """The key chosen for a copy (`key_alias` None: no such key of the project)."""
    if not key_id:
        if needs_key:
            return IMSError(
                ConsoleCode.REPLICA_KEY,
                gettext("“%(source_name)s” is encrypted: choose one of this project's own keys to encrypt the copy with.") % {"source_name": source_name},
                field="key_id",
            )
        return None
    if key_alias is None or is_default:
        return IMSError(ConsoleCode.REPLICA_KEY, gettext("Choose one of this project's own custom keys."), field="key_id")
    if not key_encrypts_replicas(is_default=is_default, enabled=enabled):
        return IMSError(ConsoleCode.REPLICA_KEY, gettext("Key %(key_alias)s is disabled; enable it or choose another.") % {"key_alias": key_alias}, field="key_id")
    return None


def unavailable_reason(*, encrypted: bool, usable: bool, key_alias: str, key_disabled: bool) -> str:
    """R7: why an accepted encrypted image cannot be used by its recipient, or "" if it can."""
    if usable or not encrypted:
        return ""
    if key_disabled:
        return gettext("The owner disabled key %(key_alias)s, which encrypts this image.") % {"key_alias": key_alias}
    return gettext("The owner revoked your account's grant on key %(key_alias)s, which encrypts this image.") % {"key_alias": key_alias}


def grant_create_refusal(
    *, key_is_default: bool, account_id: str, own_account_id: str, exists: Callable[[], bool]
) -> IMSError | None:
    """Create Grant: a custom key, to another account that exists (`exists` is asked last, only if needed)."""
    if key_is_default:
        return IMSError(
            ConsoleCode.DEFAULT_KEY_FIXED, gettext("The default key ims/default cannot be granted to other accounts."),
            field="account_id",
        )
    if not ACCOUNT_ID.fullmatch(account_id):
        return IMSError(
            ConsoleCode.ACCOUNT_ID_INVALID,
            gettext("“%(account_id)s” is not an account ID: an account ID is 32 hexadecimal characters (0-9, a-f).") % {"account_id": account_id},
            item=account_id, field="account_id",
        )
    if account_id == own_account_id:
        return IMSError(
            ConsoleCode.ACCOUNT_ID_INVALID,
            gettext("%(account_id)s is your own account; its projects can use this key without a grant.") % {"account_id": account_id},
            item=account_id, field="account_id",
        )
    if not exists():
        return IMSError(ConsoleCode.ACCOUNT_NOT_FOUND, gettext("No account or project has the ID %(account_id)s.") % {"account_id": account_id}, item=account_id,
                        field="account_id")
    return None
