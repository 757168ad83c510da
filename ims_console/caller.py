"""Caller: who is acting, for which project. Every backend call takes one (ims_console.tenancy makes it)."""

from __future__ import annotations

from dataclasses import dataclass

from ims_console.ims_errors import IMSError


@dataclass(frozen=True)
class Caller:
    user_id: int | None  # None for the console's own commands (seed_demo, bench)
    username: str
    account_id: str
    project_id: str
    role: str
    source_ip: str = ""

    @property
    def can_write(self) -> bool:
        return self.role == "admin"

    def require_write(self) -> None:
        """Every write starts with this: a read-only role is refused (403) before anything is read or locked."""
        if not self.can_write:
            raise IMSError.read_only()
