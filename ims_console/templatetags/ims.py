"""Template helpers shared by every console screen."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta

from django import template
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_lazy, ngettext, pgettext

from ims_console.activity.labels import result_label
from ims_console.backends.records import COUNT_LIMIT, ImageQuery, ImageRecord
from ims_console.core import l10n
from ims_console.core.errors import CHANGES_REMAIN, ConsoleCode, IMSError

register = template.Library()


@functools.cache
def _url_pattern(name: str) -> str:
    return reverse(name, args=[URL_PLACEHOLDER])


URL_PLACEHOLDER = "00000000-0000-0000-0000-000000000000"


@register.filter
def url_of(object_id: object, name: str) -> str:
    """`{{ image.id|url_of:"images:detail" }}`: the same URL as `{% url "images:detail" image.id %}`, reversed once
    per URL name instead of once per row (a list page reverses four URLs a row, a third of its rendering)."""
    return _url_pattern(name).replace(URL_PLACEHOLDER, str(object_id), 1)


@register.simple_tag
def image_cells(image: ImageRecord) -> str:
    """The cells both image lists share (OS Type, OS, Image Type, Disk Capacity, Encrypted, Created), built here
    rather than by an include: a list renders them for every row."""
    return format_html(
        '<td>{}</td><td>{}</td><td>{}</td><td class="num">{}</td><td>{}</td><td>{}</td>',
        image.os_type_label, image.os_version or "–", image.image_type_label, image.min_disk,
        l10n.label(YES_NO, "yes" if image.encrypted else "no"), ims_time(image.created_at),
    )


YES_NO = {"yes": gettext_lazy("Yes"), "no": gettext_lazy("No")}


@register.simple_tag
def shared_badge(image: ImageRecord) -> str:
    """The Shared badge of a list row: a link to the image's Sharing tab, how many projects on hover."""
    count = ngettext("Shared with %(count)s project", "Shared with %(count)s projects", image.member_count) % {
        "count": l10n.number(image.member_count)
    }
    return format_html('<a class="badge badge-shared" href="{}" title="{}" aria-label="{}">{}</a>',
                       url_of(image.id, "sharing:image_sharing"), count, count, pgettext("badge", "Shared"))


@register.filter
def number(value: int) -> str:
    """1,234 in English, 1.234 in German."""
    return l10n.number(value)


@register.filter
def count_label(value: int) -> str:
    """A count from a bounded query: exact up to COUNT_LIMIT, "more than 1,000" beyond."""
    if value > COUNT_LIMIT:
        return gettext("more than %(count)s") % {"count": l10n.number(COUNT_LIMIT)}
    return l10n.number(value)


@register.filter
def ims_datetime(value: datetime | None) -> str:
    """IMS shows times as `2026-11-28 16:05:12 GMT+01:00`, in the user's time zone and language's date order."""
    if value is None:
        return "–"
    local = timezone.localtime(value)
    return f"{local.strftime(l10n.patterns().long)} {_gmt_offset(local)}"


def _gmt_offset(local: datetime) -> str:
    offset = local.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    sign = "+" if minutes >= 0 else "-"
    hours, minutes = divmod(abs(minutes), 60)
    return f"GMT{sign}{hours:02d}:{minutes:02d}"


@register.filter
def ims_time(value: datetime | None) -> str:
    """A time in a list: to the minute, on one line, with the whole time as IMS shows it (seconds, offset) on
    hover, so that a list of ten columns fits 1280 pixels. Pages of one thing show ims_datetime whole. A list
    writes one a row: the time is made local once and the language's patterns are looked up once."""
    if value is None:
        return "–"
    local = timezone.localtime(value)
    patterns = l10n.patterns()
    return format_html('<time datetime="{}" title="{} {}">{}</time>', value.isoformat(),
                       local.strftime(patterns.long), _gmt_offset(local), local.strftime(patterns.short))


def expiry_words(expires_at: datetime) -> str:
    """When a share ends, in the user's time zone: "at the end of 2026-12-31" when that is midnight there (as the
    owner set it, in the same zone), else the moment ("on 2027-01-01 at 07:00")."""
    local = timezone.localtime(expires_at)
    if (local.hour, local.minute, local.second) == (0, 0, 0):
        return gettext("at the end of %(date)s") % {"date": l10n.local_date(local - timedelta(days=1))}
    return gettext("on %(date)s at %(time)s") % {"date": l10n.local_date(local), "time": l10n.local_time(local)}


@register.filter
def share_ends(value: datetime | None) -> str:
    """A share's expiry in a list or on a page: "ends at the end of 2026-12-31", the exact moment on hover; "" when
    the share has none."""
    if value is None:
        return ""
    return format_html('<time class="share-ends" datetime="{}" title="{}">{}</time>', value.isoformat(),
                       gettext("Ends %(time)s") % {"time": ims_datetime(value)},
                       gettext("ends %(when)s") % {"when": expiry_words(value)})


@register.simple_tag
def short_id(value: str, what: str = "project") -> str:
    """A 32-character ID shortened visibly (first 8 … last 4), the whole ID on hover and in a Copy button (shown
    when JavaScript runs): lists stay narrow, and nothing is lost."""
    value = str(value)
    shown = value if len(value) <= 14 else f"{value[:8]}…{value[-4:]}"
    return format_html(
        '<span class="short-id" title="{}"><code>{}</code><button type="button" class="copy-id" data-copy="{}" '
        'aria-label="{}">{}</button></span>', value, shown, value, COPY_LABELS[what]() % {"id": value}, gettext("Copy"),
    )


