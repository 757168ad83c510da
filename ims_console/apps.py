from __future__ import annotations

from django.apps import AppConfig


class ImsConsoleConfig(AppConfig):
    name = "ims_console"
    verbose_name = "Tenancy"
