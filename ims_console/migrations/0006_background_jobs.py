from django.db import migrations, models


class Migration(migrations.Migration):
    """Jobs name their project by ID, not by foreign key (OpenStack mode's projects are Keystone's, with no row
    here), and background jobs report their progress. The column keeps its name and data: only the foreign-key
    constraint goes."""

    dependencies = [
        ("ims_console", "0005_job"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterField(
                    model_name="job", name="project",
                    field=models.CharField(max_length=32, db_index=True, db_column="project_id"),
                ),
            ],
            state_operations=[
                migrations.RemoveField(model_name="job", name="project"),
                migrations.AddField(
                    model_name="job", name="project_id",
                    field=models.CharField(max_length=32, db_index=True, default=""), preserve_default=False,
                ),
            ],
        ),
        migrations.AddField(model_name="job", name="username", field=models.CharField(blank=True, max_length=150)),
        migrations.AddField(model_name="job", name="background", field=models.BooleanField(default=False)),
        migrations.AddField(model_name="job", name="total", field=models.PositiveIntegerField(default=0)),
        migrations.AddField(model_name="job", name="done", field=models.PositiveIntegerField(default=0)),
        migrations.AlterField(model_name="job", name="error_code", field=models.CharField(blank=True, max_length=32)),
        migrations.AddField(model_name="job", name="credential", field=models.JSONField(blank=True, default=dict)),
    ]
