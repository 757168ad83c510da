from __future__ import annotations

from django.apps import AppConfig


class ImsConsoleConfig(AppConfig):
    name = "ims_console"
    verbose_name = "Tenancy"

    def ready(self) -> None:
        from ims_console.identity import keystone  # noqa: F401 - connects the login and logout receivers
        from ims_console.web import language  # noqa: F401 - connects the receiver that restores the language at login
