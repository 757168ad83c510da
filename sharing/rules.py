"""The sharing rules of docs/rules.md (S1 to S15, R4), one small pure function each. Each returns the IMSError that refuses,
naming the offending value, or None. Services gather them so that a request is refused whole (S13)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

from django.conf import settings
from django.utils.translation import gettext, ngettext

from ims_console.core import l10n
from ims_console.core.errors import ConsoleCode, IMSError
from ims_console.core.vocabulary import STATUS_LABELS, BackupSource, ImageStatus, ImageType, Visibility

PROJECT_ID = re.compile(r"[0-9a-f]{32}")
SEPARATORS = re.compile(r"[\s,;]+")


def split_project_ids(text: str) -> list[str]:
    """The dialog accepts commas, spaces and newlines between IDs (S4)."""
    return [token for token in SEPARATORS.split(text or "") if token]


@dataclass(frozen=True)
class ProjectIds:
    ids: list[str] = field(default_factory=list)  # the well-formed ones, normalised
    duplicates: list[str] = field(default_factory=list)  # every repeated entry, as often as it was repeated
    problems: list[IMSError] = field(default_factory=list)
    too_many: bool = False


def _format_problem(raw: str) -> IMSError | None:
    value = raw.lower()
    if PROJECT_ID.fullmatch(value):
        return None
    reasons = []
    if len(value) != 32:
        reasons.append(gettext("it has %(count)s characters") % {"count": len(value)})
    bad = sorted({c for c in value if c not in "0123456789abcdef"})
    if bad:
        reasons.append(gettext("it contains %(characters)s") % {"characters": ", ".join(f"“{c}”" for c in bad)})
    return IMSError(
        "IMG.0067",
        gettext("“%(raw)s” is not a project ID: %(reasons)s; a project ID is 32 hexadecimal characters (0-9, a-f).") % {"raw": raw, "reasons": gettext(" and ").join(reasons)},
        item=raw,
        field="project_ids",
        group=gettext("Not project IDs (a project ID is 32 hexadecimal characters, 0-9 and a-f)"),
        label=f"“{raw}”",
    )


def parse_project_ids(tokens: list[str], *, limit: int | None = None) -> ProjectIds:
    """S3 and S4: trimmed, lower-cased, duplicates collapsed (and reported), each 32 hex, at most `limit`.

    Over the limit, that is the only problem reported: nothing else is checked, so that a pasted list of
    thousands costs a count, not thousands of checks and a page of errors."""
    limit = settings.IMS_MAX_PROJECT_IDS_PER_SUBMISSION if limit is None else limit
    cleaned = [t.strip() for t in tokens if t.strip()]
    if not cleaned:
        return ProjectIds(problems=[IMSError("IMG.0067", gettext("Enter at least one project ID."), field="project_ids")])
    unique: dict[str, str] = {}
    duplicates: list[str] = []
    for raw in cleaned:
        key = raw.lower()
        if key in unique:
            duplicates.append(key)
            continue
        unique[key] = raw
    if len(unique) > limit:
        return ProjectIds(duplicates=duplicates, too_many=True, problems=[IMSError(
            ConsoleCode.TOO_MANY_PROJECT_IDS,
            gettext("%(count)s project IDs were entered (after removing duplicates); at most %(limit)s can be shared with in one submission.") % {"count": l10n.number(len(unique)), "limit": limit},
            field="project_ids",
        )])
    problems = [p for p in (_format_problem(raw) for raw in unique.values()) if p]
    valid = [key for key in unique if PROJECT_ID.fullmatch(key)]
    return ProjectIds(ids=valid, duplicates=duplicates, problems=problems)


def image_refusals(
    *, image_id: str, name: str, visibility: str, status: str, image_type: str, backup_source: str, key_is_default: bool
) -> list[IMSError]:
    """S1, S2, S8, S9 (default key): what makes an image unshareable whoever the recipient is."""
    problems = []
    if visibility == Visibility.PUBLIC:
        problems.append(IMSError(
            "IMG.0089", gettext("Image “%(name)s” is public; only private images can be shared.") % {"name": name}, item=image_id,
            group=gettext("Public images, which cannot be shared (only private ones can)"), label=f"“{name}”",
        ))
    if status != ImageStatus.ACTIVE:
        label = STATUS_LABELS.get(status, status)
        problems.append(IMSError(
            "IMG.0046", gettext("Image “%(name)s” is %(label)s; only Normal images can be shared.") % {"name": name, "label": label}, item=image_id,
            group=gettext("Images that are not Normal (only Normal images can be shared)"), label=gettext("“%(name)s” (%(label)s)") % {"name": name, "label": label},
        ))
    if image_type == ImageType.FULL_ECS and backup_source != BackupSource.CBR:
        problems.append(
            IMSError(
                "IMG.0135",
                gettext("Full-ECS image “%(name)s” was created from a CSBS backup; only full-ECS images created from CBR backups can be shared.") % {"name": name},
                item=image_id,
                group=gettext("Full-ECS images created from CSBS backups (only those from CBR backups can be shared)"),
                label=f"“{name}”",
            )
        )
    if key_is_default:
        problems.append(
            IMSError(
                "IMG.0098",
                gettext("Image “%(name)s” is encrypted with the default key ims/default, which cannot be shared. Replicate it to an unencrypted image, or one encrypted with a custom key, and share that.") % {"name": name},
                item=image_id,
                group=gettext("Images encrypted with the default key ims/default, which cannot be shared (replicate them unencrypted or with a custom key, and share the copy)"),
                label=f"“{name}”",
            )
        )
    return problems


def own_project_refusal(*, project_id: str, owner_project_id: str) -> IMSError | None:
    """S5."""
    if project_id == owner_project_id:
        return IMSError(
            "IMG.0076", gettext("%(project_id)s is your own project; an image cannot be shared with itself.") % {"project_id": project_id}, item=project_id,
            field="project_ids",
        )
    return None


def region_refusal(*, project_id: str, project_region: str | None, region: str) -> IMSError | None:
    """S6 and S11: the recipient must exist, in the image's region."""
    if project_region != region:
        return IMSError(
            "IMG.0108",
            gettext("Project %(project_id)s cannot be found in the current region (%(region)s); images are shared only inside their region.") % {"project_id": project_id, "region": region},
            item=project_id,
            field="project_ids",
            group=gettext("Projects that cannot be found in the current region (%(region)s; images are shared only inside their region)") % {"region": region},
        )
    return None


