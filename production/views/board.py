"""The board: a production's tasks in status columns, filtered from the URL."""

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, F
from django.http import HttpResponseBadRequest
from django.middleware.csrf import get_token
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.dates import MONTHS_3, WEEKDAYS_ABBR
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from production import access, bookings, changes, workflow
from production.bookings import slot_end, slot_start
from production.filters import TaskFilterForm, crew_and_episodes, url_params
from production.forms import MoveForm
from production.models import Task
from production.views.clock import render_on_project_clock
from production.views.fragments import jinja_partial, wants_fragment
from production.views.live import polled
from production.views.rows import TaskLinks, label_rows, person_fields

# A column opens with its first CARDS_PER_COLUMN cards and each "Show more"
# brings MORE_CARDS: a big production's board stays as light and as fast as
# a small one's (the measurements behind 6 are in BENCHMARKS.md).
CARDS_PER_COLUMN = 6
MORE_CARDS = 50
# The most pressing first: priority, then the nearest due date.
CARD_ORDER = (
    F("priority").desc(),
    F("due_date").asc(nulls_last=True),
    F("number").asc(),
)
# What a card shows or the rules read; the description, contact and
# timestamps stay in the database (a board shows dozens of cards).
CARD_FIELDS = (
    "project_id",
    "number",
    "key",
    "title",
    "kind",
    "status",
    "priority",
    *person_fields("assignee"),
    "reviewer_id",
    "created_by_id",  # a pitch's author may withdraw it
    "due_date",
    "guest",
    "contact",
    "starts_at",
    "ends_at",
    "location",
    "confirmed",
    "archived",
    "version",
)
# `?density=compact` shows each card as one line (without JavaScript; with
# it, static/slate/board.js remembers the choice in the browser).
COMPACT = "compact"
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
    # The cards' HTML (_cards_html), once the tasks are in, and the Show
    # more link's addresses when there are more (see _write_cards).
    cards_html: str = ""
    more_url: str = ""
    more_cards_url: str = ""


def _wanted_page(params) -> tuple[str, int] | None:
    """The column and page a show-more link asks for; ValueError if nonsense."""
    if "page" not in params:
        return None
    status, page = params.get("status", ""), params.get("page", "")
    if status not in Task.Status.values or not page.isdigit() or int(page) < 1:
        raise ValueError(BAD_PAGE)
    return status, int(page)


def _cards_shown(page: int) -> int:
    """How many of a column's cards are shown once `page` has been loaded."""
    return CARDS_PER_COLUMN + (page - 1) * MORE_CARDS


