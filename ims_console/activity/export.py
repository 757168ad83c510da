"""The Activity page's CSV export: every job that passes the filters, one line per pair."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import tzinfo

from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from ims_console.activity.filters import project_jobs
from ims_console.activity.labels import action_label, result_label, status_label
from ims_console.activity.names import image_name, names_of_results, recorded_names
from ims_console.activity.selectors import results_of
from ims_console.core.keyset import keyset_page
from ims_console.identity.models import Project

# The columns, headed in the user's language.
CSV_HEADER = [
    _("Time"), _("Job ID"), _("Action"), _("User"), _("Status"), _("Image ID"), _("Image Name"), _("Project ID"),
    _("Project Name"), _("Result"), _("Error Code"), _("Failure Reason"),
]
# Jobs read at a time: a job's results can hold 10,000 pairs, so a batch is kept small.
CSV_BATCH = 100


def _cell(value: object) -> str:
    """A cell a spreadsheet shows as text: a value starting with =, +, -, @ or a control character would be run as
    a formula (image names are chosen by other tenants, too), so it gets a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(project_id: str, filters: dict) -> Iterator[str]:
    """Every job that passes the filters, one line per pair (or image), newest first, read CSV_BATCH jobs at a
    time (a keyset walk: memory and each query stay the same however many jobs there are). The lines are written
    while the response is sent, after the view has returned: in the language and time zone of the request that
    asked for them, taken now."""
    return _lines(project_id, filters, translation.get_language(), timezone.get_current_timezone())


def _lines(project_id: str, filters: dict, language: str, zone: tzinfo) -> Iterator[str]:
    with translation.override(language), timezone.override(zone):
        yield from _rows(project_id, filters)


def _rows(project_id: str, filters: dict) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow([str(header) for header in CSV_HEADER])
    jobs = project_jobs(project_id, filters).order_by("-begin_time", "-id")
    marker: dict | None = None
    while True:
        page = keyset_page(jobs, sort="begin_time", tiebreak="id", ascending=False, marker=marker, backwards=False,
                           limit=CSV_BATCH)
        results = {job.pk: results_of(job) for job in page.rows}
        images, projects = names_of_results(project_id, [r for rs in results.values() for r in rs])
        for job in page.rows:
            common = [timezone.localtime(job.begin_time).isoformat(), job.pk, action_label(job), job.username]
            for result in results[job.pk] or [{"image_id": "", "project_id": "", "status": ""}]:
                yield writer.writerow([_cell(v) for v in [
                    *common, status_label(job), result["image_id"], image_name(result, images, recorded_names(job)),
                    result.get("project_id", ""), projects.get(result.get("project_id", ""), ""), result_label(result["status"]),
                    job.error_code, job.fail_reason,
                ]])
        if not page.has_next:
            return
        last = page.rows[-1]
        marker = {"begin_time": last.begin_time, "id": last.pk}


def csv_filename(project: Project) -> str:
    return f"activity-{project.name}-{timezone.localdate().isoformat()}.csv"
