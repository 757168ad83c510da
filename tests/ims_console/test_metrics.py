"""Prometheus metrics at /metrics: off by default, then only for the allowed addresses, without a login."""

from __future__ import annotations

import ipaddress
import re

import pytest
from django.test import Client
from django.utils import timezone

from ims_console.activity.models import Job


def _value(text: str, name: str, **labels: str) -> float:
    """The sample of metric `name` whose labels include `labels` (0 when there is none)."""
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line.split(" ")[0]))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


@pytest.fixture
def scraper(settings) -> Client:
    settings.IMS_METRICS = True
    return Client()


def test_metrics_are_off_by_default(client, db):
    assert client.get("/metrics").status_code == 404


def test_requests_their_time_and_their_queries_are_counted_by_view_and_status(owner, scraper):
    before = _value(scraper.get("/metrics").content.decode(), "ims_http_requests_total", view="images:private", status="200")
    owner.client.get("/images/")
    owner.client.get("/images/")
    owner.client.get("/images/00000000-0000-0000-0000-000000000000/")
    text = scraper.get("/metrics").content.decode()
    assert _value(text, "ims_http_requests_total", view="images:private", method="GET", status="200") == before + 2
    assert _value(text, "ims_http_requests_total", view="images:detail", status="404") >= 1
    assert _value(text, "ims_http_request_duration_seconds_count", view="images:private") >= 2
    assert _value(text, "ims_http_request_db_queries_sum", view="images:private") > 0


def test_background_jobs_are_counted_by_state_from_the_database(owner, scraper):
    now = timezone.now()
    for status, seconds in (("SUCCESS", 3), ("SUCCESS", 100), ("FAIL", 20), ("RUNNING", None)):
        Job.objects.create(job_type=Job.Type.ADD_MEMBERS, project_id=owner.project.pk, background=True, status=status,
                           begin_time=now - timezone.timedelta(seconds=seconds or 1),
                           end_time=now if seconds else None)
    Job.objects.create(job_type=Job.Type.ADD_MEMBERS, project_id=owner.project.pk, status="SUCCESS", begin_time=now,
                       end_time=now)  # not a background job
    text = scraper.get("/metrics").content.decode()
    assert _value(text, "ims_background_jobs", state="success") == 2
    assert (_value(text, "ims_background_jobs", state="fail"), _value(text, "ims_background_jobs", state="running")) == (1, 1)
    assert _value(text, "ims_background_job_duration_seconds_bucket", le="5.0") == 1
    assert _value(text, "ims_background_job_duration_seconds_bucket", le="60.0") == 2
    assert _value(text, "ims_background_job_duration_seconds_count") == 3
    assert _value(text, "ims_background_job_duration_seconds_sum") == pytest.approx(123, abs=1)


def test_an_address_outside_the_allowed_ranges_finds_no_metrics(scraper, settings, db):
    assert scraper.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 404
    settings.IMS_METRICS_ALLOW = [ipaddress.ip_network("10.0.0.0/8")]
    assert scraper.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert scraper.get("/metrics").status_code == 404  # 127.0.0.1 is no longer in the list


def test_metrics_answer_only_get_and_head(scraper, db):
    assert scraper.post("/metrics").status_code == 405
    assert scraper.head("/metrics").status_code == 200


def test_a_bad_address_range_is_refused_at_start_with_its_value(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from ims_console.core.env import env_networks

    monkeypatch.setenv("IMS_METRICS_ALLOW", "10.0.0.0/8, intranet")
    with pytest.raises(ImproperlyConfigured, match="'intranet' is not an address"):
        env_networks("IMS_METRICS_ALLOW", "127.0.0.1/32")
