"""My work: my open tasks by urgency, my crew's, and what awaits my decision."""

import datetime as dt
import functools

from django.contrib.auth.decorators import login_required
from django.db import router
from django.db.models import (
    Case,
    Count,
    F,
    Func,
    IntegerField,
    Q,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber
from django.shortcuts import render
from django.utils import timezone
from django.utils.timesince import timesince
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from production import changes, workflow
from production.access import (
    awaiting_review_by,
    crew_tasks_for,
    open_work_of,
    projects_for,
    tasks_for,
)
from production.models import Project, Task, User
from production.prepared import STAND_IN_ID, Joined, Prepared
from production.views.fragments import jinja_partial, wants_fragment
from production.views.live import polled
from production.views.rows import label_rows, person_fields

# Each list opens with its first ROWS_PER_LIST rows and counts the rest:
# every row is paid for on each visit and on every poll, and a season's
# worth of tasks would make my work five times slower than a small
# production's (BENCHMARKS.md). "Show more" opens one list, `?open=<its id>`,
# to ROWS_OPENED rows; beyond that, each production's task list has them all.
ROWS_PER_LIST = 5
ROWS_OPENED = 50

# What a row of my tasks shows (templates/jinja2/production/_work_rows.html) and
# views.rows.label_rows reads: any other field would be a query per row.
ROW_FIELDS = (
    "key",
    "title",
    "kind",
    "status",
    "priority",
    "due_date",
    "project__code",
    "project__name",
)


# Shown in this order; "sent back" comes first whatever its due date.
GROUPS = [
    ("changes", "Sent back for changes"),
    ("overdue", "Overdue"),
    ("today", "Today"),
    ("week", "This week"),
    ("later", "Later"),
    ("undated", "No due date"),
]


def _rows_html(tasks, *, show_assignee=False):
    context = {"tasks": tasks, "show_assignee": show_assignee}
    return jinja_partial("production/_work_rows.html", context)


def _urgency(today: dt.date) -> Case:
    sunday = today + dt.timedelta(days=6 - today.weekday())
    return Case(
        When(status=Task.Status.CHANGES, then=Value(0)),
        When(due_date__isnull=True, then=Value(5)),
        When(due_date__lt=today, then=Value(1)),
        When(due_date=today, then=Value(2)),
        When(due_date__lte=sunday, then=Value(3)),
        default=Value(4),
        output_field=IntegerField(),
    )


def _shown(opened: str, slug: str) -> int:
    """How many rows the list `slug` shows: more when it is the one opened."""
    return ROWS_OPENED if slug == opened else ROWS_PER_LIST


def _columns(model, names) -> list[str]:
    """The columns of these fields, in the model's order (Model.from_db's)."""
    return [
        field.attname for field in model._meta.concrete_fields if field.name in names
    ]


PROJECT_COLUMNS = _columns(Project, {"id", "code", "name"})
PERSON_COLUMNS = _columns(
    User, {"id", *(name.split("__")[1] for name in person_fields("x"))}
)


class Rows:
    """The rows of a list read from a compiled query (prepared.py): what a
    row shows (ROW_FIELDS and `extra`), its production's code and name, and
    the people of `relations`; the instances the rows template reads."""

    def __init__(self, *, extra=(), relations=()):
        self.task = _columns(Task, {"id", "project", *ROW_FIELDS, *extra})
        self.relations = relations

    def columns(self) -> list[str]:
        return [
            *self.task,
            *(f"project__{column}" for column in PROJECT_COLUMNS[1:]),
            *(
                f"{relation}__{column}"
                for relation in self.relations
                for column in PERSON_COLUMNS
            ),
        ]

    def load(self, db: str, row: tuple) -> tuple[Task, tuple]:
        """The task of `row`'s first columns, and the columns after them."""
        task, row = (
            Task.from_db(db, self.task, row[: len(self.task)]),
            row[len(self.task) :],
        )
        project, row = row[: len(PROJECT_COLUMNS) - 1], row[len(PROJECT_COLUMNS) - 1 :]
        task.project = Project.from_db(db, PROJECT_COLUMNS, (task.project_id, *project))
        for relation in self.relations:
            person, row = row[: len(PERSON_COLUMNS)], row[len(PERSON_COLUMNS) :]
            empty = person[0] is None
            setattr(
                task,
                relation,
                None if empty else User.from_db(db, PERSON_COLUMNS, person),
            )
        return task, row


MY_ROWS = Rows()


@functools.lru_cache(maxsize=16)
def _groups_query(today: dt.date, limit: int) -> Prepared:
    """My open tasks' first `limit` of each urgency group, with its size.

    Compiled once a day and limit (the groups' bounds are dates), then run
    for each person: building the window query cost three times running it.
    """
    order = [F("due_date").asc(nulls_last=True), F("priority").desc(), F("key")]
    return Prepared(
        lambda user_id: (
            open_work_of(User(pk=user_id))
            .annotate(urgency=_urgency(today))
            .annotate(
                place=Window(RowNumber(), partition_by=[F("urgency")], order_by=order),
                group_size=Window(Count("pk"), partition_by=[F("urgency")]),
            )
            .filter(place__lte=limit)
            .order_by("urgency", "place")
            # Every open task of mine is sorted to find the first of each
            # group: carry only what a row shows through that sort.
            .values_list(*MY_ROWS.columns(), "urgency", "group_size")
        ),
        STAND_IN_ID,
    )


def _my_groups(user, today: dt.date, opened: str) -> list[dict]:
    """My open tasks in urgency groups, the first rows of each (one query)."""
    limit = max(_shown(opened, slug) for slug, _ in GROUPS)
    by_urgency = {}
    sizes = {}
    db = router.db_for_read(Task)
    for row in _groups_query(today, limit).rows(user.pk):
        task, (urgency, size) = MY_ROWS.load(db, row)
        by_urgency.setdefault(urgency, []).append(task)
        sizes[urgency] = size
    groups = []
    for urgency, (slug, title) in enumerate(GROUPS):
        total = sizes.get(urgency, 0)
        rows = label_rows(by_urgency.get(urgency, [])[: _shown(opened, slug)])
        groups.append(
            {
                "slug": slug,
                "title": title,
                "tasks": rows,
                "rows": _rows_html(rows),
                "total": total,
                "more": total - len(rows),
            }
        )
    return groups


def _count_of(tasks) -> Subquery:
    """How many tasks a queryset has, as a subquery of another query."""
    return Subquery(
        tasks.order_by().annotate(total=Func("pk", function="COUNT")).values("total")
    )


def _crew_tasks(user, crew_project_ids):
    """Open tasks of the people who report to me, on the productions where they do."""
    return crew_tasks_for(user).filter(
        project_id__in=crew_project_ids, status__in=Task.OPEN_STATUSES
    )


def _pitches(user, approver_ids):
    """Proposed tasks on productions where I may approve."""
    return tasks_for(user).filter(
        status=Task.Status.PROPOSED, project_id__in=approver_ids
    )


def _list_names(approver_ids: tuple, crew_project_ids: tuple) -> list[str]:
    """The lists beside my own tasks that this user has."""
    return [
        "review",
        *(["crew"] if crew_project_ids else []),
        *(["pitches"] if approver_ids else []),
    ]


def _lists(user, approver_ids: tuple, crew_project_ids: tuple) -> dict:
    """{name: queryset} of the lists beside my own tasks that this user has."""
    made = {
        "review": lambda: awaiting_review_by(user, approver_ids),
        "crew": lambda: _crew_tasks(user, crew_project_ids),
        "pitches": lambda: _pitches(user, approver_ids),
    }
    return {name: made[name]() for name in _list_names(approver_ids, crew_project_ids)}


# Each list's rows and order: what awaits my review oldest first, with how
# long it has waited; my crew's late first (by due date), then the most
# pressing; pitches oldest first.
LISTS = {
    "review": (
        Rows(extra=["status_changed_at"], relations=["assignee"]),
        ["status_changed_at", "pk"],
    ),
    "crew": (
        Rows(relations=["assignee"]),
        [F("due_date").asc(nulls_last=True), F("priority").desc(), "key"],
    ),
    "pitches": (
        Rows(extra=["created_at"], relations=["assignee", "created_by"]),
        ["created_at", "pk"],
    ),
}


@functools.lru_cache(maxsize=256)
def _totals_query(approver_ids: tuple, crew_project_ids: tuple) -> Prepared:
    """How many tasks each of the lists has, in one query.

    Counted apart from the rows: a COUNT(*) OVER () beside the first rows
    made the database build every row of a list, wide columns and joins
    included, to show five of them. Compiled once for everyone on the same
    productions, as the lists' rows are (its subqueries cost Django four
    times what they cost the database).
    """

    def build(user_id):
        lists = _lists(User(pk=user_id), approver_ids, crew_project_ids)
        counts = {name: _count_of(tasks) for name, tasks in lists.items()}
        return User.objects.filter(pk=user_id).annotate(**counts).values_list(*counts)

    return Prepared(build, STAND_IN_ID)


def _totals(user, approver_ids: tuple, crew_project_ids: tuple) -> dict[str, int]:
    """{list name: how many tasks it has}."""
    counts = _totals_query(approver_ids, crew_project_ids).rows(user.pk)[0]
    names = _list_names(approver_ids, crew_project_ids)
    return dict(zip(names, counts, strict=True))


@functools.lru_cache(maxsize=512)
def _rows_query(
    name: str, approver_ids: tuple, crew_project_ids: tuple, shown: int
) -> Prepared:
    """The first `shown` rows of the list `name`."""
    rows, order = LISTS[name]
    return Prepared(
        lambda user_id: (
            _lists(User(pk=user_id), approver_ids, crew_project_ids)[name]
            .order_by(*order)
            .values_list(*rows.columns())[:shown]
        ),
        STAND_IN_ID,
    )


def _list_rows(user, name: str, approver_ids, crew_project_ids, shown) -> list[Task]:
    query = _rows_query(name, approver_ids, crew_project_ids, shown)
    db = router.db_for_read(Task)
    rows = LISTS[name][0]
    return label_rows([rows.load(db, row)[0] for row in query.rows(user.pk)])


def _waited(tasks, now) -> list[Task]:
    """How long each task in review has waited."""
    for task in tasks:
        waited = now - task.status_changed_at
        task.waited = (
            timesince(task.status_changed_at, now, depth=1)
            if waited >= dt.timedelta(minutes=1)
            else "under a minute"
        )
    return tasks


@functools.lru_cache(maxsize=256)
def _load_query(approver_ids: tuple, today: dt.date) -> Prepared:
    """Open and overdue counts per assignee on these productions, compiled
    once a day for everyone who approves on them.

    Counted from the tasks, grouped by assignee, rather than joined from
    each person to their tasks: one pass over the open tasks of these
    productions (the index task_load alone) instead of a distinct count
    per person.
    """
    return Prepared(
        lambda user_id: (
            tasks_for(User(pk=user_id))
            .filter(
                project_id__in=approver_ids,
                status__in=Task.OPEN_STATUSES,
                assignee__isnull=False,
            )
            .order_by()
            .values_list("assignee_id")
            .annotate(
                open_count=Count("pk"),
                overdue_count=Count("pk", filter=Q(due_date__lt=today)),
            )
        ),
        STAND_IN_ID,
    )


_PERSON = Joined(User)


@functools.lru_cache(maxsize=256)
def _crews_query(approver_ids: tuple) -> Prepared:
    """The people on these crews; someone on two of them is one person."""
    return Prepared(
        lambda: (
            User.objects.filter(memberships__project_id__in=approver_ids)
            .distinct()
            .values_list(*_PERSON.columns())
        )
    )


def _team_load(user, approver_ids: list[int], today: dt.date) -> list[User]:
    """Open and overdue counts per crew member of these productions (two queries)."""
    approver_ids = tuple(approver_ids)
    counts = {
        assignee_id: (open_count, overdue_count)
        for assignee_id, open_count, overdue_count in _load_query(
            approver_ids, today
        ).rows(user.pk)
    }
    people = [_PERSON.load(row)[0] for row in _crews_query(approver_ids).rows()]
    for person in people:
        person.open_count, person.overdue_count = counts.get(person.pk, (0, 0))
    return sorted(
        people,
        key=lambda person: (
            -person.overdue_count,
            -person.open_count,
            person.first_name,
            person.username,
        ),
    )


@require_GET
@login_required
@vary_on_headers("HX-Request")
@polled(changes.user_etag)
def my_work(request):
    """My open work by urgency, what awaits my review and my crew's open work;
    an approver also sees pitches and the team's load."""
    user = request.user
    now = timezone.now()
    today = timezone.localdate(now)
    projects = projects_for(user).filter(archived=False).with_my_membership(user)
    # The team's load is about the people a producer supervises: the crews of
    # the productions where their role may approve work.
    approver_ids = tuple(
        project.pk for project in projects if workflow.can_approve(project.mine[0].role)
    )
    # The one list opened by its "Show more" (any other value opens none).
    opened = request.GET.get("open", "")
    # My crew's work: only where someone reports to me, and no query otherwise.
    crew_project_ids = tuple(
        project.pk for project in projects if project.mine[0].has_crew
    )
    totals = _totals(user, approver_ids, crew_project_ids)

    def rows(name: str, slug: str) -> list[Task]:
        shown = _shown(opened, slug)
        return _list_rows(user, name, approver_ids, crew_project_ids, shown)

    review = _waited(rows("review", "review"), now)
    context = {
        "today": today,
        "groups": _my_groups(user, today, opened),
        "opened": opened,
        "is_approver": bool(approver_ids),
        "review": review,
        "review_more": totals["review"] - len(review),
        "has_productions": bool(projects),
        "has_crew": bool(crew_project_ids),
    }
    if crew_project_ids:
        crew_work = rows("crew", "crew-work")
        context |= {
            "crew_work": crew_work,
            "crew_rows": _rows_html(crew_work, show_assignee=True),
            "crew_more": totals["crew"] - len(crew_work),
        }
    if approver_ids:
        pitches = rows("pitches", "pitches")
        context |= {
            "pitches": pitches,
            "pitches_more": totals["pitches"] - len(pitches),
            "team": _team_load(user, approver_ids, today),
        }
    context["has_tasks"] = any(group["tasks"] for group in context["groups"])
    template = "production/my_work.html"
    if wants_fragment(request):
        template += "#work"
    return render(request, template, context)
