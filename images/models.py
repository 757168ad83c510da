"""Private images and the KMS keys that encrypt them."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from ims_console.core.vocabulary import (
    BACKUP_SOURCE_LABELS,
    IMAGE_TYPE_LABELS,
    STATUS_LABELS,
    BackupSource,
    ImageStatus,
    ImageType,
    OSType,
    Visibility,
)
from ims_console.identity.models import Account, Project

DEFAULT_KEY_ALIAS = "ims/default"


class Key(models.Model):
    """A KMS key of a project: the default key `ims/default` or a custom key."""

    class State(models.TextChoices):
        ENABLED = "enabled", "Enabled"
        DISABLED = "disabled", "Disabled"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="keys")
    alias = models.CharField(max_length=255)
    is_default = models.BooleanField(default=False)
    state = models.CharField(max_length=16, choices=State.choices, default=State.ENABLED)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["alias"]
        constraints = [models.UniqueConstraint(fields=["project", "alias"], name="key_alias_unique_in_project")]

    def __str__(self) -> str:
        return self.alias


class KeyGrant(models.Model):
    """A key granted to another account (KMS grant), which lets that account's projects use images it encrypts."""

    # What sharing needs granted (S9): Decrypt Data Key and Describe Key. Every grant the console makes has these.
    OPERATIONS = ["decrypt-datakey", "describe-key"]

    key = models.ForeignKey(Key, on_delete=models.CASCADE, related_name="grants")
    grantee_account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="key_grants")
    operations = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "grantee_account"], name="one_grant_per_key_and_account")]

    def __str__(self) -> str:
        return f"{self.key} -> {self.grantee_account}"


class Image(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="images")
    name = models.CharField(max_length=128)
    description = models.TextField(max_length=1024, blank=True)
    status = models.CharField(
        max_length=16, choices=[(s.value, STATUS_LABELS[s]) for s in ImageStatus], default=ImageStatus.ACTIVE
    )
    visibility = models.CharField(
        max_length=16, choices=[(v.value, v.value) for v in Visibility], default=Visibility.PRIVATE
    )
    image_type = models.CharField(max_length=16, choices=[(t.value, IMAGE_TYPE_LABELS[t]) for t in ImageType])
    os_type = models.CharField(max_length=16, choices=[(o.value, o.value) for o in OSType])
    os_version = models.CharField(max_length=255, blank=True)
    disk_format = models.CharField(max_length=16, default="zvhd2")
    # What Glance reports of an image's data: its container, the file's name in the storage (images uploaded
    # through the API, ims_console.api), its MD5 checksum and SHA-512 hash. Images made otherwise have none.
    container_format = models.CharField(max_length=16, db_default="bare", default="bare")
    file = models.CharField(max_length=255, db_default="", default="", blank=True)
    checksum = models.CharField(max_length=32, db_default="", default="", blank=True)
    os_hash_value = models.CharField(max_length=128, db_default="", default="", blank=True)
    # Glance's additional properties that clients set (openstacksdk records the file's hashes as
    # owner_specified.openstack.*): kept and returned as given, never interpreted.
    properties = models.JSONField(db_default={}, default=dict, blank=True)
    min_disk = models.PositiveIntegerField(help_text="Disk capacity in GB")
    size = models.PositiveBigIntegerField(default=0, help_text="Image file size in bytes")
    key = models.ForeignKey(Key, on_delete=models.PROTECT, null=True, blank=True, related_name="images")
    backup_source = models.CharField(
        max_length=8, blank=True, choices=[(b.value, BACKUP_SOURCE_LABELS[b] or "none") for b in BackupSource]
    )
    tags = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["project", "created_at", "id"], name="image_project_created"),
            models.Index(fields=["project", "name", "id"], name="image_project_name"),
            # Accept All asks whether any pending share is a full-ECS image: few are, so they are found from here.
            models.Index(fields=["id"], condition=models.Q(image_type=ImageType.FULL_ECS), name="image_full_ecs"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(image_type=ImageType.FULL_ECS) | ~models.Q(backup_source=""),
                name="full_ecs_image_has_backup_source",
            ),
        ]

    def __str__(self) -> str:
        return self.name
