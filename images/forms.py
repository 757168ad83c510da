"""Input shapes for the images screens: list parameters from the URL, the Modify dialog, a selection of rows."""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.http import QueryDict

from ims_console.backends.records import SORT_KEYS, SORT_ORDERS, ImageQuery
from ims_console.core.vocabulary import IMAGE_TYPE_LABELS, OSType

NAME_ALLOWED = re.compile(r"[\w .-]")


class ImageListForm(forms.Form):
    """The Private Images list's URL parameters. A bad value falls back to its default: links must not break."""

    name = forms.CharField(required=False, max_length=128, label="Name")
    image_type = forms.ChoiceField(
        required=False, label="Image type", choices=[("", "All images"), *IMAGE_TYPE_LABELS.items()]
    )
    os_type = forms.ChoiceField(required=False, label="OS type", choices=[("", "All OSs")] + [(o, o) for o in OSType])
    sort = forms.ChoiceField(required=False, choices=[(k, k) for k in SORT_KEYS])
    order = forms.ChoiceField(required=False, choices=[(o, o) for o in SORT_ORDERS])
    page_size = forms.TypedChoiceField(
        required=False, label="Rows per page", coerce=int, choices=[(n, n) for n in settings.IMS_PAGE_SIZES]
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

    name = forms.CharField(label="Name", max_length=None, required=True, error_messages={"required": "Enter a name."})
    description = forms.CharField(label="Description", required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def clean_name(self) -> str:
        name = self.cleaned_data["name"]
        if len(name) > 128:
            raise forms.ValidationError(f"The name is {len(name)} characters long; at most 128 are allowed.", code="IMG.0002")
        bad = sorted({c for c in name if not NAME_ALLOWED.fullmatch(c)})
        if bad:
            shown = " ".join(repr(c) for c in bad)
            raise forms.ValidationError(
                f"“{name}” contains {shown}, which a name cannot contain: use letters, digits, spaces, "
                "hyphens (-), underscores (_) and periods (.).",
                code="IMG.0003",
            )
        return name

    def clean_description(self) -> str:
        description = self.cleaned_data["description"]
        if len(description) > 1024:
            raise forms.ValidationError(
                f"The description is {len(description):,} characters long; at most 1,024 are allowed.", code="IMG.0004"
            )
        return description


MAX_SELECTED = 100


def selected_image_ids(params: QueryDict) -> tuple[list[str], str]:
    """The rows ticked in a list (image_id=..., repeated): the IDs, or an error to show instead."""
    ids = list(dict.fromkeys(i.strip() for i in params.getlist("image_id") if i.strip()))
    if not ids:
        return [], "Select at least one image in the list first."
    if len(ids) > MAX_SELECTED:
        return [], f"{len(ids)} images are selected; at most {MAX_SELECTED} can be handled at once."
    return ids, ""
