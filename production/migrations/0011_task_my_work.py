from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("production", "0010_task_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="task",
            index=models.Index(
                fields=[
                    "assignee",
                    "status",
                    "archived",
                    "due_date",
                    "-priority",
                    "key",
                ],
                name="task_my_work",
            ),
        ),
        # task_review starts with task_reviewer_status's columns.
        migrations.RemoveIndex(
            model_name="task",
            name="task_reviewer_status",
        ),
        migrations.AddIndex(
            model_name="task",
            index=models.Index(
                fields=[
                    "reviewer",
                    "status",
                    "archived",
                    "project",
                    "status_changed_at",
                ],
                name="task_review",
            ),
        ),
        migrations.AddIndex(
            model_name="task",
            index=models.Index(
                fields=["project", "status", "archived", "created_at"],
                name="task_pitches",
            ),
        ),
    ]
