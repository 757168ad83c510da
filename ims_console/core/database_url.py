"""Turn DATABASE_URL into Django's DATABASES entry, refusing anything it cannot use."""

from __future__ import annotations

from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

EXAMPLES = "sqlite:///db.sqlite3, sqlite:////abs/path.db or postgres://user:password@host:5432/name"


def _refuse(url: str, why: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"DATABASE_URL={url!r} is not usable: {why}. Examples: {EXAMPLES}.")


def parse_database_url(url: str) -> dict:
    """Return a DATABASES["default"] dict for a sqlite:// or postgres:// URL."""
    parts = urlsplit(url.strip())
    if parts.scheme == "sqlite":
        if parts.netloc:
            raise _refuse(url, "a SQLite URL has no host; use three slashes before a relative path")
        name = unquote(parts.path[1:]) if parts.path.startswith("/") else ""
        if not name:
            raise _refuse(url, "it names no database file")
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": name}
    if parts.scheme in ("postgres", "postgresql"):
        name = unquote(parts.path.lstrip("/"))
        if not parts.hostname:
            raise _refuse(url, "it names no host")
        if not name:
            raise _refuse(url, "it names no database")
        try:
            port = parts.port
        except ValueError:
            raise _refuse(url, "the port is not a number from 1 to 65535") from None
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname,
            "PORT": port or "",
            "OPTIONS": dict(parse_qsl(parts.query)),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
        }
    if not parts.scheme:
        raise _refuse(url, "it has no scheme")
    raise _refuse(url, f"the scheme {parts.scheme!r} is not supported (only sqlite and postgres are)")