def grant_refusal(
    *, image_id: str, name: str, key_id: str, key_alias: str, project_id: str, granted: bool,
    project_name: str = "", account_name: str = "",
) -> IMSError | None:
    """S9 (custom key): the recipient's account must hold a grant on the image's key."""
    if not granted:
        who = gettext("account %(account)s (project %(project)s, %(project_id)s)") % {
            "account": account_name, "project": project_name, "project_id": project_id,
        } if account_name else gettext("the account of project %(project_id)s") % {"project_id": project_id}
        return IMSError(
            "IMG.0099",
            gettext("Image “%(name)s” is encrypted with key %(key_alias)s, which is not granted to %(who)s. Create a grant (Decrypt Data Key, Describe Key) for that account first.") % {"name": name, "key_alias": key_alias, "who": who},
            item=project_id,
            field="project_ids",
            label=f"{project_name} ({account_name}, {project_id})" if account_name else project_id,
            context={"key_id": key_id, "project_id": project_id},
            group=gettext("Image “%(name)s” is encrypted with key %(key_alias)s, which is not granted to the accounts of these projects; create a grant (Decrypt Data Key, Describe Key) for each account first") % {"name": name, "key_alias": key_alias},
        )
    return None


def member_limit(image_type: str) -> int:
    if image_type == ImageType.FULL_ECS:
        return settings.IMS_MAX_MEMBERS_PER_FULL_ECS_IMAGE
    return settings.IMS_MAX_MEMBERS_PER_IMAGE


