"""get_backend(): the configured implementation of the IMS protocol (settings.IMS_BACKEND)."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from ims_console.backends.protocol import Backend


@cache
def _backend(name: str) -> Backend:
    if name == "embedded":
        from ims_console.backends.embedded.backend import EmbeddedBackend

        return EmbeddedBackend()
    if name == "openstack":
        from ims_console.backends.openstack.backend import OpenStackBackend

        return OpenStackBackend()
    raise ImproperlyConfigured(f"IMS_BACKEND={name!r} is not available; this version has 'embedded' and 'openstack'.")


def get_backend() -> Backend:
    return _backend(settings.IMS_BACKEND)
