from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("production", "0011_task_my_work"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="task",
            index=models.Index(
                fields=["project", "due_date", "id", "archived", "status", "assignee"],
                name="task_calendar",
            ),
        ),
        migrations.AddIndex(
            model_name="task",
            index=models.Index(
                fields=["assignee", "due_date", "id", "project", "archived", "status"],
                name="task_my_calendar",
            ),
        ),
        migrations.AddIndex(
            model_name="task",
            index=models.Index(
                fields=[
                    "project",
                    "starts_at",
                    "kind",
                    "archived",
                    "status",
                    "due_date",
                    "assignee",
                ],
                name="task_calendar_slot",
            ),
        ),
    ]
