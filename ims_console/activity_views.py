"""The Activity page (a project's jobs, filtered and paged, exported as CSV), a job's page, and an image's
Activity tab. See ims_console.activity for what is shown to whom."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ims_console import activity
from ims_console.backend_calls import read
from ims_console.backends import get_backend
from ims_console.dialogs import render_page
from ims_console.http import ConsoleRequest
from ims_console.tenancy import caller_for


def _fronting_a_cloud() -> bool:
    """In OpenStack mode the trail holds what was done through this console only (the cloud's own API and CLIs
    change images too), which the pages say."""
    return settings.IMS_BACKEND != "embedded"


def _filters(request: ConsoleRequest) -> tuple[activity.ActivityForm, dict | None]:
    """The form and its cleaned filters, or None when a filter typed cannot be used (the page says why)."""
    form = activity.ActivityForm(request.GET)
    return form, form.cleaned_data if form.is_valid() else None


@require_GET
@login_required
def activity_page(request: ConsoleRequest) -> HttpResponse:
    caller = caller_for(request)
    form, filters = _filters(request)
    page = activity.activity_page(caller.project_id, filters) if filters is not None else None
    context = {"form": form, "page": page, "list_id": "activity", "fronting_a_cloud": _fronting_a_cloud()}
    return render_page(request, "ims_console/activity.html", context, {"activity": "ims_console/_activity.html"})


@require_GET
@login_required
def activity_csv(request: ConsoleRequest) -> HttpResponseBase:
    caller = caller_for(request)
    form, filters = _filters(request)
    if filters is None:
        page = {"form": form, "page": None, "list_id": "activity"}
        return render(request, "ims_console/activity.html", page, status=400)
    assert request.tenant is not None
    response = StreamingHttpResponse(activity.csv_lines(caller.project_id, filters), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{activity.csv_filename(request.tenant.project)}"'
    return response


@require_GET
@login_required
def activity_job(request: ConsoleRequest, job_id: str) -> HttpResponse:
    caller = caller_for(request)
    job = activity.job_of(caller.project_id, job_id)
    if job is None:
        raise Http404("This project has no such job.")
    results = activity.results_of(job)
    shown = results[: activity.RESULTS_SHOWN]
    images, projects = activity.names_of_results(caller.project_id, shown)
    recorded = activity.recorded_names(job)
    context = {
        "job": job, "action": activity.action_label(job), "status": activity.status_label(job),
        "summary": activity.summary_of(job), "source_ip": activity.job_source_ip(job),
        "results": [
            {**r, "image_name": activity.image_name(r, images, recorded), "project_name": projects.get(r.get("project_id", ""), "")}
            for r in shown
        ],
        "more": max(0, len(results) - len(shown)),
    }
    return render(request, "ims_console/activity_job.html", context)


@require_GET
@login_required
def image_activity(request: ConsoleRequest, image_id: str) -> HttpResponse:
    """The owner's Activity tab of an image: the image must be the caller's own (404 otherwise)."""
    caller = caller_for(request)
    image = read(lambda: get_backend().image_get(caller, image_id))
    traces = activity.image_traces(
        caller.project_id, image.id, after=request.GET.get("after", ""), before=request.GET.get("before", "")
    )
    context = {
        "image": image, "can_write": caller.can_write, "tab": "activity", "traces": traces,
        "tab_template": "ims_console/_image_activity.html", "fronting_a_cloud": _fronting_a_cloud(),
    }
    regions = {"image-activity": "ims_console/_image_activity.html", "image-detail": "images/_image_detail.html"}
    return render_page(request, "images/image_detail.html", context, regions)
