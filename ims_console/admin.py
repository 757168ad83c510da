"""Django's admin looks for an app's pages in its admin module: the console's are with their models."""

from ims_console.identity import admin  # noqa: F401
