"""The load test's clients (ims_console/management/commands/stress.py): demo users' browsers logged in through the
login form, and the tally of what they were answered."""

from __future__ import annotations

import itertools
import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import requests
from django.core.management.base import CommandError
from requests import Response

from ims_console.management.commands.seed_demo import DEMO_PASSWORD

HTMX = {"HX-Request": "true", "HX-Target": "modal"}
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Tally:
    requests: int = 0
    by_status: Counter = field(default_factory=Counter)
    by_action: Counter = field(default_factory=Counter)
    by_base: Counter = field(default_factory=Counter)
    done: Counter = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, action: str, response: Response) -> None:
        with self.lock:
            self.requests += 1
            self.by_status[response.status_code] += 1
            self.by_action[action] += 1
            self.by_base["http://" + urlsplit(response.url).netloc] += 1
            # A dialog write that took effect answers with HX-Trigger; one refused whole re-renders the dialog.
            if "HX-Trigger" in response.headers or response.status_code == 302:
                self.done[action] += 1
            if response.status_code >= 500:
                self.server_errors.append(f"{action} -> {response.status_code}")


class Session:
    """One browser of one demo user, logged in through the login form. Given several instances (a fleet), each
    request goes to the next one, the same cookies to all: a load balancer without stickiness."""

    def __init__(self, bases: list[str], username: str) -> None:
        base = bases[0]
        self.bases = itertools.cycle(bases)
        self.http = requests.Session()
        page = self.http.get(f"{base}/login/", timeout=30)
        found = CSRF.search(page.text)
        if found is None:
            raise CommandError(f"The login page of {base} has no CSRF token.")
        token = found.group(1)
        response = self.http.post(
            f"{base}/login/", data={"username": username, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token},
            timeout=30, allow_redirects=False,
        )
        if response.status_code != 302:
            raise CommandError(f"{username} could not log in: HTTP {response.status_code}")

    def post(self, path: str, data: dict, *, htmx: bool = True) -> requests.Response:
        headers = {"X-CSRFToken": self.http.cookies["csrftoken"], **(HTMX if htmx else {})}
        return self.http.post(f"{next(self.bases)}{path}", data=data, headers=headers, timeout=60, allow_redirects=False)

    def get(self, url: str) -> requests.Response:
        return self.http.get(url, timeout=60)


def turned(bases: list[str], n: int) -> list[str]:
    """The instances starting with the n-th: sessions begin on different instances."""
    return bases[n % len(bases):] + bases[: n % len(bases)]
