# Jobs are ims_console.Job now (same table, see ims_console 0005): the sharing app lets go of the model.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("sharing", "0005_member_index_for_shared_lists"),
        ("ims_console", "0005_job"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="Job")]),
    ]
