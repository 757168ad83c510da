"""The console's own APIs in embedded mode, for the official clients: Keystone v3 at /v3 (identity/api.py), Glance v2
at /v2 (images/api.py, sharing/api.py), composed here into one django-ninja site (site.py) that also serves their
OpenAPI description at /api/openapi.json."""
