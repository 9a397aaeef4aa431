"""Counts of a production's tasks read from its tallies, which the
database's triggers keep as tasks are written: models.TaskTally by status,
assignee and reviewer (migration 0013), models.DueTally, the open tasks by
assignee and due date (0015).

A count read from the tasks, even from an index alone, reads an entry per
task counted: thousands on a season's production, and the board, the crew
page, my work and the productions list grew with it (BENCHMARKS.md). A
production has a tally row per status, assignee and reviewer that occur
together, a few dozen however many tasks there are; and a due-day row per
person and day, so that an overdue count, which the date decides, reads a
row per day late, not per task.

Archived tasks are never counted; the production's own archived flag is
the caller's to test, as it is for its tasks. The reads are compiled once
(production/prepared.py); `total` is a count for another query to hold.
"""

from django.db.models import Func, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from production.models import DueTally, Task, TaskTally
from production.prepared import STAND_IN_ID, Prepared

# A tally's assignee or reviewer when the task has none.
NOBODY = 0


def _of(model, project_ids) -> QuerySet:
    if isinstance(project_ids, OuterRef):
        return model.objects.filter(project_id=project_ids)
    return model.objects.filter(project_id__in=project_ids)


def of(project_ids) -> QuerySet:
    """The tallies of these productions (ids or an OuterRef to one)."""
    return _of(TaskTally, project_ids)


def open_tallies(project_ids) -> QuerySet:
    """The tallies of these productions' open tasks."""
    return of(project_ids).filter(status__in=Task.OPEN_STATUSES)


def overdue_tallies(project_ids, today) -> QuerySet:
    """The due-day tallies of these productions' (ids or an OuterRef to one)
    open tasks due before `today`."""
    return _of(DueTally, project_ids).filter(due_date__lt=today)


def total(tallies: QuerySet) -> Coalesce:
    """How many tasks these tallies count, as a value of another query (0
    for none)."""
    # Func, not Sum: an aggregate in annotate() would group by the tally.
    summed = tallies.order_by().annotate(total=Func("tasks", function="SUM"))
    return Coalesce(Subquery(summed.values("total")), 0)


_BY_STATUS = Prepared(
    lambda project_id: (
        of([project_id])
        .filter(tasks__gt=0)
        .order_by()
        .values_list("status")
        .annotate(tasks_sum=Sum("tasks"))
    ),
    STAND_IN_ID,
)
_BY_STATUS_OF = Prepared(
    lambda project_id, assignee_id: (
        of([project_id])
        .filter(assignee_id=assignee_id, tasks__gt=0)
        .order_by()
        .values_list("status")
        .annotate(tasks_sum=Sum("tasks"))
    ),
    STAND_IN_ID,
    STAND_IN_ID - 1,
)


def by_status(project_id: int, assignee_id: int | None = None) -> dict[str, int]:
    """{status: how many unarchived tasks} of a production, or of one
    assignee's tasks there (NOBODY: the unassigned); statuses with none
    left out."""
    if assignee_id is None:
        rows = _BY_STATUS.rows(project_id)
    else:
        rows = _BY_STATUS_OF.rows(project_id, assignee_id)
    return dict(rows)


_OPEN_BY_ASSIGNEE = Prepared(
    lambda project_id: (
        open_tallies([project_id])
        .filter(tasks__gt=0)
        .order_by()
        .values_list("assignee_id")
        .annotate(tasks_sum=Sum("tasks"))
    ),
    STAND_IN_ID,
)


def open_by_assignee(project_id: int) -> dict[int, int]:
    """{assignee's user id: how many open tasks} of a production (NOBODY:
    the unassigned); people with none left out."""
    return dict(_OPEN_BY_ASSIGNEE.rows(project_id))
