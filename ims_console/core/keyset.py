"""Keyset pagination, shared by every paged list: a page costs the same however deep it is, and rows added or
removed meanwhile do not shift the pages after it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from ims_console.core import l10n


@dataclass(frozen=True)
class KeysetPage:
    rows: list
    has_previous: bool
    has_next: bool
    # How many rows come before the first one shown, counted up to `count_limit` + 1 (more is "unknown"); None
    # when the caller did not ask for it.
    position: int | None = None


def keyset_page(
    rows: QuerySet, *, sort: str, tiebreak: str, ascending: bool, marker: Mapping[str, Any] | None, backwards: bool,
    limit: int, count_limit: int | None = None,
) -> KeysetPage:
    """The `limit` rows after the marker (or before it, `backwards`), in (sort, tiebreak) order.

    `marker` holds the marker row's `sort` and `tiebreak` values, looked up by the caller in the same list (so a row
    from elsewhere cannot serve as one); None means the first page.

    With `count_limit`, the page also says where it starts (for "Page 2 of 5"): the rows before the marker are
    counted, up to count_limit + 1 of them, in one more query on every page but the first. The count is taken now,
    so it stays right when rows were added or removed since the marker was handed out.
    """
    forwards = ascending != backwards
    position: int | None = None if count_limit is None else 0
    if marker is not None:
        op = "gt" if forwards else "lt"
        page_rows = rows.filter(_beyond(sort, tiebreak, marker, op))
        if count_limit is not None:
            # The rows before the marker in the order shown, and (going forwards) the marker row itself.
            back = "lt" if ascending else "gt"
            before = _beyond(sort, tiebreak, marker, back, inclusive=not backwards)
            position = rows.filter(before).values("pk").order_by()[: count_limit + 1].count()
    else:
        page_rows = rows
    prefix = "" if forwards else "-"
    found = list(page_rows.order_by(f"{prefix}{sort}", f"{prefix}{tiebreak}")[: limit + 1])
    more = len(found) > limit
    found = found[:limit]
    if backwards:
        found.reverse()
        if position is not None and count_limit is not None and position <= count_limit:
            position = max(0, position - len(found))
        return KeysetPage(rows=found, has_previous=more, has_next=True, position=position)
    return KeysetPage(rows=found, has_previous=marker is not None, has_next=more, position=position)


def _beyond(sort: str, tiebreak: str, marker: Mapping[str, Any], op: str, *, inclusive: bool = False) -> Q:
    """Rows past the marker in one direction (`op` is "gt" or "lt"), with the marker row itself if `inclusive`."""
    last = f"{op}e" if inclusive else op
    return Q(**{f"{sort}__{op}": marker[sort]}) | Q(**{sort: marker[sort], f"{tiebreak}__{last}": marker[tiebreak]})


def page_label(*, position: int, total: int, shown: int, size: int, count_limit: int) -> str:
    """ "Page 2 of 5", from how many rows come before the page (`position`), how many there are (`total`), both
    counted up to count_limit + 1, and how many the page shows; "" when the position is beyond what was counted.

    A page starting part-way (rows were added or removed since its marker was handed out) counts as the page after
    the whole pages before it, and the pages after it are counted from its end, so the label always adds up with
    what Previous and Next reach.
    """
    if position > count_limit:
        return ""
    size = max(1, size)
    number = -(-position // size) + 1
    if total > count_limit:
        return gettext("Page %(number)s of more than %(pages)s") % {
            "number": l10n.number(number), "pages": l10n.number(count_limit // size),
        }
    after = max(0, total - position - shown)
    return gettext("Page %(number)s of %(pages)s") % {
        "number": l10n.number(number), "pages": l10n.number(number + -(-after // size)),
    }
