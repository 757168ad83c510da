"""Who an API request acts as: the Keystone-style token in X-Auth-Token (ims_console/identity/tokens.py), checked
with one indexed query, and the Caller the services are given, as a page's request gives one."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import APIKeyHeader

from ims_console.api.errors import ApiError
from ims_console.api.signing import Signed, signature_auth
from ims_console.identity import tokens
from ims_console.identity.caller import Caller
from ims_console.identity.models import ApiToken
from ims_console.identity.tenancy import client_ip


class TokenAuth(APIKeyHeader):
    """X-Auth-Token, as Keystone and Glance take it. A missing, unknown, expired or revoked token is 401."""

    param_name = "X-Auth-Token"

    def authenticate(self, request: HttpRequest, key: str | None) -> ApiToken | None:
        return tokens.valid(key or "")


token_auth = TokenAuth()


def token_of(request: HttpRequest) -> ApiToken:
    token = getattr(request, "auth", None)
    if not isinstance(token, ApiToken):
        raise ApiError(401, "The request you have made requires authentication.")
    return token


def caller_of(request: HttpRequest) -> Caller:
    """The caller of an image API request: the token's user in the token's project, or the access key's user in
    the project the signed request names (ims_console/api/signing.py)."""
    principal = getattr(request, "auth", None)
    if isinstance(principal, Signed):
        return Caller(user_id=principal.user_id, username=principal.username, account_id=principal.account_id,
                      project_id=principal.project_id, role=principal.role, source_ip=client_ip(request))  # type: ignore[arg-type]
    token = token_of(request)
    if token.project is None:
        raise ApiError(401, "This token is not scoped to a project: ask for a project-scoped token for the image API.")
    membership = token.user.membership
    return Caller(
        user_id=token.user.pk, username=token.user.get_username(), account_id=membership.account_id,
        project_id=token.project.pk, role=membership.role, source_ip=client_ip(request),  # type: ignore[arg-type]
    )


# The image routes take either: a Keystone token, or a request signed with an access key (IMS's own API).
image_auth = [token_auth, signature_auth]
