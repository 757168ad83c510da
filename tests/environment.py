"""Loaded by pytest before Django's settings (pyproject's `-p tests.environment`): the test server speaks plain
HTTP, as `make run` does, so HTTPS-only settings (redirects, secure cookies) stay off."""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_HTTPS", "0")
# pytest-playwright runs an event loop in the test thread; Django's database set-up must still work there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# The suite's own process keeps its cache in memory whatever the shell says: tests that need Redis start their own
# server and hand its address to the processes they start (tests/fleet.py).
os.environ.pop("REDIS_URL", None)
