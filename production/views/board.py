"""The board: a production's tasks in status columns, filtered from the URL."""

import datetime
import functools
import threading
from dataclasses import dataclass, field
from typing import NamedTuple

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, F
from django.db.models.lookups import IsNull
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.template import engines
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from production import access, bookings, changes, csrf_tokens, tallies, workflow
from production.bookings import slot_end, slot_start
from production.filters import (
    FIELD_FILTERS,
    TaskFilterForm,
    crew_and_episodes,
    narrowed,
    url_params,
)
from production.forms import MoveForm
from production.models import Task, User
from production.prepared import STAND_IN_ID, STAND_IN_TEXT, Joined, Prepared
from production.views.clock import render_on_project_clock
from production.views.fragments import wants_fragment
from production.views.live import polled
from production.views.memo import MemoPartial
from production.views.rows import (
    KIND_LABELS,
    PERSON_NAMES,
    PRIORITY_LABELS,
    DayLabels,
    TaskLinks,
)

# A column opens with its first CARDS_PER_COLUMN cards and each "Show more"
# brings MORE_CARDS: a big production's board stays as light and as fast as
# a small one's (the measurements behind 6 are in BENCHMARKS.md). A dozen
# more fills a page of Show more in a small production as in a big one, so
# it costs the same in both; fifty cost twice a small one's eighteen.
CARDS_PER_COLUMN = 6
MORE_CARDS = 12
# The most pressing first: priority, then the nearest due date, tasks
# without one last. "No date" is written as its own term rather than NULLS
# LAST, which no SQLite index can serve: the task_cards index (models.py)
# holds these very terms, so a column's first cards are read in order from
# it on SQLite and PostgreSQL alike, without sorting the column.
CARD_ORDER = (
    F("priority").desc(),
    IsNull(F("due_date"), True).asc(),
    F("due_date").asc(),
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
    "assignee_id",
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
# A card's row: those fields and its assignee's name, as select_related and
# only() would read them.
CARD_ROW = Joined(Task, "assignee", only={None: CARD_FIELDS, "assignee": PERSON_NAMES})
CARD_ID = CARD_ROW.columns().index("id")
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
    # None in Show more's answer, which shows no count.
    count: int | None
    cards: list = field(default_factory=list)
    next_page: int | None = None
    # The cards' HTML (_cards_html), once the cards are in, and the Show
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


class CardMove(NamedTuple):
    """A move a card offers: what the card shows of a workflow.Move."""

    label: str
    target: str
    needs_note: bool
    element_id: str


class Slot(NamedTuple):
    """A booking card's slot, in its production's time zone (named: two
    equal instants in two zones are shown apart), and whom and where it books."""

    starts: datetime.datetime
    ends: datetime.datetime | None
    time_zone: str
    guest: str
    contact: str
    location: str
    confirmed: bool
    # The bookings it clashes with, earliest first: (key, url).
    conflicts: tuple[tuple[str, str], ...]


class Card(NamedTuple):
    """Everything a card shows (templates/jinja2/production/_card.html),
    the key its HTML is kept under (views/memo.py): what changes in it is a
    new card and a new render."""

    status: str
    key: str
    title: str
    url: str
    kind: str
    kind_label: str
    priority: int
    priority_label: str
    assignee: str
    due_date: datetime.date | None
    due_label: str
    overdue: bool
    slot: Slot | None
    version: int
    move_url: str
    moves: tuple[CardMove, ...]
    # The columns a card may be dragged to (static/slate/board.js): its
    # moves' targets, but for sending up, which keeps its column.
    drop_to: str
    # The first card of Show more's answer takes the keyboard focus.
    autofocus: bool = False


CARD = MemoPartial("production/_card.html")
# The cards made from their rows, kept per process as CARD keeps their HTML.
# A card is made from its row (every column the cards' query reads) with
# the viewer's id, their role and the production as they are now, and the
# day (a card turns overdue): kept under all of those, a board whose tasks
# did not change makes no Task of them, nor asks the rules again. Its clashes
# depend on other bookings: read on every board and put in after.
KEPT_CARDS_SIZE = 4096
_kept_cards: dict = {}
_kept_cards_lock = threading.Lock()


def _values(instance) -> tuple:
    """Every column of a model instance: it, as far as a key needs."""
    return tuple(getattr(instance, f.attname) for f in instance._meta.concrete_fields)


def _cards(rows, project, user, role) -> list[Card]:
    """The cards of the cards' query's rows, each with the viewer's moves,
    its links and booking clashes.

    Labels, links and dates are worked out here once for the board, not by
    a filter or a reverse() per card.
    """
    # request.user is a lazy proxy, each attribute read through it a lookup;
    # the rules read the viewer's id for every card. Logged in: the view
    # requires it.
    user = User(pk=user.pk)
    viewer = (user.pk, _values(role), _values(project), timezone.localdate())
    link = TaskLinks()
    made = _CardMaker(project, user, role, link)
    cards = [_kept_cards.get((row, viewer)) or made(row, viewer) for row in rows]
    booked = [
        made.task(row) for row, card in zip(rows, cards, strict=True) if card.slot
    ]
    clashes = bookings.conflicts_for(booked, user=user)
    for n, card in enumerate(cards):
        if card.slot and (others := clashes.get(rows[n][CARD_ID])):
            conflicts = tuple((other.key, link(other.key)) for other in others)
            cards[n] = card._replace(slot=card.slot._replace(conflicts=conflicts))
    return cards


class _CardMaker:
    """Makes the cards not kept yet, and keeps them (_kept_cards)."""

    def __init__(self, project, user, role, link):
        self.project, self.user, self.role, self.link = project, user, role, link

    # Worked out once a board, and only when a card is to be made.
    @functools.cached_property
    def move_link(self) -> TaskLinks:
        return TaskLinks("task-move")

    @functools.cached_property
    def labels(self) -> DayLabels:
        return DayLabels()

    def task(self, row) -> Task:
        task = CARD_ROW.load(row)[0]
        # One production: share its object rather than join it per card.
        task.project = self.project
        return task

    def __call__(self, row, viewer) -> Card:
        task = self.task(row)
        moves = workflow.move_actions(task, self.user, self.role)
        day = task.due_date
        card = Card(
            status=task.status,
            key=task.key,
            title=task.title,
            url=self.link(task.key),
            kind=task.kind,
            kind_label=KIND_LABELS[task.kind],
            priority=task.priority,
            priority_label=PRIORITY_LABELS[task.priority],
            assignee=str(task.assignee or ""),
            due_date=day,
            due_label=self.labels.short(day) if day else "",
            overdue=task.is_overdue,
            slot=_slot(task, self.project),
            version=task.version,
            move_url=self.move_link(task.key) if moves else "",
            moves=tuple(
                CardMove(m.label, m.target, m.needs_note, m.element_id) for m in moves
            ),
            drop_to=" ".join(m.target for m in moves if not m.sends_up),
        )
        with _kept_cards_lock:
            while len(_kept_cards) >= KEPT_CARDS_SIZE:
                del _kept_cards[next(iter(_kept_cards))]
            _kept_cards[row, viewer] = card
        return card


def _slot(task, project) -> Slot | None:
    """A booking's slot and what it books, its clashes left for _cards;
    None for other tasks."""
    if not (task.is_booking and task.starts_at):
        return None
    return Slot(
        starts=slot_start(task),
        ends=slot_end(task),
        time_zone=project.time_zone,
        guest=task.guest,
        contact=task.contact,
        location=task.location,
        confirmed=task.confirmed,
        conflicts=(),
    )


# One stand-in for each value the board's queries take, told apart by
# equality (production/prepared.py).
STAND_INS = {
    "project": STAND_IN_ID - 1,
    "assignee": STAND_IN_ID - 2,
    "episode": STAND_IN_ID - 3,
    # Within a small integer's range (Django finds nothing beyond it), and
    # no priority the form lets through.
    "priority": 32_109,
    "kind": f"{STAND_IN_TEXT} kind",
    "status": f"{STAND_IN_TEXT} status",
}


class BoardQueries:
    """The board's queries for one set of filters (`names`), compiled once
    (production/prepared.py): how many tasks each status has, and a
    column's cards (CARD_ROW) in CARD_ORDER, read in that order from the
    task_cards index: only the rows of the cards shown are read.

    The unfiltered board and one person's count from the production's
    tallies (production/tallies.py), a few rows however many tasks it has;
    other filters count the tasks they find.

    They read the production's tasks without the join through the viewer's
    membership (access.tasks_of): the view has found it (get_project), and
    on PostgreSQL planning and running that join in each column's part
    doubled what the board's queries cost the server.

    Their values: the production's id, then each filter's.
    `search`, a search's text, is compiled in: it goes into LIKE patterns,
    where no stand-in can stand for it.
    """

    def __init__(self, names: tuple[str, ...], search: str | None = None):
        stand_ins = [STAND_INS[name] for name in ("project", *names)]
        self.tallied = search is None and names in ((), ("assignee",))

        def tasks(project_id, *values):
            filters = dict(zip(names, values, strict=True))
            if search is not None:
                filters["q"] = search
            return narrowed(access.tasks_of([project_id]), filters)

        self.counts = Prepared(
            lambda *values: (
                tasks(*values)
                .order_by()
                .values_list("status")
                .annotate(count=Count("pk"))
            ),
            *stand_ins,
        )
        self.cards = Prepared(
            lambda *values: (
                tasks(*values[:-1])
                .filter(status=values[-1])
                .order_by(*CARD_ORDER)
                .values_list(*CARD_ROW.columns())
            ),
            *stand_ins,
            STAND_INS["status"],
        )

    def counted(self, values) -> dict[str, int]:
        """{status: how many tasks} for these values, statuses with none
        left out."""
        if self.tallied:
            return tallies.by_status(*values)
        return dict(self.counts.rows(*values))


# A board's filters come in a few shapes, each compiled once per process.
_compiled_queries = functools.cache(BoardQueries)


def _board_tasks(request, project):
    """The filter form, the board's queries with their values, and the
    filters for links."""
    crew, episodes = crew_and_episodes(project)
    form = TaskFilterForm(
        request.GET, crew=crew, episodes=episodes, omit=("status", "sort")
    )
    filters = form.cleaned()
    names = tuple(name for name in FIELD_FILTERS if name in filters)
    if "q" in filters:
        queries = BoardQueries(names, filters["q"])
    else:
        queries = _compiled_queries(names)
    # A crew member or an episode stands in the query as its id.
    values = [getattr(filters[name], "pk", filters[name]) for name in names]
    values = [project.pk, *values]
    return form, queries, values, url_params(request.GET, drop=PAGING_PARAMS)


def _cards_of(queries, values, parts) -> list[tuple]:
    """The cards' rows (CARD_ROW) of each (status, how many, from where) of
    `parts`, each part's in CARD_ORDER, in one query."""
    rows = queries.cards.firsts(
        [((*values, status), limit, offset) for status, limit, offset in parts]
    )
    # SQL promises no order to a UNION's rows, though both databases keep
    # each part's: sorted again as CARD_ORDER sorts them.
    return sorted(rows, key=_card_rank)


_RANKED = [
    CARD_ROW.columns().index(name) for name in ("priority", "due_date", "number")
]


def _card_rank(row) -> tuple:
    """Where a card's row stands in CARD_ORDER."""
    priority, due, number = (row[at] for at in _RANKED)
    return -priority, due is None, due or datetime.date.min, number


@functools.cache
def _note_field() -> dict:
    """The drop dialog's note field, the same on every board: rendered once
    per process rather than through the form's widget templates each time."""
    field = MoveForm(auto_id="drop-%s")["note"]
    return {"id": field.id_for_label, "label": field.label, "html": str(field)}


def _next_page(page: int, count: int) -> int | None:
    return page + 1 if page < _pages(count) else None


@require_GET
@login_required
@vary_on_headers("HX-Request")
@polled(changes.board_etag)
def board(request, code):
    """A production's tasks in status columns, with the moves the viewer may make."""
    project, membership = access.get_project(request.user, code)
    form, queries, values, filters = _board_tasks(request, project)
    # Each column shows its first cards; a "Show more" followed without
    # JavaScript comes back here with one column to show deeper.
    pages_loaded = {status: 1 for status in Task.Status.values}
    try:
        wanted = _wanted_page(request.GET)
    except ValueError as error:
        messages.error(request, str(error))
        wanted = None
    counts = queries.counted(values)
    if wanted:
        status, page = wanted
        pages_loaded[status] = min(page, _pages(counts.get(status, 0)))
    tops = {
        status: _cards_shown(page)
        for status, page in pages_loaded.items()
        if counts.get(status)
    }
    # Each column's first cards.
    cards = _cards(
        _cards_of(queries, values, [(status, top, 0) for status, top in tops.items()]),
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
    for card in cards:
        columns[card.status].cards.append(card)
    board_path = reverse("project-board", args=[project.code])
    _write_cards(request, columns.values(), filters, project, board_path)
    compact = request.GET.get("density") == COMPACT
    # A production with no tasks yet says what to do next instead.
    getting_started = not (counts or form.active or project.archived)
    context = {
        "project": project,
        "filter_form": form,
        "board_path": board_path,
        "board_url": _with_query(board_path, filters),
        "columns_html": "" if getting_started else _columns_html(columns.values()),
        "compact": compact,
        "density_url": _with_query(board_path, _density_toggled(filters, compact)),
        # A card dragged to a move that needs a note asks for it here.
        "note_field": _note_field(),
        "getting_started": getting_started,
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
    _, queries, values, filters = _board_tasks(request, project)
    try:
        wanted = _wanted_page(request.GET)
    except ValueError:
        wanted = None
    if wanted is None:
        return HttpResponseBadRequest(
            f'<p class="error-message">{BAD_PAGE}</p>', content_type="text/html"
        )
    status, page = wanted
    start = _cards_shown(page - 1) if page > 1 else 0
    wanted_cards = _cards_shown(page) - start
    # One card more than the page says whether there is a next page, where
    # counting the column would read every task of it.
    rows = _cards_of(queries, values, [(status, wanted_cards + 1, start)])
    cards = _cards(rows[:wanted_cards], project, request.user, membership.role)
    if cards:
        # The first new card's link takes the keyboard focus.
        cards[0] = cards[0]._replace(autofocus=True)
    column = Column(
        status=status,
        label=Task.Status(status).label,
        count=None,
        cards=cards,
        next_page=page + 1 if len(rows) > wanted_cards else None,
    )
    board_path = reverse("project-board", args=[project.code])
    _write_cards(request, [column], filters, project, board_path)
    return HttpResponse(_columns_html(more=column))


def _density_toggled(filters, compact: bool):
    """The board's query with the other density: compact cards, or full ones."""
    toggled = filters.copy()
    if compact:
        toggled.pop("density", None)
    else:
        toggled["density"] = COMPACT
    return toggled


def _write_cards(request, columns, filters, project, board_path):
    """Each column's cards as HTML and its Show more links, filters kept:
    the board deepened (without JavaScript) and the next cards (htmx).

    A move from a card comes back to this board, filters and all.
    """
    token = csrf_tokens.token(request)
    more_path = reverse("board-more", args=[project.code])
    board_url = _with_query(board_path, filters)
    # The filters' query once; a status and a page need no quoting.
    kept = f"{filters.urlencode()}&" if filters else ""
    for column in columns:
        column.cards_html = _cards_html(
            column.cards, csrf_token=token, next_url=board_url
        )
        if column.next_page:
            query = f"{kept}status={column.status}&page={column.next_page}"
            column.more_url = f"{board_path}?{query}"
            column.more_cards_url = f"{more_path}?{query}"


def _with_query(path, params) -> str:
    return f"{path}?{params.urlencode()}" if params else path


def _columns_html(columns=(), *, more: Column | None = None) -> SafeString:
    """The board's columns, their cards written in (_write_cards), or the
    cards of Show more's column (`more`): a Jinja2 template, whose columns
    cost a fraction of Django's."""
    template = engines["jinja2"].get_template("production/_columns.html")
    return mark_safe(  # noqa: S308 - escaped by Jinja2, the cards by CARD.render
        template.render({"columns": columns, "more": more})
    )


def _cards_html(cards, *, csrf_token: str, next_url: str) -> SafeString:
    """A column's cards, each kept once rendered (CARD); "" for none."""
    return mark_safe(  # noqa: S308 - each card escaped by Jinja2 (CARD.render)
        "".join(
            f"{CARD.render(card, csrf_token=csrf_token, next_url=next_url)}\n"
            for card in cards
        )
    )
