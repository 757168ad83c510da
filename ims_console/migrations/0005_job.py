# Jobs become the console's own (images record them as well as sharing). The table stays where it is: only
# Django's idea of which app holds the model changes.

import django.db.models.deletion
from django.db import migrations, models

import ims_console.models


class Migration(migrations.Migration):
    dependencies = [
        ("ims_console", "0004_audit_jobs_and_vault_reservation"),
        ("sharing", "0005_member_index_for_shared_lists"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Job",
                    fields=[
                        ("id", models.CharField(default=ims_console.models.new_job_id, max_length=32, primary_key=True, serialize=False)),
                        ("job_type", models.CharField(choices=[("imsAddImageMembersJob", "Add Members"), ("imsUpdateImageMembersJob", "Update Members"), ("imsDelImageMembersJob", "Delete Members"), ("imsCopyImageInRegionJob", "Copy Image"), ("imsUpdateImageJob", "Update Image"), ("imsDeleteImagesJob", "Delete Images")], max_length=32)),
                        ("status", models.CharField(choices=[("INIT", "Init"), ("RUNNING", "Running"), ("SUCCESS", "Success"), ("FAIL", "Fail")], default="INIT", max_length=8)),
                        ("begin_time", models.DateTimeField()),
                        ("end_time", models.DateTimeField(blank=True, null=True)),
                        ("entities", models.JSONField(default=dict)),
                        ("error_code", models.CharField(blank=True, max_length=16)),
                        ("fail_reason", models.TextField(blank=True)),
                        ("project", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="jobs", to="ims_console.project")),
                    ],
                    options={"db_table": "sharing_job"},
                ),
            ],
        ),
    ]
