"""The logging set-up, for Django's settings and for gunicorn's own (gunicorn.conf.py): text for a terminal, or with
IMS_LOG_FORMAT=json one JSON object a line (python-json-logger's formatter on the standard library's logging), each
record with its request's ID (ims_console/web/observe.py). Imports nothing of Django, so gunicorn's master may use it."""

from __future__ import annotations


def logging_config(log_format: str, level: str) -> dict:
    """LOGGING for settings: text (the default, for a terminal) or json (production: one object a line)."""
    formatter = (
        {"()": "pythonjsonlogger.json.JsonFormatter", "timestamp": "time", "rename_fields": {"levelname": "level", "name": "logger"},
         "fmt": "%(levelname)s %(name)s %(message)s %(request_id)s"}
        if log_format == "json" else {"format": "%(message)s"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "one_line_refusals": {"()": "ims_console.web.middleware.OneLineRefusals"},
            "request_id": {"()": "ims_console.web.observe.RequestIdFilter"},
        },
        "formatters": {"console": formatter},
        "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["one_line_refusals", "request_id"],
                                 "formatter": "console"}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # django-axes reports every successful login at INFO; lockouts come at WARNING.
            "axes": {"level": "WARNING"},
            # An access line per request in JSON (for the log pipeline); in a terminal, runserver and gunicorn
            # print their own.
            "ims.access": {"level": "INFO" if log_format == "json" else "WARNING"},
            # gunicorn's own lines (gunicorn.conf.py): through the same handler, so in the same format; its access
            # lines are left out, ims.access has each request with its ID.
            "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
            "gunicorn.access": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        },
    }
