"""My work: my open tasks by urgency, my crew's, and what awaits my decision."""

import datetime as dt

from django.contrib.auth.decorators import login_required
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
from production.models import Task, User
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


def _my_groups(user, today: dt.date, opened: str) -> list[dict]:
    """My open tasks in urgency groups, the first rows of each (one query)."""
    order = [F("due_date").asc(nulls_last=True), F("priority").desc(), F("key")]
    tasks = (
        open_work_of(user)
        .annotate(urgency=_urgency(today))
        .annotate(
            place=Window(RowNumber(), partition_by=[F("urgency")], order_by=order),
            group_size=Window(Count("pk"), partition_by=[F("urgency")]),
        )
        .filter(place__lte=max(_shown(opened, slug) for slug, _ in GROUPS))
        # Every open task of mine is sorted to find the first of each group:
        # carry only what a row shows through that sort.
        .only(*ROW_FIELDS)
        .order_by("urgency", "place")
    )
    by_urgency = {}
    for task in tasks:
        by_urgency.setdefault(task.urgency, []).append(task)
    groups = []
    for urgency, (slug, title) in enumerate(GROUPS):
        rows = by_urgency.get(urgency, [])
        total = rows[0].group_size if rows else 0
        rows = label_rows(rows[: _shown(opened, slug)])
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


def _totals(user, lists: dict) -> dict[str, int]:
    """How many tasks each of `lists` ({name: queryset}) has, in one query.

    Counted apart from the rows: a COUNT(*) OVER () beside the first rows
    made the database build every row of a list, wide columns and joins
    included, to show five of them.
    """
    counts = {name: _count_of(tasks) for name, tasks in lists.items()}
    return User.objects.filter(pk=user.pk).values(**counts).get()


def _review_rows(tasks, now, shown: int) -> list[Task]:
    """The first tasks in review, oldest first, with how long each has waited."""
    tasks = label_rows(
        list(
            tasks.select_related("assignee")
            .only(*ROW_FIELDS, "status_changed_at", *person_fields("assignee"))
            .order_by("status_changed_at", "pk")[:shown]
        )
    )
    for task in tasks:
        waited = now - task.status_changed_at
        task.waited = (
            timesince(task.status_changed_at, now, depth=1)
            if waited >= dt.timedelta(minutes=1)
            else "under a minute"
        )
    return tasks


def _crew_tasks(user, crew_project_ids: list[int]):
    """Open tasks of the people who report to me, on the productions where they do."""
    return crew_tasks_for(user).filter(
        project_id__in=crew_project_ids, status__in=Task.OPEN_STATUSES
    )


def _crew_rows(tasks, shown: int) -> list[Task]:
    """My crew's first open tasks: late first (by due date), then the most pressing."""
    order = [F("due_date").asc(nulls_last=True), F("priority").desc(), "key"]
    return label_rows(
        list(
            tasks.select_related("assignee")
            .only(*ROW_FIELDS, *person_fields("assignee"))
            .order_by(*order)[:shown]
        )
    )


def _pitches(user, approver_ids: list[int]):
    """Proposed tasks on productions where I may approve."""
    return tasks_for(user).filter(
        status=Task.Status.PROPOSED, project_id__in=approver_ids
    )


def _pitch_rows(tasks, shown: int) -> list[Task]:
    """The first pitches, oldest first."""
    return label_rows(
        list(
            tasks.select_related("assignee", "created_by")
            .only(
                *ROW_FIELDS,
                "created_at",
                *person_fields("assignee"),
                *person_fields("created_by"),
            )
            .order_by("created_at", "pk")[:shown]
        )
    )


def _team_load(user, approver_ids: list[int], today: dt.date) -> list[User]:
    """Open and overdue counts per crew member of these productions (two queries).

    Counted from the tasks, grouped by assignee, rather than joined from
    each person to their tasks: one pass over the open tasks of these
    productions instead of a distinct count per person.
    """
    open_tasks = tasks_for(user).filter(
        project_id__in=approver_ids,
        status__in=Task.OPEN_STATUSES,
        assignee__isnull=False,
    )
    counts = {
        assignee_id: (open_count, overdue_count)
        for assignee_id, open_count, overdue_count in open_tasks.order_by()
        .values_list("assignee_id")
        .annotate(
            open_count=Count("pk"),
            overdue_count=Count("pk", filter=Q(due_date__lt=today)),
        )
    }
    # Someone on two of these crews is one person, counted once.
    people = list(
        User.objects.filter(memberships__project_id__in=approver_ids).distinct()
    )
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
    approver_ids = [
        project.pk for project in projects if workflow.can_approve(project.mine[0].role)
    ]
    # The one list opened by its "Show more" (any other value opens none).
    opened = request.GET.get("open", "")
    # My crew's work: only where someone reports to me, and no query otherwise.
    crew_project_ids = [project.pk for project in projects if project.mine[0].has_crew]
    lists = {"review": awaiting_review_by(user, approver_ids)}
    if crew_project_ids:
        lists["crew"] = _crew_tasks(user, crew_project_ids)
    if approver_ids:
        lists["pitches"] = _pitches(user, approver_ids)
    totals = _totals(user, lists)
    review = _review_rows(lists["review"], now, _shown(opened, "review"))
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
        crew_work = _crew_rows(lists["crew"], _shown(opened, "crew-work"))
        context |= {
            "crew_work": crew_work,
            "crew_rows": _rows_html(crew_work, show_assignee=True),
            "crew_more": totals["crew"] - len(crew_work),
        }
    if approver_ids:
        pitches = _pitch_rows(lists["pitches"], _shown(opened, "pitches"))
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
