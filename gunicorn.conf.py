"""gunicorn reads this file from the directory it starts in: with IMS_LOG_FORMAT=json its own lines (start, stop,
a worker that timed out) are JSON objects like the console's, so that a fleet's log is one format."""

import os

if os.environ.get("IMS_LOG_FORMAT", "text").strip().lower() == "json":
    from ims_console.core.logs import logging_config

    logconfig_dict = logging_config("json", os.environ.get("DJANGO_LOG_LEVEL", "INFO"))