def quota_refusal(*, image_id: str, name: str, image_type: str, existing: int, adding: int) -> IMSError | None:
    """S7: every member row counts, whatever its status."""
    limit = member_limit(image_type)
    if existing + adding > limit:
        return IMSError(
            "IMG.0088",
            ngettext(
                "Image “%(name)s” is shared with %(existing)s project; adding %(adding)s would make %(total)s, and it "
                "can have at most %(limit)s recipients.",
                "Image “%(name)s” is shared with %(existing)s projects; adding %(adding)s would make %(total)s, and it "
                "can have at most %(limit)s recipients.", existing,
            ) % {"name": name, "existing": existing, "adding": adding, "total": existing + adding, "limit": limit},
            item=image_id,
        )
    return None


def accept_needs_vault(image_type: str) -> bool:
    """R4: accepting a full-ECS image stores its backup in a vault of the recipient's, which it must choose."""
    return image_type == ImageType.FULL_ECS


def backup_gb(size: int) -> int:
    """What accepting a full-ECS image takes from the chosen vault: its backup's size, in whole GB (R4)."""
    return math.ceil(size / 1024**3)


def vault_refusal(
    *, vault_id: str, vault_name: str | None, protection_type: str, resource_type: str, free_gb: int, needed_gb: int,
    images: str,
) -> IMSError | None:
    """R4: accepting full-ECS images needs a server-backup vault of the project with room for their backups."""
    if not vault_id:
        return IMSError(
            "IMG.0184", gettext("Choose a server-backup vault to accept full-ECS image %(images)s.") % {"images": images}, field="vault_id"
        )
    if vault_name is None:
        return IMSError("IMG.0184", gettext("Vault %(vault_id)s cannot be found in this project.") % {"vault_id": vault_id}, item=vault_id, field="vault_id")
    if protection_type != "backup" or resource_type != "server":
        return IMSError(
            "IMG.0193",
            gettext("Vault “%(vault_name)s” is not a server-backup vault (protection type Backup, for cloud servers); full-ECS images can only go to one.") % {"vault_name": vault_name},
            item=vault_id,
            field="vault_id",
        )
    if free_gb < needed_gb:
        return IMSError(
            "IMG.0182",
            gettext("Vault “%(vault_name)s” has %(free_gb)s GB free; the backup of %(images)s needs %(needed_gb)s GB.") % {"vault_name": vault_name, "free_gb": free_gb, "images": images, "needed_gb": needed_gb},
            item=vault_id,
            field="vault_id",
        )
    return None


# A share may be set to end at most this far ahead (beyond it, "until I stop sharing" is what is meant).
EXPIRY_MAX_DAYS = 3 * 365


def share_expiry(text: str, *, today: date, tz: tzinfo) -> datetime | None:
    """The moment a share set to end on the day typed ends: the end of that day in the owner's time zone. None
    when nothing was typed (the share lasts until the owner stops it). Refused, naming the value, when it is not a
    date, not after today, or too far ahead."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise IMSError(
            ConsoleCode.EXPIRY_INVALID, gettext("“%(text)s” is not a date: enter the day the share ends as YYYY-MM-DD, for example %(value)s.") % {"text": text, "value": (today + timedelta(days=30)).isoformat()}, item=text, field="expires_on",
        ) from None
    if day <= today:
        raise IMSError(
            ConsoleCode.EXPIRY_INVALID, gettext("%(day)s is not after today (%(today)s): a share can end tomorrow at the earliest.") % {"day": day.isoformat(), "today": today.isoformat()}, item=text, field="expires_on",
        )
    if day > today + timedelta(days=EXPIRY_MAX_DAYS):
        raise IMSError(
            ConsoleCode.EXPIRY_INVALID, gettext("%(day)s is more than %(years)s years ahead: leave the date empty to share "
                                                "until you stop sharing.") % {"day": day.isoformat(), "years": EXPIRY_MAX_DAYS // 365},
            item=text, field="expires_on",
        )
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)
