"""The board: a production's tasks in status columns, filtered from the URL."""

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from production import access, bookings, workflow
from production.filters import TaskFilterForm, url_params
from production.models import Task

CARDS_PER_COLUMN = 50
# The most pressing first: priority, then the nearest due date.
CARD_ORDER = (
    F("priority").desc(),
    F("due_date").asc(nulls_last=True),
    F("number").asc(),
)
# Show-more links add these to the board's URL; they are not filters.
PAGING_PARAMS = ("status", "page")
BAD_PAGE = "There is no such page of cards; the board shows each column from the top."


@dataclass
class Column:
    status: str
    label: str
    count: int
    tasks: list = field(default_factory=list)
    next_page: int | None = None


def crew_and_episodes(project):
    """The production's people and episodes, for the filter bar (two queries)."""
    crew = [
        membership.user
        for membership in project.memberships.select_related("user").order_by(
            "user__first_name", "user__last_name", "user__username"
        )
    ]
    return crew, list(project.episodes.order_by("number"))


def _wanted_page(params) -> tuple[str, int] | None:
    """The column and page a show-more link asks for; ValueError if nonsense."""
    if "page" not in params:
        return None
    status, page = params.get("status", ""), params.get("page", "")
    if status not in Task.Status.values or not page.isdigit() or int(page) < 1:
        raise ValueError(BAD_PAGE)
    return status, int(page)


def _pages(count: int) -> int:
    return max(1, -(-count // CARDS_PER_COLUMN))


def _with_moves(tasks, user, role) -> list[Task]:
    """The cards, each with the viewer's moves and its booking clashes."""
    tasks = list(tasks)
    clashes = bookings.conflicts_for([t for t in tasks if t.is_booking], user=user)
    for task in tasks:
        task.moves = workflow.move_actions(task, user, role)
        task.conflicts = clashes.get(task.pk, [])
    return tasks


@require_GET
@login_required
@vary_on_headers("HX-Request")
def board(request, code):
    """A production's tasks in status columns, with the moves the viewer may make."""
    project, membership = access.get_project(request.user, code)
    crew, episodes = crew_and_episodes(project)
    form = TaskFilterForm(
        request.GET,
        crew=crew,
        episodes=episodes,
        omit=("status", "sort"),
    )
    tasks = form.apply(
        access.tasks_for(request.user).filter(project=project), sort=False
    ).select_related("assignee", "episode")
    filters = url_params(request.GET, drop=PAGING_PARAMS)
    board_path = reverse("project-board", args=[project.code])
    board_url = f"{board_path}?{filters.urlencode()}" if filters else board_path
    partial = request.htmx and not request.htmx.history_restore_request
    try:
        wanted = _wanted_page(request.GET)
    except ValueError as error:
        if partial:
            return HttpResponseBadRequest(
                f'<p class="error-message">{error}</p>', content_type="text/html"
            )
        messages.error(request, str(error))
        wanted = None
    context = {
        "project": project,
        "filter_form": form,
        "filters": filters,
        "board_path": board_path,
        "board_url": board_url,
    }

    counts = dict(tasks.order_by().values_list("status").annotate(count=Count("pk")))
    if partial and wanted:
        # A show-more link: the next cards of one column, swapped in place.
        status, page = wanted
        page = min(page, _pages(counts.get(status, 0)))
        start = (page - 1) * CARDS_PER_COLUMN
        cards = tasks.filter(status=status).order_by(*CARD_ORDER)[
            start : start + CARDS_PER_COLUMN
        ]
        context["cards"] = _with_moves(cards, request.user, membership.role)
        context["column"] = Column(
            status=status,
            label=Task.Status(status).label,
            count=counts.get(status, 0),
            next_page=page + 1 if page < _pages(counts.get(status, 0)) else None,
        )
        return render(request, "production/board.html#more", context)

    # Each column's first cards in one query: a row number per status, and a
    # deeper cut for the column a no-JS "Show more" asked to see further.
    shown = {status: 1 for status in Task.Status.values}
    if wanted:
        status, page = wanted
        shown[status] = min(page, _pages(counts.get(status, 0)))
    ranked = tasks.annotate(
        rank=Window(RowNumber(), partition_by=F("status"), order_by=CARD_ORDER)
    )
    within = Q(rank__lte=CARDS_PER_COLUMN)
    if wanted:
        within |= Q(status=wanted[0], rank__lte=shown[wanted[0]] * CARDS_PER_COLUMN)
    cards = _with_moves(
        ranked.filter(within).order_by(*CARD_ORDER),
        request.user,
        membership.role,
    )
    columns = {
        status: Column(
            status=status,
            label=label,
            count=counts.get(status, 0),
            next_page=shown[status] + 1
            if shown[status] < _pages(counts.get(status, 0))
            else None,
        )
        for status, label in Task.Status.choices
    }
    for task in cards:
        columns[task.status].tasks.append(task)
    context["columns"] = list(columns.values())
    template = "production/board.html"
    if partial:
        template += "#columns"
    return render(request, template, context)