# What a Copy button copies, as its label says ("Copy project ID 0123…").
COPY_LABELS = {
    "project": lambda: gettext("Copy project ID %(id)s"),
    "job": lambda: gettext("Copy job ID %(id)s"),
    "image": lambda: gettext("Copy image ID %(id)s"),
}


# The first click on a column sorts names A to Z and times newest first.
FIRST_ORDER = {"name": "asc", "created_at": "desc"}


@register.simple_tag(takes_context=True)
def sort_header(context: template.Context, label: str, key: str, query: ImageQuery) -> str:
    """A column header that sorts the list by `key` (toggling the order), kept in the URL and loaded by htmx."""
    current = query.sort == key
    order = ("desc" if query.order == "asc" else "asc") if current else FIRST_ORDER[key]
    params = context["request"].GET.copy()
    for stale in ("after", "before"):
        params.pop(stale, None)
    params["sort"], params["order"] = key, order
    href = f"?{params.urlencode()}"
    aria_sort = ("ascending" if query.order == "asc" else "descending") if current else "none"
    arrow = ("▲" if query.order == "asc" else "▼") if current else "↕"
    return format_html(
        '<th scope="col" aria-sort="{}"><a href="{}" hx-get="{}" hx-target="#{}" hx-swap="outerHTML" '
        'hx-push-url="true">{}<span class="sort-arrow" aria-hidden="true"> {}</span></a></th>',
        aria_sort, href, href, context.get("list_id", "image-list"), label, arrow,
    )


@dataclass(frozen=True)
class ProblemLine:
    code: str
    text: str
    context: dict[str, str]


@register.filter
def grouped(problems: list[IMSError]) -> list[ProblemLine]:
    """One line per kind of problem: problems that share a code and a `group` sentence are listed together
    ("Projects that cannot be found in the current region (...): a, b, c."), so that a hundred refused IDs are one
    line and the dialog's buttons stay in view. A kind that occurs once keeps its own full message."""
    kinds: dict[tuple[str, str], list[IMSError]] = {}
    for problem in problems:
        key = (problem.code, problem.group) if problem.group else (problem.code, f"\0{id(problem)}")
        kinds.setdefault(key, []).append(problem)
    lines = []
    for members in kinds.values():
        first = members[0]
        if len(members) == 1:
            lines.append(ProblemLine(first.ims_code, first.message, first.context))
        else:
            labels = ", ".join(m.label for m in members)
            # A line about several items links to what they share (a key), not to one of them (a project).
            shared = {k: v for k, v in first.context.items() if k != "project_id"}
            text = gettext("%(group)s (%(count)s): %(items)s.") % {
                "group": first.group, "count": l10n.number(len(members)), "items": labels,
            }
            lines.append(ProblemLine(first.ims_code, text, shared))
    return lines


@register.filter
def changes_remain(problems: list[IMSError]) -> str:
    """Whether a refusal says that part of the request took effect after all (OpenStack mode), so that the dialog
    does not say "Nothing was changed": "undo" where the cloud took part of it and the console could not undo it,
    "partly" where the cloud did part of a change that has no undo (a removal, an accept, a deletion), else ""."""
    codes = {p.code for p in problems or []}
    if ConsoleCode.LEFT_IN_CLOUD in codes:
        return "undo"
    return "partly" if codes & CHANGES_REMAIN else ""


@register.filter
def on_field(problems: list[IMSError], name: str) -> list[IMSError]:
    """The problems about one input of a dialog (IMSError.field): shown next to it."""
    return [p for p in problems or [] if p.field == name]


@register.filter
def off_fields(problems: list[IMSError], names: str) -> list[IMSError]:
    """The problems about none of the inputs named (comma-separated): shown above the dialog's buttons."""
    fields = {name for name in names.split(",") if name}
    return [p for p in problems or [] if not p.field or p.field not in fields]


@register.filter
def field_errors(field) -> list[ProblemLine]:
    """A form field's errors as problem lines: the message, and IMS's code when the check is one of IMS's
    (forms give it as the ValidationError's code)."""
    return [
        ProblemLine(error.code if (error.code or "").startswith("IMG.") else "", " ".join(error.messages), {})
        for error in field.errors.as_data()
    ] if getattr(field, "errors", None) else []


@register.filter
def vault_images(images: list[ImageRecord], limit: int) -> str:
    """The full-ECS images an accept needs a vault for: "name, 4 GB; name, 8 GB", the first `limit` of them (0: all)
    and how many more."""
    shown = images[:limit] if limit else images
    text = "; ".join(f"{image.name}, {filesizeformat(image.size)}" for image in shown)
    if limit and len(images) > limit:
        text += "; " + gettext("and %(count)s more") % {"count": l10n.number(len(images) - limit)}
    return text


@register.filter
def project_names(members: list, limit: int) -> str:
    """ "web (acme), data (globex)": the projects of some shares, the first `limit` of them (0: all) and how many
    more."""
    shown = members[:limit] if limit else members
    text = ", ".join(f"{m.project_name} ({m.account_name})" if m.account_name else m.project_name for m in shown)
    if limit and len(members) > limit:
        text += " " + gettext("and %(count)s more") % {"count": l10n.number(len(members) - limit)}
    return text


@register.filter
def result_words(recorded: str) -> str:
    """A job's or trace's recorded result in the user's language (ims_console.activity.labels.result_label)."""
    return result_label(recorded)


@register.filter
def fill(pattern: str, name: object) -> str:
    """`{% translate "Select %(name)s" as select %}` once, then `{{ select|fill:image.name }}` in each row: a list
    translates its row labels once per page, not once per row (blocktranslate in a loop costs a lookup per row)."""
    return pattern % {"name": name}
