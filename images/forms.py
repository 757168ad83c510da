"""Input shapes for the images screens: list parameters from the URL, the Modify dialog, a selection of rows."""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.http import QueryDict
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ims_console.backends.records import SORT_KEYS, SORT_ORDERS, ImageQuery
from ims_console.core import l10n
from ims_console.core.vocabulary import IMAGE_TYPE_LABELS, OS_TYPE_LABELS, OSType

NAME_ALLOWED = re.compile(r"[\w .-]")


class ImageListForm(forms.Form):
    """The Private Images list's URL parameters. A bad value falls back to its default: links must not break."""

    name = forms.CharField(required=False, max_length=128, label=_("Name"))
    image_type = forms.ChoiceField(
        required=False, label=_("Image type"), choices=[("", _("All images")), *IMAGE_TYPE_LABELS.items()]
    )
    os_type = forms.ChoiceField(required=False, label=_("OS type"), choices=[("", _("All OSs"))] + [(o.value, OS_TYPE_LABELS[o]) for o in OSType])
    sort = forms.ChoiceField(required=False, choices=[(k, k) for k in SORT_KEYS])
    order = forms.ChoiceField(required=False, choices=[(o, o) for o in SORT_ORDERS])
    page_size = forms.TypedChoiceField(
        required=False, label=_("Rows per page"), coerce=int, choices=[(n, n) for n in settings.IMS_PAGE_SIZES]
    )
    after = forms.CharField(required=False, max_length=36)
    before = forms.CharField(required=False, max_length=36)

    def query(self) -> ImageQuery:
        self.is_valid()
        data = {k: v for k, v in self.cleaned_data.items() if v not in ("", None)}
        return ImageQuery(
            name=data.get("name", ""),
            image_type=data.get("image_type", ""),
            os_type=data.get("os_type", ""),
            sort=data.get("sort", "created_at"),
            order=data.get("order", "desc"),
            limit=data.get("page_size", settings.IMS_PAGE_SIZES[0]),
            after=data.get("after", ""),
            before="" if data.get("after") else data.get("before", ""),
        )


class ImageModifyForm(forms.Form):
    """IMS's rules for a name (IMG.0002, IMG.0003) and a description (IMG.0004), said with the offending value; the
    code is the ValidationError's, which the dialog shows beside the message (_form_field.html)."""

    name = forms.CharField(label=_("Name"), max_length=None, required=True, error_messages={"required": _("Enter a name.")})
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def clean_name(self) -> str:
        name = self.cleaned_data["name"]
        if len(name) > 128:
            raise forms.ValidationError(gettext("The name is %(count)s characters long; at most 128 are allowed.") % {"count": len(name)}, code="IMG.0002")
        bad = sorted({c for c in name if not NAME_ALLOWED.fullmatch(c)})
        if bad:
            shown = " ".join(repr(c) for c in bad)
            raise forms.ValidationError(
                gettext("“%(name)s” contains %(shown)s, which a name cannot contain: use letters, digits, spaces, hyphens (-), underscores (_) and periods (.).") % {"name": name, "shown": shown},
                code="IMG.0003",
            )
        return name

    def clean_description(self) -> str:
        description = self.cleaned_data["description"]
        if len(description) > 1024:
            raise forms.ValidationError(
                gettext("The description is %(count)s characters long; at most 1,024 are allowed.") % {"count": l10n.number(len(description))}, code="IMG.0004"
            )
        return description


MAX_SELECTED = 100


def selected_image_ids(params: QueryDict) -> tuple[list[str], str]:
    """The rows ticked in a list (image_id=..., repeated): the IDs, or an error to show instead."""
    ids = list(dict.fromkeys(i.strip() for i in params.getlist("image_id") if i.strip()))
    if not ids:
        return [], gettext("Select at least one image in the list first.")
    if len(ids) > MAX_SELECTED:
        return [], gettext("%(count)s images are selected; at most %(limit)s can be handled at once.") % {"count": len(ids), "limit": MAX_SELECTED}
    return ids, ""
