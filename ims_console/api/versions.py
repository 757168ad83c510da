"""The version documents clients discover the APIs from: `GET /` (Keystone's list, which also names the image API's
v2, so that one address serves both discoveries), `GET /v3` (Keystone's v3) and `GET /v2` (Glance's versions)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, JsonResponse

IDENTITY_VERSION = "v3.14"
IMAGE_VERSIONS = ("v2.16", "v2.15", "v2.9", "v2.0")
UPDATED = "2026-10-01T00:00:00Z"


def base_url(request: HttpRequest) -> str:
    """The console's address as clients are to reach it: IMS_API_URL, else the address this request came to."""
    return settings.IMS_API_URL or request.build_absolute_uri("/").rstrip("/")


def identity_version(request: HttpRequest) -> dict:
    return {
        "id": IDENTITY_VERSION, "status": "stable", "updated": UPDATED,
        "links": [{"rel": "self", "href": f"{base_url(request)}/v3/"}],
        "media-types": [{"base": "application/json", "type": "application/vnd.openstack.identity-v3+json"}],
    }


def image_versions(request: HttpRequest) -> list[dict]:
    return [
        {"id": version, "status": "CURRENT" if n == 0 else "SUPPORTED",
         "links": [{"rel": "self", "href": f"{base_url(request)}/v2/"}]}
        for n, version in enumerate(IMAGE_VERSIONS)
    ]


def root(request: HttpRequest) -> JsonResponse:
    """Keystone answers `GET /` with 300 and its versions; the image API's are listed beside them (keystoneauth
    picks the entries of the major version it looks for, so openstacksdk finds both here)."""
    return JsonResponse({"versions": {"values": [identity_version(request), *image_versions(request)]}}, status=300)


def wants_json(request: HttpRequest) -> bool:
    """Clients discovering the API ask for JSON; browsers ask for HTML."""
    accept = request.headers.get("Accept", "")
    return "json" in accept and "text/html" not in accept


def identity(request: HttpRequest) -> JsonResponse:
    """`GET /v3`, without the slash, as Keystone answers it (keystoneauth discovers v3 here)."""
    return JsonResponse({"version": identity_version(request)})


def image(request: HttpRequest) -> JsonResponse:
    """`GET /v2`, as Glance answers its versions."""
    return JsonResponse({"versions": image_versions(request)})
