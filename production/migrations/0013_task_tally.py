"""Task tallies kept by triggers on the task table, and filled from the
tasks there are.

The triggers, not the application, keep the tallies so that every write
counts: the services, the admin, bulk_create, QuerySet.update, deletes and
cascades alike. An unarchived task counts once, in the row of its
production, assignee, reviewer (0 for nobody) and status; an update that
changes none of those (or the archived flag) touches no tally, so most
saves cost nothing more. Rows that fall to 0 stay.

On SQLite, a later migration that remakes the task table (Django does for
most AlterField and RemoveField there) drops its triggers with the old
table: it must run this migration's reverse and forward functions around
its change (tests/test_tallies.py fails otherwise).
"""

from django.db import migrations, models

# The row a task counts in, from the task as it is (NEW) or was (OLD).
ROW = (
    "{0}.project_id, COALESCE({0}.assignee_id, 0), "
    "COALESCE({0}.reviewer_id, 0), {0}.status"
)
MATCHES = (
    "project_id = {0}.project_id"
    " AND assignee_id = COALESCE({0}.assignee_id, 0)"
    " AND reviewer_id = COALESCE({0}.reviewer_id, 0)"
    " AND status = {0}.status"
)
KEY = "project_id, assignee_id, reviewer_id, status"
COUNTED = "project_id, assignee_id, reviewer_id, status, archived"
CHANGED = " OR ".join(
    f"OLD.{column} IS NOT NEW.{column}" for column in COUNTED.split(", ")
)


def add_one(row: str) -> str:
    return (
        f"INSERT INTO production_tasktally ({KEY}, tasks)"
        f" SELECT {ROW.format(row)}, 1 WHERE NOT {row}.archived"
        f" ON CONFLICT ({KEY}) DO UPDATE"
        " SET tasks = production_tasktally.tasks + 1"
    )


def take_one(row: str) -> str:
    where = f"{MATCHES.format(row)} AND NOT {row}.archived"
    return f"UPDATE production_tasktally SET tasks = tasks - 1 WHERE {where}"  # noqa: S608 - constants


SQLITE = [
    f"""CREATE TRIGGER task_tally_insert AFTER INSERT ON production_task
    BEGIN {add_one("NEW")}; END""",
    f"""CREATE TRIGGER task_tally_update AFTER UPDATE OF {COUNTED}
    ON production_task WHEN {CHANGED}
    BEGIN {take_one("OLD")}; {add_one("NEW")}; END""",
    f"""CREATE TRIGGER task_tally_delete AFTER DELETE ON production_task
    BEGIN {take_one("OLD")}; END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS task_tally_insert",
    "DROP TRIGGER IF EXISTS task_tally_update",
    "DROP TRIGGER IF EXISTS task_tally_delete",
]

POSTGRESQL = [
    f"""CREATE FUNCTION production_task_tally() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN {take_one("OLD")}; END IF;
        IF TG_OP <> 'DELETE' THEN {add_one("NEW")}; END IF;
        RETURN NULL;
    END
    $$""",
    """CREATE TRIGGER task_tally_insert_delete AFTER INSERT OR DELETE
    ON production_task FOR EACH ROW EXECUTE FUNCTION production_task_tally()""",
    f"""CREATE TRIGGER task_tally_update AFTER UPDATE OF {COUNTED}
    ON production_task FOR EACH ROW
    WHEN ({CHANGED.replace(" IS NOT ", " IS DISTINCT FROM ")})
    EXECUTE FUNCTION production_task_tally()""",
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS task_tally_update ON production_task",
    "DROP TRIGGER IF EXISTS task_tally_insert_delete ON production_task",
    "DROP FUNCTION IF EXISTS production_task_tally()",
]

BACKFILL = f"""INSERT INTO production_tasktally ({KEY}, tasks)
    SELECT project_id, COALESCE(assignee_id, 0), COALESCE(reviewer_id, 0),
    status, COUNT(*) FROM production_task WHERE NOT archived
    GROUP BY project_id, COALESCE(assignee_id, 0), COALESCE(reviewer_id, 0),
    status"""  # noqa: S608 - constants


def statements(vendor: str, *, reverse=False) -> list[str]:
    if vendor == "postgresql":
        return POSTGRESQL_REVERSE if reverse else POSTGRESQL
    if vendor == "sqlite":
        return SQLITE_REVERSE if reverse else SQLITE
    raise NotImplementedError(f"Task tallies have no triggers for {vendor}.")


def add_triggers(apps, schema_editor):
    for sql in [*statements(schema_editor.connection.vendor), BACKFILL]:
        schema_editor.execute(sql)


def drop_triggers(apps, schema_editor):
    for sql in statements(schema_editor.connection.vendor, reverse=True):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("production", "0012_task_calendar"),
    ]

    operations = [
        migrations.CreateModel(
            name="TaskTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                (
                    "assignee_id",
                    models.BigIntegerField(
                        default=0,
                        help_text="The assignee's user id; 0 for nobody.",
                        verbose_name="assignee",
                    ),
                ),
                (
                    "reviewer_id",
                    models.BigIntegerField(
                        default=0,
                        help_text="The reviewer's user id; 0 for nobody.",
                        verbose_name="reviewer",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("proposed", "Proposed"),
                            ("todo", "To do"),
                            ("in_progress", "In progress"),
                            ("review", "In review"),
                            ("changes", "Changes requested"),
                            ("done", "Done"),
                            ("cancelled", "Cancelled"),
                        ],
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                (
                    "tasks",
                    models.PositiveIntegerField(
                        default=0,
                        help_text="Unarchived tasks with these values.",
                        verbose_name="tasks",
                    ),
                ),
                (
                    "project",
                    models.ForeignKey(
                        on_delete=models.deletion.CASCADE,
                        related_name="tallies",
                        to="production.project",
                    ),
                ),
            ],
            options={
                "verbose_name": "task tally",
                "verbose_name_plural": "task tallies",
                "ordering": ["project", "status", "assignee_id", "reviewer_id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("project", "assignee_id", "reviewer_id", "status"),
                        name="task_tally_unique",
                    )
                ],
            },
        ),
        migrations.RunPython(add_triggers, drop_triggers),
    ]
