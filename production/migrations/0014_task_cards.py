import django.db.models.lookups
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("production", "0013_task_tally"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="task",
            index=models.Index(
                models.F("project"),
                models.F("status"),
                models.F("archived"),
                models.OrderBy(models.F("priority"), descending=True),
                django.db.models.lookups.IsNull(models.F("due_date"), True),
                models.F("due_date"),
                models.F("number"),
                name="task_cards",
            ),
        ),
    ]
