"""Task indexes whose columns another index starts with (or, for
task_board, that task_cards replaced): each was written on every insert
and most updates, and weighed by PostgreSQL's planner for every task
query, which chose none of them."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# The foreign keys' own indexes, as Django named them. Dropped with SQL:
# an AlterField remakes the table on SQLite, and with it would go the
# tallies' triggers (migrations 0013 and 0015).
FOREIGN_KEY_INDEXES = {
    "production_task_project_id_4ccdda8c": "project_id",
    "production_task_assignee_id_866c9a73": "assignee_id",
    "production_task_reviewer_id_0a6d4a42": "reviewer_id",
    "production_task_episode_id_60810c26": "episode_id",
}


class Migration(migrations.Migration):
    dependencies = [
        ("production", "0017_task_my_waiting"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(model_name="task", name="task_project_status"),
        migrations.RemoveIndex(model_name="task", name="task_project_due"),
        migrations.RemoveIndex(model_name="task", name="task_assignee_status"),
        migrations.RemoveIndex(model_name="task", name="task_board"),
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX "{name}"',
                    reverse_sql=f'CREATE INDEX "{name}" ON "production_task" ("{column}")',
                )
                for name, column in FOREIGN_KEY_INDEXES.items()
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="task",
                    name="project",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="tasks",
                        to="production.project",
                    ),
                ),
                migrations.AlterField(
                    model_name="task",
                    name="assignee",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="assigned_tasks",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="task",
                    name="reviewer",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        help_text="Approves the work; by default the assignee's supervisor.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="review_tasks",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="task",
                    name="episode",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="tasks",
                        to="production.episode",
                    ),
                ),
            ],
        ),
    ]
