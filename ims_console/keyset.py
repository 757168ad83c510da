"""Keyset pagination, shared by every paged list: a page costs the same however deep it is, and rows added or
removed meanwhile do not shift the pages after it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet


@dataclass(frozen=True)
class KeysetPage:
    rows: list
    has_previous: bool
    has_next: bool


def keyset_page(
    rows: QuerySet, *, sort: str, tiebreak: str, ascending: bool, marker: Mapping[str, Any] | None, backwards: bool, limit: int
) -> KeysetPage:
    """The `limit` rows after the marker (or before it, `backwards`), in (sort, tiebreak) order.

    `marker` holds the marker row's `sort` and `tiebreak` values, looked up by the caller in the same list (so a row
    from elsewhere cannot serve as one); None means the first page.
    """
    forwards = ascending != backwards
    if marker is not None:
        op = "gt" if forwards else "lt"
        rows = rows.filter(
            Q(**{f"{sort}__{op}": marker[sort]}) | Q(**{sort: marker[sort], f"{tiebreak}__{op}": marker[tiebreak]})
        )
    prefix = "" if forwards else "-"
    found = list(rows.order_by(f"{prefix}{sort}", f"{prefix}{tiebreak}")[: limit + 1])
    more = len(found) > limit
    found = found[:limit]
    if backwards:
        found.reverse()
        return KeysetPage(rows=found, has_previous=more, has_next=True)
    return KeysetPage(rows=found, has_previous=marker is not None, has_next=more)