def _pages(count: int) -> int:
    """How many pages a column of `count` cards has: the first, then the more."""
    return 1 + max(0, -(-(count - CARDS_PER_COLUMN) // MORE_CARDS))


def _cards(tasks, project, user, role) -> list[Task]:
    """The cards, each with the viewer's moves, its links and booking clashes.

    Labels, links and dates are worked out here once for the board, not by
    a filter or a reverse() per card.
    """
    tasks = label_rows(list(tasks))
    move_link = TaskLinks("task-move")
    # Dates as the date filter's "D j M" writes them ("Fri 6 Nov"), with the
    # names translated once rather than per card.
    days = [str(day) for day in WEEKDAYS_ABBR.values()]
    months = {number: str(month).title() for number, month in MONTHS_3.items()}
    for task in tasks:
        # One production: share its object rather than join it per card.
        task.project = project
        task.moves = workflow.move_actions(task, user, role)
        if task.moves:
            task.move_url = move_link(task.key)
            # The columns a card may be dragged to (static/slate/board.js):
            # its moves' targets, but for sending up, which keeps its column.
            task.drop_to = " ".join(m.target for m in task.moves if not m.sends_up)
        if day := task.due_date:
            task.due_label = f"{days[day.weekday()]} {day.day} {months[day.month]}"
        # A booking's slot, in the production's time zone.
        task.slot_starts = (
            slot_start(task) if task.is_booking and task.starts_at else None
        )
        task.slot_ends = slot_end(task) if task.slot_starts else None
    clashes = bookings.conflicts_for([t for t in tasks if t.is_booking], user=user)
    for task in tasks:
        task.conflicts = clashes.get(task.pk, [])
    return tasks


def _board_tasks(request, project):
    """The filter form, the filtered tasks and the filters for links."""
    crew, episodes = crew_and_episodes(project)
    form = TaskFilterForm(
        request.GET, crew=crew, episodes=episodes, omit=("status", "sort")
    )
    tasks = form.apply(
        access.tasks_for(request.user).filter(project=project), sort=False
    )
    return form, tasks, url_params(request.GET, drop=PAGING_PARAMS)


def _counts(tasks) -> dict[str, int]:
    return dict(tasks.order_by().values_list("status").annotate(count=Count("pk")))


def _card_rows(tasks):
    """The cards' own rows, without the production (shared) or a description."""
    return (
        tasks.select_related(None)
        .select_related("assignee")
        .only(*CARD_FIELDS)
        .order_by(*CARD_ORDER)
    )


def _next_page(page: int, count: int) -> int | None:
    return page + 1 if page < _pages(count) else None


@require_GET
@login_required
@vary_on_headers("HX-Request")
@polled(changes.board_etag)
def board(request, code):
    """A production's tasks in status columns, with the moves the viewer may make."""
    project, membership = access.get_project(request.user, code)
    form, tasks, filters = _board_tasks(request, project)
    # Each column shows its first cards; a "Show more" followed without
    # JavaScript comes back here with one column to show deeper.
    pages_loaded = {status: 1 for status in Task.Status.values}
    try:
        wanted = _wanted_page(request.GET)
    except ValueError as error:
        messages.error(request, str(error))
        wanted = None
    counts = _counts(tasks)
    if wanted:
        status, page = wanted
        pages_loaded[status] = min(page, _pages(counts.get(status, 0)))
    tops = {
        status: _cards_shown(page)
        for status, page in pages_loaded.items()
        if counts.get(status)
    }
    # Each column's first cards, through the (project, status) index.
    cards = _cards(
        _card_rows(tasks).filter(pk__in=tasks.first_ids_by_status(tops, CARD_ORDER))
        if tops
        else [],
        project,
        request.user,
        membership.role,
    )
    columns = {
        status: Column(
            status=status,
            label=label,
            count=counts.get(status, 0),
            next_page=_next_page(pages_loaded[status], counts.get(status, 0)),
        )
        for status, label in Task.Status.choices
    }
    for task in cards:
        columns[task.status].tasks.append(task)
    board_path = reverse("project-board", args=[project.code])
    _write_cards(request, columns.values(), filters, project)
    compact = request.GET.get("density") == COMPACT
    context = {
        "project": project,
        "filter_form": form,
        "board_path": board_path,
        "board_url": _with_query(board_path, filters),
        "columns": list(columns.values()),
        "compact": compact,
        "density_url": _with_query(board_path, _density_toggled(filters, compact)),
        # A card dragged to a move that needs a note asks for it here.
        "note_form": MoveForm(auto_id="drop-%s"),
        # A production with no tasks yet says what to do next instead.
        "getting_started": not (counts or form.active or project.archived),
    }
    template = "production/board.html"
    if wants_fragment(request):
        template += "#columns"
    return render_on_project_clock(request, template, context, project)


@require_GET
@login_required
@vary_on_headers("HX-Request")
def board_more(request, code):
    """Show more: a column's next cards, swapped in place of its link (htmx)."""
    project, membership = access.get_project(request.user, code)
    if not wants_fragment(request):
        # Opened on its own: the board, with that column shown deeper.
        board = reverse("project-board", args=[project.code])
        return redirect(_with_query(board, request.GET))
    _, tasks, filters = _board_tasks(request, project)
    try:
        wanted = _wanted_page(request.GET)
    except ValueError:
        wanted = None
    if wanted is None:
        return HttpResponseBadRequest(
            f'<p class="error-message">{BAD_PAGE}</p>', content_type="text/html"
        )
    status, page = wanted
    count = tasks.filter(status=status).count()
    page = min(page, _pages(count))
    start = _cards_shown(page - 1) if page > 1 else 0
    column = Column(
        status=status,
        label=Task.Status(status).label,
        count=count,
        tasks=_cards(
            _card_rows(tasks).filter(status=status)[start : _cards_shown(page)],
            project,
            request.user,
            membership.role,
        ),
        next_page=_next_page(page, count),
    )
    # The first new card's link takes the keyboard focus.
    _write_cards(request, [column], filters, project, focus=True)
    context = {"project": project, "column": column}
    return render_on_project_clock(
        request, "production/board.html#cards", context, project
    )


def _density_toggled(filters, compact: bool):
    """The board's query with the other density: compact cards, or full ones."""
    toggled = filters.copy()
    if compact:
        toggled.pop("density", None)
    else:
        toggled["density"] = COMPACT
    return toggled


def _write_cards(request, columns, filters, project, *, focus=False):
    """Each column's cards as HTML and its Show more links, filters kept:
    the board deepened (without JavaScript) and the next cards (htmx).

    A move from a card comes back to this board, filters and all.
    """
    token = get_token(request)
    board_path = reverse("project-board", args=[project.code])
    more_path = reverse("board-more", args=[project.code])
    board_url = _with_query(board_path, filters)
    for column in columns:
        column.cards_html = _cards_html(
            column.tasks, csrf_token=token, next_url=board_url, focus=focus
        )
        if column.next_page:
            more = filters.copy()
            more["status"], more["page"] = column.status, column.next_page
            column.more_url = _with_query(board_path, more)
            column.more_cards_url = _with_query(more_path, more)


def _with_query(path, params) -> str:
    return f"{path}?{params.urlencode()}" if params else path


def _cards_html(tasks, *, csrf_token: str, next_url: str, focus=False) -> SafeString:
    """A column's cards (templates/jinja2/production/_cards.html), or "No tasks"."""
    context = {
        "tasks": tasks,
        "csrf_token": csrf_token,
        "next_url": next_url,
        "focus": focus,
    }
    return jinja_partial("production/_cards.html", context)
