"""IDs as they arrive from URLs and forms."""

from __future__ import annotations

import uuid


def parse_uuid(value: object) -> uuid.UUID | None:
    """A UUID, or None for anything that is not one: a malformed ID names nothing (and is never an error 500)."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None
