"""Image members (who an image is shared with, and in what status) and the vaults accepted full-ECS images go to."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from images.models import Image
from ims_console.identity.models import Project


class Vault(models.Model):
    """A CBR vault of a project. Accepting a full-ECS image stores its backup in a server-backup vault (R4)."""

    class ProtectionType(models.TextChoices):
        BACKUP = "backup", _("Backup")
        REPLICATION = "replication", _("Replication")

    class ResourceType(models.TextChoices):
        SERVER = "server", _("Cloud server backup")
        DISK = "disk", _("Cloud disk backup")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="vaults")
    name = models.CharField(max_length=64)
    protection_type = models.CharField(max_length=16, choices=ProtectionType.choices, default=ProtectionType.BACKUP)
    resource_type = models.CharField(max_length=16, choices=ResourceType.choices, default=ResourceType.SERVER)
    capacity_gb = models.PositiveIntegerField()
    used_gb = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["name"]
        constraints = [models.CheckConstraint(condition=Q(used_gb__lte=F("capacity_gb")), name="vault_used_within_capacity")]

    def __str__(self) -> str:
        return self.name


class ImageMember(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    image = models.ForeignKey(Image, on_delete=models.CASCADE, related_name="members")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships_received")
    # The image's owner, copied here so that the database itself can refuse a share with oneself.
    owner_project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships_granted")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    # The vault a full-ECS image's backup went to when it was accepted (R4).
    vault = models.ForeignKey(Vault, on_delete=models.SET_NULL, null=True, blank=True, related_name="members")
    # The space its backup holds in that vault while accepted, given back when it is rejected or ends.
    reserved_gb = models.PositiveIntegerField(db_default=0)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    # When the share ends by itself (set by the owner when sharing; None: until the owner stops sharing). The task
    # worker ends it then (sharing.tasks).
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["image", "project"], name="one_member_per_image_and_project"),
            models.CheckConstraint(condition=~Q(project=F("owner_project")), name="member_is_not_the_owner"),
        ]
        indexes = [
            # The shared lists: a project's shares in one status, newest first (and their count).
            models.Index(fields=["project", "status", "created_at", "image"], name="member_project_status_time"),
            # The shares due to end (only those with an expiry are in this index).
            models.Index(fields=["expires_at"], name="member_expiry", condition=Q(expires_at__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.image_id} -> {self.project_id} ({self.status})"
