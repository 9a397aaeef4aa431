"""Due-day tallies: a production's open, unarchived tasks counted per
assignee and due date by triggers on the task table, as 0013 counts them per
status; filled from the tasks there are.

An overdue count sums the rows before today, one per person and day, where
counting the tasks read an index entry per overdue task. A task counts
while it is unarchived, dated and in one of OPEN (Task.OPEN_STATUSES when
this was written: a change to those needs a migration that remakes these
triggers). An update that changes none of the counted columns touches no
tally. Rows that fall to 0 stay.

On SQLite, a later migration that remakes the task table drops these
triggers with 0013's: it must run both migrations' reverse and forward
functions around its change (tests/test_tallies.py fails otherwise).
"""

from django.db import migrations, models

OPEN = "('proposed', 'todo', 'in_progress', 'review', 'changes')"
KEY = "project_id, assignee_id, due_date"
COUNTED = "project_id, assignee_id, due_date, status, archived"
CHANGED = " OR ".join(
    f"OLD.{column} IS NOT NEW.{column}" for column in COUNTED.split(", ")
)


def counts(row: str) -> str:
    """Whether the task as it is (NEW) or was (OLD) counts."""
    return (
        f"NOT {row}.archived AND {row}.due_date IS NOT NULL AND {row}.status IN {OPEN}"
    )


def add_one(row: str) -> str:
    return (
        f"INSERT INTO production_duetally ({KEY}, tasks)"
        f" SELECT {row}.project_id, COALESCE({row}.assignee_id, 0),"
        f" {row}.due_date, 1 WHERE {counts(row)}"
        f" ON CONFLICT ({KEY}) DO UPDATE"
        " SET tasks = production_duetally.tasks + 1"
    )


def take_one(row: str) -> str:
    return (
        "UPDATE production_duetally SET tasks = tasks - 1"  # noqa: S608 - constants
        f" WHERE project_id = {row}.project_id"
        f" AND assignee_id = COALESCE({row}.assignee_id, 0)"
        f" AND due_date = {row}.due_date AND {counts(row)}"
    )


SQLITE = [
    f"""CREATE TRIGGER due_tally_insert AFTER INSERT ON production_task
    BEGIN {add_one("NEW")}; END""",
    f"""CREATE TRIGGER due_tally_update AFTER UPDATE OF {COUNTED}
    ON production_task WHEN {CHANGED}
    BEGIN {take_one("OLD")}; {add_one("NEW")}; END""",
    f"""CREATE TRIGGER due_tally_delete AFTER DELETE ON production_task
    BEGIN {take_one("OLD")}; END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS due_tally_insert",
    "DROP TRIGGER IF EXISTS due_tally_update",
    "DROP TRIGGER IF EXISTS due_tally_delete",
]

POSTGRESQL = [
    f"""CREATE FUNCTION production_task_due_tally() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN {take_one("OLD")}; END IF;
        IF TG_OP <> 'DELETE' THEN {add_one("NEW")}; END IF;
        RETURN NULL;
    END
    $$""",
    """CREATE TRIGGER due_tally_insert_delete AFTER INSERT OR DELETE
    ON production_task FOR EACH ROW EXECUTE FUNCTION production_task_due_tally()""",
    f"""CREATE TRIGGER due_tally_update AFTER UPDATE OF {COUNTED}
    ON production_task FOR EACH ROW
    WHEN ({CHANGED.replace(" IS NOT ", " IS DISTINCT FROM ")})
    EXECUTE FUNCTION production_task_due_tally()""",
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS due_tally_update ON production_task",
    "DROP TRIGGER IF EXISTS due_tally_insert_delete ON production_task",
    "DROP FUNCTION IF EXISTS production_task_due_tally()",
]

BACKFILL = f"""INSERT INTO production_duetally ({KEY}, tasks)
    SELECT project_id, COALESCE(assignee_id, 0), due_date, COUNT(*)
    FROM production_task WHERE {counts("production_task")}
    GROUP BY project_id, COALESCE(assignee_id, 0), due_date"""  # noqa: S608 - constants


def statements(vendor: str, *, reverse=False) -> list[str]:
    if vendor == "postgresql":
        return POSTGRESQL_REVERSE if reverse else POSTGRESQL
    if vendor == "sqlite":
        return SQLITE_REVERSE if reverse else SQLITE
    raise NotImplementedError(f"Due-day tallies have no triggers for {vendor}.")


def add_triggers(apps, schema_editor):
    for sql in [*statements(schema_editor.connection.vendor), BACKFILL]:
        schema_editor.execute(sql)


def drop_triggers(apps, schema_editor):
    for sql in statements(schema_editor.connection.vendor, reverse=True):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("production", "0014_task_cards"),
    ]

    operations = [
        migrations.CreateModel(
            name="DueTally",
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
                ("due_date", models.DateField(verbose_name="due date")),
                (
                    "tasks",
                    models.PositiveIntegerField(
                        default=0,
                        help_text="Open, unarchived tasks due that day.",
                        verbose_name="tasks",
                    ),
                ),
                (
                    "project",
                    models.ForeignKey(
                        on_delete=models.deletion.CASCADE,
                        related_name="due_tallies",
                        to="production.project",
                    ),
                ),
            ],
            options={
                "verbose_name": "due-day tally",
                "verbose_name_plural": "due-day tallies",
                "ordering": ["project", "due_date", "assignee_id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("project", "assignee_id", "due_date"),
                        name="due_tally_unique",
                    )
                ],
            },
        ),
        migrations.RunPython(add_triggers, drop_triggers),
    ]
