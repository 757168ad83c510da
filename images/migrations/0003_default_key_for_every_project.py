# The default key ims/default is now made with its project (images.apps); projects made before get theirs here,
# so that the KMS Keys page no longer creates it on a GET.

import uuid

from django.db import migrations
from django.utils import timezone


def default_keys(apps, schema_editor):
    Project = apps.get_model("ims_console", "Project")
    Key = apps.get_model("images", "Key")
    having = set(Key.objects.filter(alias="ims/default").values_list("project_id", flat=True))
    Key.objects.bulk_create(
        Key(id=uuid.uuid4(), project_id=pk, alias="ims/default", is_default=True, state="enabled", created_at=timezone.now())
        for pk in Project.objects.exclude(pk__in=having).values_list("pk", flat=True)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("images", "0002_full_ecs_index"),
        ("ims_console", "0005_job"),
    ]

    operations = [migrations.RunPython(default_keys, migrations.RunPython.noop)]
