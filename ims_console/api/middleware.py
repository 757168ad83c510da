"""The APIs are the embedded cloud's: in OpenStack mode the cloud serves them itself, so their URLs answer 404
with a JSON message that says so."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from ims_console.api.errors import is_api


class ApiOnlyWhenEmbedded:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.IMS_BACKEND != "embedded" and is_api(request.path):
            return JsonResponse({"error": {"code": 404, "title": "Not Found", "message": (
                "The console is in OpenStack mode: the Keystone and Glance APIs are served by the cloud itself, at "
                f"{settings.OS_AUTH_URL} and the image endpoint of its catalog."
            )}}, status=404)
        return self.get_response(request)
