"""What the Share Image dialog and an image's Sharing tab do with what was typed: share with the project IDs in the
box (until the day typed, if any), stop sharing, the one-click fixes, and the messages that say what was done."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext, ngettext

from ims_console.backends import get_backend
from ims_console.backends.records import SharingResult
from ims_console.core import l10n
from ims_console.core.errors import IMSError
from ims_console.core.l10n import images_count, pairs_count, projects_count, shares_count
from ims_console.identity.caller import Caller
from ims_console.templatetags.ims import expiry_words
from ims_console.web.calls import write
from sharing import rules

SHARE_EVENTS = ("images-shared", "members-changed")


def shared_message(result: SharingResult) -> str:
    counts = {"images": images_count(result.images), "projects": projects_count(result.projects)}
    if result.background:
        return gettext(
            "Sharing %(images)s with %(projects)s (%(pairs)s) in the background: its progress is shown above the list."
        ) % {**counts, "pairs": pairs_count(result.changed)}
    if result.changed == 0:
        message = ngettext("Nothing new: that pair was already shared", "Nothing new: all %(count)s pairs were already shared",
                           result.unchanged) % {"count": l10n.number(result.unchanged)}
    else:
        message = gettext("Shared %(images)s with %(projects)s") % counts
        if result.unchanged:
            message += " " + ngettext("(%(count)s pair was already shared)", "(%(count)s pairs were already shared)",
                                      result.unchanged) % {"count": l10n.number(result.unchanged)}
    if result.duplicates:
        message += "; " + duplicates_note(result.duplicates)
    if result.expires_at:
        when = expiry_words(result.expires_at)
        if result.changed + result.unchanged > 1:
            message += "; " + gettext("the shares end by themselves %(when)s") % {"when": when}
        else:
            message += "; " + gettext("the share ends by itself %(when)s") % {"when": when}
    return message + "."


def stopped_message(result: SharingResult, *, image_name: str = "") -> str:
    if result.background:
        return gettext("Stopping sharing in the background (%(shares)s): its progress is shown above the list.") % {
            "shares": shares_count(result.changed)
        }
    if image_name:
        return gettext("Stopped sharing “%(name)s” with %(projects)s.") % {
            "name": image_name, "projects": projects_count(result.changed)
        }
    return gettext("Stopped sharing: %(shares)s removed.") % {"shares": shares_count(result.changed)}


def duplicates_note(duplicates: list[str]) -> str:
    """`duplicates` holds every repeated entry as often as it was repeated."""
    times = Counter(duplicates)
    if len(times) == 1:
        (project_id, extra), = times.items()
        return gettext("%(project_id)s was entered %(times)s times and counted once") % {
            "project_id": project_id, "times": extra + 1,
        }
    return gettext("%(count)s project IDs were entered more than once and each counted once") % {
        "count": l10n.number(len(times))
    }


def add_members(
    caller: Caller, image_ids: list[str], text: str, expires_on: str = ""
) -> tuple[SharingResult | None, list[IMSError]]:
    """Share with the IDs typed in the Project ID box, until the end of the day typed in Share ends on (if any,
    in the user's time zone)."""
    try:
        expires_at = rules.share_expiry(expires_on, today=timezone.localdate(), tz=timezone.get_current_timezone())
    except IMSError as problem:
        return None, [problem]
    return write(lambda: get_backend().image_members_add(
        caller, image_ids, rules.split_project_ids(text), expires_at=expires_at
    ))


def expiry_context(expires_on: str) -> dict:
    """The Share ends on field: its value, the days it takes, and what it means."""
    today = timezone.localdate()
    return {
        "expires_on": expires_on,
        "expiry_range": (
            (today + timedelta(days=1)).isoformat(), (today + timedelta(days=rules.EXPIRY_MAX_DAYS)).isoformat()
        ),
        "expiry_hint": gettext(
            "The share ends by itself at the end of this day (%(zone)s time): the recipients lose the image then, and "
            "see the date until it comes. Leave it empty to share until you stop sharing; share again with another "
            "day to change it."
        ) % {"zone": timezone.get_current_timezone_name()},
    }


def remove_members(caller: Caller, image_ids: list[str], project_ids: list[str]) -> tuple[SharingResult | None, list[IMSError]]:
    if not project_ids:
        return None, [IMSError.nothing_selected(gettext("Select at least one project to stop sharing with."), field="project_id")]
    return write(lambda: get_backend().image_members_remove(caller, image_ids, project_ids))


def refused_ids(problems: list[IMSError]) -> list[str]:
    """The typed IDs a refusal named (malformed, your own, not found): what "Remove the IDs" takes out."""
    return list(dict.fromkeys(p.item for p in problems if p.field == "project_ids" and p.item))


def without_refused(text: str, refused_ids: list[str]) -> str:
    refused = set(refused_ids)
    return "\n".join(t for t in rules.split_project_ids(text) if t not in refused and t.lower() not in refused)
