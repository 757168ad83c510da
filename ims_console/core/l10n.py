"""Times and numbers in the user's language (issue 22): English 2026-12-06 14:05 and 1,234; German 06.12.2026 14:05
and 1.234; Chinese 2026/12/06 14:05. The patterns are Django's format modules (ims_console/formats/, found through
FORMAT_MODULE_PATH, so Django's own filters such as filesizeformat agree); a list writes a time per row, so each
pattern is turned into a strftime pattern once per language rather than run through Django's date formatter."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple

from django.utils import formats, timezone
from django.utils.translation import get_language, ngettext

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# The only Django format characters the console's patterns use, and their strftime equivalents.
_STRFTIME = {"Y": "%Y", "m": "%m", "d": "%d", "H": "%H", "i": "%M", "s": "%S"}


@functools.cache
def _pattern(language: str, name: str) -> str:
    return "".join(_STRFTIME.get(char, char) for char in formats.get_format(name, lang=language))


class Patterns(NamedTuple):
    short: str  # a list's time, to the minute
    long: str  # a page's time, to the second
    date: str
    time: str


@functools.cache
def _patterns(language: str) -> Patterns:
    return Patterns(*(_pattern(language, name) for name in
                      ("SHORT_DATETIME_FORMAT", "DATETIME_FORMAT", "SHORT_DATE_FORMAT", "TIME_FORMAT")))


def patterns() -> Patterns:
    """The current language's strftime patterns."""
    return _patterns(get_language())


def short_datetime(value: datetime) -> str:
    """To the minute, in the user's time zone: what a list shows."""
    return timezone.localtime(value).strftime(patterns().short)


def long_datetime(value: datetime) -> str:
    """To the second, in the user's time zone (the zone's offset is the caller's to add)."""
    return timezone.localtime(value).strftime(patterns().long)


def local_date(value: datetime) -> str:
    return value.strftime(patterns().date)


def local_time(value: datetime) -> str:
    return value.strftime(patterns().time)


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


_LABELS: dict[tuple[str, int, str], str] = {}


def label(table: Mapping[str, StrOrPromise], value: str) -> str:
    """`table[value]` (a module-level table of lazy translations, such as vocabulary.STATUS_LABELS) as text in the
    current language, remembered per language: a list shows three labels a row, and a gettext call each was a
    fifth of a 20-row page's time. Values a table does not have are shown as they are."""
    key = (get_language(), id(table), value)
    try:
        return _LABELS[key]
    except KeyError:
        text = _LABELS[key] = str(table.get(value, value))
        return text
