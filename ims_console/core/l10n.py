"""Times and numbers in the user's language (issue 22): English 2026-12-06 14:05 and 1,234; German 06.12.2026 14:05
and 1.234; Chinese 2026/12/06 14:05. The patterns are Django's format modules (ims_console/formats/, found through
FORMAT_MODULE_PATH, so Django's own filters such as filesizeformat agree); a list writes a time per row, so each
pattern is turned into a strftime pattern once per language rather than run through Django's date formatter."""

from __future__ import annotations

import functools
from datetime import datetime

from django.utils import formats, timezone
from django.utils.translation import get_language, ngettext

# The only Django format characters the console's patterns use, and their strftime equivalents.
_STRFTIME = {"Y": "%Y", "m": "%m", "d": "%d", "H": "%H", "i": "%M", "s": "%S"}


@functools.cache
def _pattern(language: str, name: str) -> str:
    return "".join(_STRFTIME.get(char, char) for char in formats.get_format(name, lang=language))


def short_datetime(value: datetime) -> str:
    """To the minute, in the user's time zone: what a list shows."""
    return timezone.localtime(value).strftime(_pattern(get_language(), "SHORT_DATETIME_FORMAT"))


def long_datetime(value: datetime) -> str:
    """To the second, in the user's time zone (the zone's offset is the caller's to add)."""
    return timezone.localtime(value).strftime(_pattern(get_language(), "DATETIME_FORMAT"))


def local_date(value: datetime) -> str:
    return value.strftime(_pattern(get_language(), "SHORT_DATE_FORMAT"))


def local_time(value: datetime) -> str:
    return value.strftime(_pattern(get_language(), "TIME_FORMAT"))


def number(value: int | float, decimals: int | None = None) -> str:
    """1,234 or 1.234: grouped by the language's separator."""
    return formats.number_format(value, decimal_pos=decimals, force_grouping=True)


# Counted things, as sentences put them together ("Shared 2 images with 3 projects").
def images_count(count: int) -> str:
    return ngettext("%(count)s image", "%(count)s images", count) % {"count": number(count)}


def projects_count(count: int) -> str:
    return ngettext("%(count)s project", "%(count)s projects", count) % {"count": number(count)}


def pairs_count(count: int) -> str:
    return ngettext("%(count)s pair", "%(count)s pairs", count) % {"count": number(count)}


def shares_count(count: int) -> str:
    return ngettext("%(count)s share", "%(count)s shares", count) % {"count": number(count)}
