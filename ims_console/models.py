"""The ims_console app's models, which live with the part of the console they belong to: identity (accounts,
projects, memberships) and activity (jobs, traces). Gathered here for Django, which looks for an app's models in
its models module; the names the migrations refer to (new_hex_id, new_job_id, ...) stay importable from here."""

from __future__ import annotations

from ims_console.activity.models import Job, Trace, new_job_id
from ims_console.identity.models import (
    AccessKey,
    Account,
    ApiToken,
    Membership,
    Profile,
    Project,
    hex32,
    new_hex_id,
    region_choices,
    validate_time_zone,
)

__all__ = [
    "AccessKey", "Account", "ApiToken", "Job", "Membership", "Profile", "Project", "Trace", "hex32", "new_hex_id", "new_job_id", "region_choices",
    "validate_time_zone",
]
