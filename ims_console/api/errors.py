"""How the API refuses: in Keystone's words under /v3 and Glance's under /v2, with the IMS code in the message where
an IMS rule refused (the same IMSError the pages show)."""

from __future__ import annotations

from http import HTTPStatus

from django.http import JsonResponse

from ims_console.core.errors import ConsoleCode, IMSError


class ApiError(Exception):
    """A refusal of the API, with the HTTP status it answers."""

    def __init__(self, status: int, message: str, code: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        # IMS's code where one applies (IMS's own API answers with it); else one from the status.
        self.code = code or {401: "APIGW.0301", 403: "IMG.0003", 404: "IMG.0027"}.get(status, "IMG.0001")


def keystone_error(status: int, message: str) -> JsonResponse:
    """Keystone's error body: {"error": {"code", "title", "message"}}."""
    title = HTTPStatus(status).phrase
    response = JsonResponse({"error": {"code": status, "title": title, "message": message}}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Keystone uri="/v3"'
    return response


def glance_error(status: int, message: str) -> JsonResponse:
    """Glance's error body: {"code": "404 Not Found", "title", "message"} (what openstacksdk and the console's own
    OpenStack backend read the message from)."""
    title = HTTPStatus(status).phrase
    return JsonResponse({"code": f"{status} {title}", "title": title, "message": message}, status=status)


def ims_error(status: int, code: str, message: str) -> JsonResponse:
    """IMS's error body, {"error": {"code": "IMG.0027", "message": ...}}, with the error_code and error_msg that
    Huawei Cloud's API gateway adds (the SDK reads either)."""
    return JsonResponse({"error": {"code": code, "message": message}, "error_code": code, "error_msg": message},
                        status=status)


# Codes whose refusal is Glance's 413 (the image has as many members as it may have).
OVER_LIMIT = {"IMG.0088"}
# Codes whose refusal is Glance's 403 (allowed to see, not to do).
FORBIDDEN = {"IMG.0047", ConsoleCode.READ_ONLY}


def from_ims(error: IMSError) -> ApiError:
    """An IMSError as the API answers it: every problem named with its code, the status Glance would use."""
    problems = error.all_problems
    message = " ".join(f"{p.code}: {p.message}" if p.code.startswith("IMG.") else p.message for p in problems)
    codes = {p.code for p in problems}
    if codes & OVER_LIMIT:
        status = 413
    elif error.status in (403, 404, 409, 413):
        status = error.status
    elif codes & FORBIDDEN:
        status = 403
    elif error.status >= 500:
        status = 503
    else:
        status = 400
    code = next((p.code for p in problems if p.code.startswith("IMG.")), "")
    return ApiError(status, message, code)


# IMS's own routes answer in IMS's words; Keystone's in Keystone's; the rest of /v2 in Glance's.
IMS_PATHS = ("/v1/", "/v2/cloudimages")
API_PATHS = ("/v1/", "/v2/", "/v3/", "/api/")


def is_api(path: str) -> bool:
    return path.startswith(API_PATHS) or path in ("/v2", "/v3")


def refusal_for(path: str, status: int, message: str, code: str = "") -> JsonResponse:
    """In the words of the API a request was for: Keystone's, IMS's (with its code) or Glance's."""
    if path.startswith("/v3"):
        return keystone_error(status, message)
    if path.startswith(IMS_PATHS):
        return ims_error(status, code or ApiError(status, message).code, message)
    return glance_error(status, message)
