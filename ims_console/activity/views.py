"""The Activity page (a project's jobs, filtered and paged, exported as CSV), a job's page, an image's Activity tab,
and the background jobs region above every page in OpenStack mode. What is shown to whom: activity/selectors.py."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django_htmx.http import trigger_client_event

from ims_console.activity.export import csv_filename, csv_lines
from ims_console.activity.filters import ActivityForm
from ims_console.activity.selectors import activity_page as activity_page_of
from ims_console.activity.selectors import image_traces, job_page
from ims_console.backends import get_backend
from ims_console.backends.openstack import jobs as openstack_jobs
from ims_console.identity.tenancy import caller_for
from ims_console.web.calls import read
from ims_console.web.dialogs import render_page
from ims_console.web.http import ConsoleRequest


def _fronting_a_cloud() -> bool:
    """In OpenStack mode the trail holds what was done through this console only (the cloud's own API and CLIs
    change images too), which the pages say."""
    return settings.IMS_BACKEND != "embedded"


def _filters(request: ConsoleRequest) -> tuple[ActivityForm, dict | None]:
    """The form and its cleaned filters, or None when a filter typed cannot be used (the page says why)."""
    form = ActivityForm(request.GET)
    return form, form.cleaned_data if form.is_valid() else None


@require_GET
@login_required
def activity_page(request: ConsoleRequest) -> HttpResponse:
    caller = caller_for(request)
    form, filters = _filters(request)
    page = activity_page_of(caller.project_id, filters) if filters is not None else None
    context = {"form": form, "page": page, "list_id": "activity", "fronting_a_cloud": _fronting_a_cloud()}
    return render_page(request, "activity/activity.html", context, {"activity": "activity/_activity.html"})


@require_GET
@login_required
def activity_csv(request: ConsoleRequest) -> HttpResponseBase:
    caller = caller_for(request)
    form, filters = _filters(request)
    if filters is None:
        page = {"form": form, "page": None, "list_id": "activity"}
        return render(request, "activity/activity.html", page, status=400)
    assert request.tenant is not None
    response = StreamingHttpResponse(csv_lines(caller.project_id, filters), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{csv_filename(request.tenant.project)}"'
    return response


@require_GET
@login_required
def activity_job(request: ConsoleRequest, job_id: str) -> HttpResponse:
    caller = caller_for(request)
    page = job_page(caller.project_id, job_id)
    if page is None:
        raise Http404("This project has no such job.")
    context = {"job": page.job, "action": page.action, "status": page.status, "summary": page.summary,
               "source_ip": page.source_ip, "results": page.results, "more": page.more}
    return render(request, "activity/activity_job.html", context)


@require_GET
@login_required
def image_activity(request: ConsoleRequest, image_id: str) -> HttpResponse:
    """The owner's Activity tab of an image: the image must be the caller's own (404 otherwise)."""
    caller = caller_for(request)
    image = read(lambda: get_backend().image_get(caller, image_id))
    traces = image_traces(
        caller.project_id, image.id, after=request.GET.get("after", ""), before=request.GET.get("before", "")
    )
    context = {
        "image": image, "can_write": caller.can_write, "tab": "activity", "traces": traces,
        "tab_template": "activity/_image_activity.html", "fronting_a_cloud": _fronting_a_cloud(),
    }
    regions = {"image-activity": "activity/_image_activity.html", "image-detail": "images/_image_detail.html"}
    return render_page(request, "images/image_detail.html", context, regions)


@require_GET
@login_required
def background_jobs(request: ConsoleRequest) -> HttpResponse:
    """The jobs region above every page in OpenStack mode: background jobs of the current project with their
    progress. It asks again every 2 s while one runs, passing the IDs it watches; when one of them has ended the
    answer tells the page's lists to refresh."""
    if "background_jobs" not in get_backend().capabilities:
        raise Http404("This console runs no background jobs.")
    caller = caller_for(request)
    region = openstack_jobs.region(caller.project_id)
    response = render(request, "activity/_jobs.html", {"background_jobs": region})
    watching = set(request.GET.get("watching", "").split())
    if watching & {job.id for job in region.jobs if not job.running}:
        trigger_client_event(response, "images-shared")
        trigger_client_event(response, "members-changed")
    return response
