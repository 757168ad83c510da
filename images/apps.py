from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_save


def _default_key_with_the_project(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    """Every project has its default key ims/default from the moment it exists, so that reading the KMS Keys
    page never has to write (projects made with bulk_create get theirs from images.services.create_default_key)."""
    if created and not raw:
        from images.services import create_default_key

        create_default_key(instance)


class ImagesConfig(AppConfig):
    name = "images"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from ims_console.identity.models import Project

        post_save.connect(_default_key_with_the_project, sender=Project, dispatch_uid="images.default_key")
