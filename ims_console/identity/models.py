"""Who acts: accounts (IAM domains), their projects in regions, and which user belongs where.

The models of the ims_console app (ims_console/models.py gathers them), so their tables and migrations are the
app's."""

from __future__ import annotations

import uuid
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

hex32 = RegexValidator(r"^[0-9a-f]{32}\Z", _("Enter 32 lowercase hexadecimal characters."))


def new_hex_id() -> str:
    return uuid.uuid4().hex


def region_choices() -> list[tuple[str, str]]:
    return [(code, str(name)) for code, name in settings.IMS_REGIONS.items()]


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a known time zone.")


class Account(models.Model):
    id = models.CharField(primary_key=True, max_length=32, default=new_hex_id, validators=[hex32])
    name = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Project(models.Model):
    id = models.CharField(primary_key=True, max_length=32, default=new_hex_id, validators=[hex32])
    name = models.CharField(max_length=64)
    region = models.CharField(max_length=32, choices=region_choices)
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="projects")

    class Meta:
        ordering = ["region", "name"]
        constraints = [models.UniqueConstraint(fields=["account", "name"], name="project_name_unique_in_account")]

    def __str__(self) -> str:
        return f"{self.name} ({self.region})"

    @property
    def region_name(self) -> str:
        return str(settings.IMS_REGIONS.get(self.region, self.region))


class Membership(models.Model):
    """A console user belongs to exactly one account, as an administrator or read-only."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("Administrator")
        READONLY = "readonly", _("Read-only")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.READONLY)
    time_zone = models.CharField(
        max_length=64, default=settings.IMS_DEFAULT_TIME_ZONE, validators=[validate_time_zone]
    )

    def __str__(self) -> str:
        return f"{self.user} in {self.account} ({self.role})"


class ApiToken(models.Model):
    """A Keystone-style token of the console's own API (ims_console/identity/tokens.py). Only its SHA-256 is
    kept; it is scoped to one project of the user's account, or to none (unscoped: it can list the projects and
    get a scoped token). It dies when it expires, is revoked (the row is deleted), the user is deactivated, or the
    user's password changes (`password_stamp` no longer matches)."""

    digest = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, null=True, blank=True, related_name="api_tokens")
    password_stamp = models.CharField(max_length=64)
    audit_id = models.CharField(max_length=32, default=new_hex_id)
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["expires_at"], name="api_token_expiry")]

    def __str__(self) -> str:
        return f"token of {self.user_id} until {self.expires_at:%Y-%m-%d %H:%M}"


class AccessKey(models.Model):
    """An access key (AK/SK) of a user, for IMS's own API signed with SDK-HMAC-SHA256 (ims_console/api/signing.py).
    At most two per user, as IAM allows. The secret is needed to verify signatures, so it is kept encrypted with a
    key from the settings (ims_console/identity/access_keys.py), never in the clear and never logged."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        INACTIVE = "inactive", _("Inactive")

    id = models.CharField(primary_key=True, max_length=20, help_text="The access key ID (AK)")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_keys")
    description = models.CharField(max_length=255, blank=True)
    secret_encrypted = models.TextField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.id} of {self.user_id} ({self.status})"


class Profile(models.Model):
    """What a user chose for themselves and keeps in every browser: the console's language (blank: the browser's
    Accept-Language decides). Read once at login into the session (ims_console/web/language.py), not per request."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    language = models.CharField(max_length=16, blank=True, choices=settings.LANGUAGES)

    def __str__(self) -> str:
        return f"{self.user}: {self.language or 'browser language'}"
