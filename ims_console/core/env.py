"""Reading settings from the environment: booleans, whole numbers and the checkout's own secret key, each refused
with the variable's name and value when it cannot be used."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use 1/0, true/false, yes/no or on/off.")


def env_int(name: str, default: int, *, minimum: int = 1) -> int:
    raw = os.environ.get(name, "")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r} must be at least {minimum}.")
    return value


def local_secret_key(path: Path) -> str:
    """A key generated once for this checkout and kept in a git-ignored file, so that `make run` needs no
    configuration and sessions survive a restart. Several workers may start at once: each writes a key to a private
    file of its own and links it into place, which only the first can do; so nobody reads a half-written key."""
    if not path.exists():
        draft = path.with_name(f"{path.name}.{os.getpid()}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(64) + "\n")
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another worker was first: use its key
        finally:
            draft.unlink()
    key = path.read_text().strip()
    if len(key) < 50:
        raise ImproperlyConfigured(f"{path} holds no usable secret key: delete it, or set DJANGO_SECRET_KEY.")
    return key


def cache_settings(redis_url: str) -> dict:
    """CACHES: Redis at `redis_url`, shared by every instance of a fleet, or without one each process's own memory
    (enough for one server, `make run`). Redis down does not stop the console: every cache operation then fails
    fast (connection refused, or the 0.25 s timeouts) and counts as a miss (django-redis's IGNORE_EXCEPTIONS, which
    Django's own Redis backend lacks), so pages are computed afresh, a little slower, until Redis is back."""
    if not redis_url:
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    if not re.fullmatch(r"(rediss?|unix)://\S+", redis_url):
        raise ImproperlyConfigured(f"REDIS_URL={redis_url!r} is not a Redis address such as redis://127.0.0.1:6379/0.")
    return {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": "ims",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.25, "SOCKET_TIMEOUT": 0.25, "IGNORE_EXCEPTIONS": True},
        }
    }


def env_networks(name: str, default: str) -> list:
    """A comma-separated list of addresses or networks (CIDR), each refused by name when it is not one."""
    import ipaddress

    raw = os.environ.get(name, "") or default
    networks = []
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ImproperlyConfigured(f"{name}: {part!r} is not an address or a network such as 10.0.0.0/8.") from None
    return networks
