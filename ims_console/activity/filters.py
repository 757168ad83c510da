"""The Activity page's filters (from the URL) and the jobs of a project that pass them."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ims_console.activity.labels import ACTION_LABELS, STATUS_LABELS
from ims_console.activity.models import Job, Trace
from ims_console.core.ids import parse_uuid

# The days the filters take: wide enough for any job, narrow enough that a day's bounds are a time in every zone.
DAYS = (date(2000, 1, 1), date(2099, 12, 31))


class ActivityForm(forms.Form):
    """The Activity page's filters, from the URL. Unlike a list's sort or page size, a filter the user typed that
    cannot be used is an error next to its field (the page then lists nothing rather than everything)."""

    action = forms.ChoiceField(required=False, label=_("Action"), choices=[("", _("All actions")), *ACTION_LABELS.items()])
    status = forms.ChoiceField(required=False, label=_("Status"), choices=[("", _("All statuses")), *STATUS_LABELS.items()])
    user = forms.CharField(required=False, max_length=150, label=_("User"))
    image = forms.CharField(required=False, max_length=64, label=_("Image ID"))
    since = forms.DateField(required=False, label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    # One job (its CSV export, from the job's page), and the page markers: in the URL, not fields to fill in.
    job = forms.CharField(required=False, max_length=32, widget=forms.HiddenInput)
    after = forms.CharField(required=False, max_length=32, widget=forms.HiddenInput)
    before = forms.CharField(required=False, max_length=32, widget=forms.HiddenInput)

    def clean_image(self) -> str:
        value = self.cleaned_data["image"].strip()
        if value and parse_uuid(value) is None:
            raise forms.ValidationError(
                gettext("“%(value)s” is not an image ID: an image ID is a UUID such as %(example)s, shown on the image's "
                        "page.") % {"value": value, "example": "2f1e8c3a-0b7d-4c52-9a61-5d8e0f4b7c19"}
            )
        return str(parse_uuid(value)) if value else ""

    def clean(self):
        data = super().clean()
        for name in ("since", "until"):
            day = data.get(name)
            if day and not DAYS[0] <= day <= DAYS[1]:
                self.add_error(name, gettext("%(day)s is out of range: choose a day from %(first)s to %(last)s.") % {
                    "day": day.isoformat(), "first": DAYS[0].isoformat(), "last": DAYS[1].isoformat(),
                })
                data.pop(name, None)
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", gettext("“To” (%(until)s) is before “From” (%(since)s).") % {
                "until": until.isoformat(), "since": since.isoformat(),
            })
        return data

    @property
    def filtered(self) -> bool:
        return any(self.data.get(f) for f in ("action", "status", "user", "image", "since", "until", "job"))


def _day_start(day: date) -> datetime:
    """Midnight of a day in the user's time zone (the dates typed are the user's)."""
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def project_jobs(project_id: str, filters: dict) -> QuerySet[Job]:
    """The jobs of a project that pass the filters (cleaned ActivityForm data)."""
    jobs = Job.objects.filter(project_id=project_id).defer("credential")
    if filters.get("job"):
        jobs = jobs.filter(pk=filters["job"])
    if filters.get("action"):
        jobs = jobs.filter(job_type=filters["action"])
    if filters.get("status"):
        jobs = jobs.filter(status=filters["status"])
    if filters.get("user"):
        jobs = jobs.filter(username__iexact=filters["user"].strip())
    if filters.get("image"):
        # The traces name the image each job acted on (the index on resource and time finds them).
        jobs = jobs.filter(pk__in=Trace.objects.filter(resource_id=filters["image"], project_id=project_id).values("job_id"))
    if filters.get("since"):
        jobs = jobs.filter(begin_time__gte=_day_start(filters["since"]))
    if filters.get("until"):
        jobs = jobs.filter(begin_time__lt=_day_start(filters["until"] + timedelta(days=1)))
    return jobs
