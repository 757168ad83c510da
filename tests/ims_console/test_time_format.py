from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime

from django.utils import timezone

from ims_console.templatetags.ims import ims_datetime


def test_times_are_shown_in_the_users_zone_with_the_gmt_offset_as_ims_does():
    moment = datetime(2026, 11, 28, 15, 5, 12, tzinfo=UTC)
    with timezone.override(zoneinfo.ZoneInfo("Europe/Berlin")):
        assert ims_datetime(moment) == "2026-11-28 16:05:12 GMT+01:00"
    with timezone.override(zoneinfo.ZoneInfo("Asia/Kolkata")):
        assert ims_datetime(moment) == "2026-11-28 20:35:12 GMT+05:30"
    with timezone.override(zoneinfo.ZoneInfo("America/New_York")):
        assert ims_datetime(moment) == "2026-11-28 10:05:12 GMT-05:00"


def test_summer_time_changes_the_offset():
    with timezone.override(zoneinfo.ZoneInfo("Europe/Berlin")):
        assert ims_datetime(datetime(2026, 7, 1, 12, 0, 0, tzinfo=UTC)) == "2026-07-01 14:00:00 GMT+02:00"
