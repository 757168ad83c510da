"""Caller: who is acting, for which project. Every backend call takes one (ims_console.identity.tenancy makes it)."""

from __future__ import annotations

from dataclasses import dataclass

from ims_console.core.errors import IMSError


@dataclass(frozen=True)
class Remote:
    """What a remote backend needs to act for the caller: a project-scoped token and the image service's URL
    (from the token's catalog, for the project's region). Never logged, never shown."""

    token: str
    image_url: str
    # The region of the caller's project (where its images can be shared).
    region: str = ""

    def __repr__(self) -> str:
        return f"Remote(image_url={self.image_url!r}, token=…)"


@dataclass(frozen=True)
class Caller:
    user_id: int | None  # None for the console's own commands (seed_demo, bench)
    username: str
    account_id: str
    project_id: str
    role: str
    source_ip: str = ""
    # OpenStack mode: the caller's token and image endpoint (None in embedded mode).
    remote: Remote | None = None

    @property
    def can_write(self) -> bool:
        return self.role == "admin"

    def require_write(self) -> None:
        """Every write starts with this: a read-only role is refused (403) before anything is read or locked."""
        if not self.can_write:
            raise IMSError.read_only()
