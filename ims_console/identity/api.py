"""Keystone v3, the subset the official clients need to log in (embedded mode): the version document, tokens
(issue with the password or token method, scoped to a project by ID or by name and domain, or unscoped; validate;
revoke) and the user's projects.

Accounts are Keystone's domains; users log in with their console user name and password, through Django's
authenticate(), so that wrong passwords count towards the console's login throttling (django-axes) as on the login
page. Roles: an administrator gets `member` and `reader`, a read-only user `reader`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Body, Router

from ims_console.api.auth import token_auth, token_of
from ims_console.api.errors import ApiError
from ims_console.api.versions import base_url, identity_version
from ims_console.identity import tokens
from ims_console.identity.models import ApiToken, Membership, Project

router = Router(tags=["Identity (Keystone v3)"])

ROLE_IDS = {"reader": "7a1e0f3c9d2b4e6f8a0b1c2d3e4f5a6b", "member": "9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f"}
NO_PROJECT = "The request you have made requires authentication: no such project for this user."


def roles_of(membership: Membership) -> list[dict]:
    names = ["member", "reader"] if membership.role == Membership.Role.ADMIN else ["reader"]
    return [{"id": ROLE_IDS[n], "name": n} for n in names]


def catalog(request: HttpRequest) -> list[dict]:
    """An image endpoint for each region, and the identity endpoint, all pointing at the console itself."""
    url = base_url(request)

    def endpoints(service: str, address: str) -> list[dict]:
        return [
            {"id": f"{service}-{region}-{interface}", "interface": interface, "region": region, "region_id": region,
             "url": address}
            for region in settings.IMS_REGIONS for interface in ("public", "internal", "admin")
        ]

    return [
        {"id": "image", "type": "image", "name": "glance", "endpoints": endpoints("image", url)},
        {"id": "identity", "type": "identity", "name": "keystone", "endpoints": endpoints("identity", f"{url}/v3")},
    ]


def domain_of(membership: Membership) -> dict:
    return {"id": membership.account.pk, "name": membership.account.name}


def project_body(project: Project, request: HttpRequest) -> dict:
    return {
        "id": project.pk, "name": project.name, "domain_id": project.account_id, "parent_id": project.account_id,
        "enabled": True, "is_domain": False, "description": "", "tags": [],
        "links": {"self": f"{base_url(request)}/v3/projects/{project.pk}"},
    }


def token_body(request: HttpRequest, token: ApiToken, methods: list[str]) -> dict:
    user: User = token.user
    membership = user.membership
    body: dict[str, Any] = {
        "methods": methods,
        "user": {"id": str(user.pk), "name": user.get_username(), "domain": domain_of(membership),
                 "password_expires_at": None},
        "audit_ids": [token.audit_id],
        "issued_at": token.issued_at.isoformat().replace("+00:00", "Z"),
        "expires_at": token.expires_at.isoformat().replace("+00:00", "Z"),
    }
    if token.project is not None:
        body["project"] = {"id": token.project.pk, "name": token.project.name, "domain": domain_of(membership)}
        body["roles"] = roles_of(membership)
        body["catalog"] = catalog(request)
    return {"token": body}


def _dict(value: Any, where: str) -> dict:
    if not isinstance(value, dict):
        raise ApiError(400, f"Expecting to find {where} in the request body: it is missing or not an object.")
    return value


def _domain_matches(domain: Any, membership: Membership) -> bool:
    if domain is None:
        return True
    domain = _dict(domain, "domain")
    if "id" in domain:
        return domain["id"] == membership.account.pk
    if "name" in domain:
        return domain["name"] == membership.account.name
    raise ApiError(400, "Expecting to find id or name in domain.")


def _user_by_password(request: HttpRequest, password: dict) -> User:
    user_ref = _dict(password.get("user"), "password.user")
    secret = user_ref.get("password")
    name = user_ref.get("name")
    if not isinstance(secret, str) or not secret:
        raise ApiError(400, "Expecting to find password in user.")
    if "id" in user_ref and not name:
        name = tokens.user_name_of(str(user_ref["id"])) or f"#{user_ref['id']}"
    if not isinstance(name, str) or not name:
        raise ApiError(400, "Expecting to find name or id in user.")
    # Through Django's authentication, so that a wrong password counts towards django-axes' throttling.
    user = authenticate(request, username=name, password=secret)
    if not isinstance(user, User) or not hasattr(user, "membership"):
        raise ApiError(401, "The request you have made requires authentication.")
    if not _domain_matches(user_ref.get("domain"), user.membership):
        raise ApiError(401, "The request you have made requires authentication.")
    return user


def _scope_project(scope: Any, user: User) -> Project | None:
    if scope is None or scope == "unscoped":
        return None
    scope = _dict(scope, "scope")
    if "project" not in scope:
        raise ApiError(400, "Only project scope is offered: give scope.project with an id, or a name and a domain.")
    ref = _dict(scope["project"], "scope.project")
    account_id = user.membership.account_id
    if "id" in ref:
        project = tokens.project_of(account_id, project_id=str(ref["id"]))
    elif "name" in ref:
        if not _domain_matches(ref.get("domain"), user.membership) or "domain" not in ref:
            raise ApiError(401, NO_PROJECT)
        project = tokens.project_of(account_id, name=str(ref["name"]))
    else:
        raise ApiError(400, "Expecting to find id or name in scope.project.")
    if project is None:
        raise ApiError(401, NO_PROJECT)
    return project


@router.post("/auth/tokens", response={201: dict, 400: dict, 401: dict}, summary="Issue a token")
def token_issue(request: HttpRequest, payload: dict = Body(...)) -> HttpResponse:  # noqa: B008
    """Password or token method; scoped by project ID, or name and domain; without scope, unscoped."""
    auth = _dict(payload.get("auth"), "auth")
    identity = _dict(auth.get("identity"), "auth.identity")
    methods = identity.get("methods")
    if not isinstance(methods, list) or not methods:
        raise ApiError(400, "Expecting to find methods in auth.identity.")
    if "password" in methods:
        user = _user_by_password(request, _dict(identity.get("password"), "auth.identity.password"))
    elif "token" in methods:
        ref = _dict(identity.get("token"), "auth.identity.token")
        existing = tokens.valid(str(ref.get("id", "")))
        if existing is None:
            raise ApiError(401, "The request you have made requires authentication.")
        user = existing.user
    else:
        raise ApiError(401, f"Unsupported authentication method: {', '.join(map(str, methods))}.")
    issued = tokens.issue(user, _scope_project(auth.get("scope"), user))
    response = JsonResponse(token_body(request, issued.token, [m for m in methods if m in ("password", "token")]),
                            status=201)
    response["X-Subject-Token"] = issued.raw
    return response


def _subject(request: HttpRequest) -> tuple[str, ApiToken]:
    token_of(request)
    raw = request.headers.get("X-Subject-Token", "")
    subject = tokens.valid(raw)
    if subject is None:
        raise ApiError(404, "Could not find token.")
    return raw, subject


@router.get("/auth/tokens", auth=token_auth, response={200: dict, 401: dict, 404: dict}, summary="Validate a token")
def token_validate(request: HttpRequest) -> HttpResponse:
    """The token in X-Subject-Token, as it was issued; 404 if it is unknown, expired or revoked."""
    raw, subject = _subject(request)
    response = JsonResponse(token_body(request, subject, ["password"]))
    response["X-Subject-Token"] = raw
    return response


@router.delete("/auth/tokens", auth=token_auth, response={204: None, 401: dict, 404: dict}, summary="Revoke a token")
def token_revoke(request: HttpRequest) -> HttpResponse:
    raw, _ = _subject(request)
    tokens.revoke(raw)
    return HttpResponse(status=204)


@router.get("/auth/projects", auth=token_auth, response={200: dict, 401: dict}, summary="The user's projects")
def projects_list(request: HttpRequest) -> JsonResponse:
    token = token_of(request)
    projects = tokens.projects_of(token.user.membership.account_id)
    return JsonResponse({
        "projects": [project_body(p, request) for p in projects],
        "links": {"self": f"{base_url(request)}/v3/auth/projects", "previous": None, "next": None},
    })


FORBIDDEN = "You are not authorized to perform the requested action: identity:{}."


@router.get("/projects/{project_id}", auth=token_auth, response={200: dict, 401: dict, 403: dict},
            summary="A project of the user's account")
def project_show(request: HttpRequest, project_id: str) -> JsonResponse:
    """As Keystone's policy has it for a user without a system role: one's own account's projects; any other is
    403 (so a client such as `openstack image add project` goes on with the ID it was given)."""
    token = token_of(request)
    project = tokens.project_of(token.user.membership.account_id, project_id=project_id)
    if project is None:
        raise ApiError(403, FORBIDDEN.format("get_project"))
    return JsonResponse({"project": project_body(project, request)})


@router.get("/projects", auth=token_auth, response={401: dict, 403: dict}, summary="All projects (refused)")
def projects_all(request: HttpRequest) -> JsonResponse:
    """Listing every project needs a system role, which no console user has: 403, as Keystone answers."""
    token_of(request)
    raise ApiError(403, FORBIDDEN.format("list_projects"))


@router.get("/", response={200: dict}, summary="Keystone v3's version document", auth=None)
def version(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"version": identity_version(request)})
