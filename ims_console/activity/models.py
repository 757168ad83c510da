"""The audit trail: IMS's asynchronous jobs with their per-item results, and CTS-style traces of who did what.

The models of the ims_console app (ims_console/models.py gathers them), so their tables and migrations are the
app's."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from ims_console.web.observe import current_request_id


class Trace(models.Model):
    """An audit record in the manner of a CTS trace: who did what to which resource, from where, with what result."""

    class Name(models.TextChoices):
        ADD_MEMBER = "addMember"
        DELETE_MEMBER = "deleteMember"
        UPDATE_MEMBER = "updateMember"
        COPY_IMAGE = "copyImage"
        UPDATE_IMAGE = "updateImage"
        DELETE_IMAGE = "deleteImage"
        CREATE_KEY = "createKey"
        UPDATE_KEY = "updateKeyState"
        CREATE_GRANT = "createGrant"
        REVOKE_GRANT = "revokeGrant"
        CREATE_ACCESS_KEY = "createAccessKey"
        UPDATE_ACCESS_KEY = "updateAccessKey"
        DELETE_ACCESS_KEY = "deleteAccessKey"

    name = models.CharField(max_length=32, choices=Name.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    username = models.CharField(max_length=150)
    project_id = models.CharField(max_length=32, help_text="The project the user acted in")
    resource_type = models.CharField(max_length=32, default="image")
    resource_id = models.CharField(max_length=64)
    member_project_id = models.CharField(max_length=32, blank=True)
    source_ip = models.GenericIPAddressField(null=True, blank=True)
    result = models.CharField(max_length=64)
    job_id = models.CharField(max_length=32, blank=True)
    time = models.DateTimeField()

    class Meta:
        ordering = ["-time", "-id"]
        indexes = [
            models.Index(fields=["project_id", "time"], name="trace_project_time"),
            # An image's Activity tab, and the Activity page's image filter.
            models.Index(fields=["resource_id", "time"], name="trace_resource_time"),
            # A job's traces (where it was started from).
            models.Index(fields=["job_id"], name="trace_job"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.resource_id} -> {self.member_project_id}: {self.result}"


def new_job_id() -> str:
    return uuid.uuid4().hex


class Job(models.Model):
    """An IMS asynchronous job. The console validates first, so a job it starts succeeds or fails whole."""

    class Type(models.TextChoices):
        ADD_MEMBERS = "imsAddImageMembersJob"
        UPDATE_MEMBERS = "imsUpdateImageMembersJob"
        DELETE_MEMBERS = "imsDelImageMembersJob"
        COPY_IMAGE = "imsCopyImageInRegionJob"
        UPDATE_IMAGE = "imsUpdateImageJob"
        DELETE_IMAGES = "imsDeleteImagesJob"
        # The console's own (IAM's in the real cloud): a user's access keys, so that Activity shows them.
        CREATE_ACCESS_KEY = "createAccessKey"
        UPDATE_ACCESS_KEY = "updateAccessKey"
        DELETE_ACCESS_KEY = "deleteAccessKey"

    class Status(models.TextChoices):
        INIT = "INIT"
        RUNNING = "RUNNING"
        SUCCESS = "SUCCESS"
        FAIL = "FAIL"

    id = models.CharField(primary_key=True, max_length=32, default=new_job_id)
    job_type = models.CharField(max_length=32, choices=Type.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.INIT)
    # The project the job acted in: a console project, or in OpenStack mode a Keystone project the console has
    # no row for (so not a foreign key, as for traces).
    project_id = models.CharField(max_length=32, db_index=True)
    username = models.CharField(max_length=150, blank=True)
    # The request that started it (X-Request-ID, in the console's log lines too): ims_console/web/observe.py.
    request_id = models.CharField(max_length=64, blank=True, default=current_request_id)
    # A background job (OpenStack mode, large submissions): run by the task worker, which reports its progress
    # in `done` of `total` pairs. Jobs the console runs within the request are not background jobs.
    background = models.BooleanField(default=False)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    # When the worker running a background job last said it was alive (with its progress, and between the steps
    # that make none). A running job not heard of for long had its worker killed: see openstack_jobs.stalled.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # What the worker needs to act for the user (the project-scoped token and image endpoint, as in the session);
    # emptied when the job ends, never shown or logged.
    credential = models.JSONField(default=dict, blank=True)
    begin_time = models.DateTimeField()
    end_time = models.DateTimeField(null=True, blank=True)
    # {"results": [{"image_id", "project_id", "status"}]}, as IMS reports them.
    entities = models.JSONField(default=dict)
    # What the Activity list shows of the results, without reading them (ims_console.activity.audit.summarize).
    summary = models.JSONField(default=dict)
    error_code = models.CharField(max_length=32, blank=True)
    fail_reason = models.TextField(blank=True)

    class Meta:
        # Created by the sharing app before jobs became the console's own (images record them too).
        db_table = "sharing_job"
        # The Activity page: a project's jobs newest first, a page at a time.
        indexes = [models.Index(fields=["project_id", "begin_time", "id"], name="job_project_time")]

    def __str__(self) -> str:
        return f"{self.job_type} {self.id} {self.status}"
