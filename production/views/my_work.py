"""My work: my open tasks by urgency, my crew's, and what awaits my decision."""

import datetime as dt
import functools
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import router
from django.db.models import F, Func, IntegerField, OuterRef, Q, Subquery
from django.shortcuts import render
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince
from django.utils.translation import get_language
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from production import changes, tallies
from production.access import awaiting_review_parts, tasks_for, tasks_of
from production.models import WAITING_STATUSES, Task, User
from production.prepared import STAND_IN_ID, Prepared, Written
from production.unions import Parts
from production.views.fragments import jinja_partial, wants_fragment
from production.views.live import polled
from production.views.memo import MemoPartial
from production.views.rows import (
    PERSON_NAMES,
    PRIORITY_LABELS,
    STATUS_LABELS,
    DayLabels,
    TaskLinks,
    person_fields,
)

# Each list opens with its first ROWS_PER_LIST rows and counts the rest:
# every row is paid for on each visit and on every poll, and a season's
# worth of tasks would make my work five times slower than a small
# production's (BENCHMARKS.md). "Show more" opens one list, `?open=<its id>`,
# to ROWS_OPENED rows; beyond that, each production's task list has them all.
ROWS_PER_LIST = 5
ROWS_OPENED = 50

# Shown in this order; "sent back" comes first whatever its due date.
GROUPS = [
    ("changes", "Sent back for changes"),
    ("overdue", "Overdue"),
    ("today", "Today"),
    ("week", "This week"),
    ("later", "Later"),
    ("undated", "No due date"),
]


class WorkRow(NamedTuple):
    """Everything a row of my tasks or my crew's shows (_work_rows.html)."""

    url: str
    key: str
    title: str
    code: str
    production: str
    status: str
    status_label: str
    priority: int
    priority_label: str
    due: str
    due_label: str
    overdue: bool
    who: str


class DecisionRow(NamedTuple):
    """Everything a row awaiting my decision shows (_work_rows.html): a task
    in review and how long it has waited, or a pitch and its day."""

    url: str
    key: str
    title: str
    code: str
    production: str
    who: str
    verb: str
    when: str
    when_label: str


class Section(NamedTuple):
    """A list of my work with everything it shows: the key of its kept HTML.

    A list's rows cost more to render than to read, and a visit or a poll
    that finds them as they were shows them as they were: each list is
    rendered once per distinct content (views/memo.py), its rows inside it.
    """

    slug: str
    rows: tuple[WorkRow, ...] | tuple[DecisionRow, ...]
    total: int
    # Opened by its "Show more".
    opened: bool
    # A group of my tasks is titled here (GROUPS); the lists beside them by
    # _work_list.html.
    title: str = ""

    @property
    def more(self) -> int:
        return self.total - len(self.rows)


GROUP = MemoPartial("production/_work_group.html", size=1024)
LIST = MemoPartial("production/_work_list.html", size=1024)


# PERSON_NAMES in the model's order, as Model.from_db reads them.
_NAME_COLUMNS = [
    field.attname
    for field in User._meta.concrete_fields
    if field.attname in PERSON_NAMES
]
_NAME_AT = [PERSON_NAMES.index(column) for column in _NAME_COLUMNS]


def _name(names) -> str:
    """A person as User.__str__ names them, from PERSON_NAMES' values; "" for
    nobody."""
    return _person(tuple(names))


@functools.lru_cache(maxsize=1024)
def _person(names: tuple) -> str:
    # A model instance per name cost more than the row it names.
    if names[PERSON_NAMES.index("username")] is None:
        return ""
    values = [names[at] for at in _NAME_AT]
    return str(User.from_db(None, _NAME_COLUMNS, values))


@functools.lru_cache(maxsize=16)
def _words(language: str, prefix: str) -> tuple[TaskLinks, DayLabels, dict]:
    """The task links, the day and month names and the page's own links,
    made once per language and address prefix, not on every visit."""
    links = ("my-work", "project-list", "project-create")
    return TaskLinks(), DayLabels(), {name: reverse(name) for name in links}


class Page:
    """What every row of one request shares: the day, the links, the
    productions' codes and names."""

    def __init__(self, today: dt.date, productions: dict[int, tuple[str, str]]):
        self.today = today
        self.language = get_language()
        # Read once: each read of the active zone or language goes through
        # asgiref's context-local lookups, a few microseconds a row.
        self.zone = timezone.get_current_timezone()
        self.link, self.days, self.urls = _words(self.language, get_script_prefix())
        self.productions = productions

    def work_row(self, key, title, status, priority, due, project_id, who=""):
        return _work_row(
            self.link,
            self.days,
            self.today,
            self.productions[project_id],
            (key, title, status, priority, due, who),
        )

    def day_month(self, day: dt.date) -> str:
        """As "j M" writes it: 6 Nov."""
        return f"{day.day} {self.days.months[day.month]}"

    def decision_row(self, key, title, project_id, who, verb, when, when_label):
        return _decision_row(
            self.link,
            self.zone,
            self.productions[project_id],
            (key, title, who, verb, when, when_label),
        )

    def group(self, slug: str, title: str, rows, total: int, opened: str) -> str:
        """The HTML of the group `slug` of my tasks."""
        return self._kept(
            GROUP, Section(slug, tuple(rows), total, slug == opened, title)
        )

    def side_list(self, slug: str, rows, total: int, opened: str) -> str:
        """The HTML of the list `slug` beside my tasks."""
        return self._kept(LIST, Section(slug, tuple(rows), total, slug == opened))

    def _kept(self, partial: MemoPartial, section: Section) -> str:
        return partial.render(section, my_work_url=self.urls["my-work"])


@functools.lru_cache(maxsize=4096)
def _decision_row(link, zone, production: tuple, row: tuple) -> DecisionRow:
    """A row awaiting my decision, worked out once for the same values (the
    time it shows in the zone it is shown in)."""
    key, title, who, verb, when, when_label = row
    code, name = production
    return DecisionRow(
        url=link(key),
        key=key,
        title=title,
        code=code,
        production=name,
        who=who,
        verb=verb,
        when=when.astimezone(zone).isoformat(),
        when_label=when_label,
    )


@functools.lru_cache(maxsize=4096)
def _work_row(link, days, today: dt.date, production: tuple, row: tuple) -> WorkRow:
    """A row of my tasks or my crew's from what the database holds, worked
    out once for the same values."""
    key, title, status, priority, due, who = row
    code, name = production
    return WorkRow(
        url=link(key),
        key=key,
        title=title,
        code=code,
        production=name,
        status=status,
        status_label=STATUS_LABELS[status],
        priority=priority,
        priority_label=PRIORITY_LABELS[priority],
        due=due.isoformat() if due else "",
        due_label=days.short(due) if due else "",
        overdue=due is not None and due < today,
        who=who,
    )


def _shown(opened: str, slug: str) -> int:
    """How many rows the list `slug` shows: more when it is the one opened."""
    return ROWS_OPENED if slug == opened else ROWS_PER_LIST


# My productions still running: the code and name rows show, whether my
# role may approve there (workflow.can_approve's flag) and whether anyone
# reports to me there.
_MY_PRODUCTIONS = Prepared(
    lambda user_id: (
        User(pk=user_id)
        .memberships.filter(project__archived=False)
        .with_has_crew(User(pk=user_id))
        .order_by("project_id")
        .values_list(
            "project_id",
            "project__code",
            "project__name",
            "role__can_approve",
            "has_crew",
        )
    ),
    STAND_IN_ID,
)


# What a row of my tasks shows, as the union of the groups reads it.
MY_ROW_FIELDS = ("key", "title", "status", "priority", "due_date", "project_id")
STAND_IN_FIRST_DAY = dt.date(1, 2, 3)
STAND_IN_LAST_DAY = dt.date(1, 2, 4)
# The condition of the index task_my_waiting, term for term (prepared.Written).
WAITING = Q(status__in=[Written(status) for status in WAITING_STATUSES])


@functools.lru_cache(maxsize=256)
def _group_templates(project_ids: tuple) -> dict:
    """{(sent back or waiting, dated or not): my tasks of the kind, dated
    within two days or undated, in row order}: each part of the groups'
    union reads an index (task_my_work for what was sent back,
    task_my_waiting for the rest) from its first entry to its limit, however
    many tasks I have."""
    order = ("due_date", "-priority", "key")
    mine = tasks_of(project_ids).filter(assignee_id=STAND_IN_ID)
    templates = {}
    for kind, tasks in (
        ("changes", mine.filter(status=Task.Status.CHANGES)),
        ("waiting", mine.filter(WAITING)),
    ):
        dated = tasks.filter(
            due_date__gte=STAND_IN_FIRST_DAY, due_date__lte=STAND_IN_LAST_DAY
        )
        undated = tasks.filter(due_date__isnull=True)
        templates[kind, True] = Parts.template(dated, *order, fields=MY_ROW_FIELDS)
        templates[kind, False] = Parts.template(undated, *order, fields=MY_ROW_FIELDS)
    return templates


def _days(today: dt.date) -> dict[str, tuple[dt.date, dt.date] | None]:
    """Each group's first and last due date; None for no due date."""
    sunday = today + dt.timedelta(days=6 - today.weekday())
    one = dt.timedelta(days=1)
    return {
        "overdue": (dt.date.min, today - one),
        "today": (today, today),
        "week": (today + one, sunday),
        "later": (sunday + one, dt.date.max),
        "undated": None,
    }


def _my_groups(user, page: Page, opened: str, totals: dict) -> SafeString:
    """My open tasks in urgency groups, the first rows of each (one query):
    the HTML of the groups that have any."""
    templates = _group_templates(tuple(page.productions))
    parts = Parts(router.db_for_read(Task))
    who = ("assignee", STAND_IN_ID, user.pk)

    def add(slug, kind, days):
        shown = _shown(opened, slug)
        if days is None:
            parts.add(slug, templates[kind, False], [who], shown)
        else:
            first, last = days
            values = [
                who,
                ("due_date", STAND_IN_FIRST_DAY, first),
                ("due_date", STAND_IN_LAST_DAY, last),
            ]
            parts.add(slug, templates[kind, True], values, shown)

    # Sent back first whatever its due date; undated last, as in any group.
    if page.productions:
        add("changes", "changes", (dt.date.min, dt.date.max))
        add("changes", "changes", None)
        for slug, days in _days(page.today).items():
            add(slug, "waiting", days)
    found = {}
    for slug, row in parts.rows():
        found.setdefault(slug, []).append(row)
    groups = []
    for slug, title in GROUPS:
        # By due date (undated last), the most pressing first, then by key,
        # as each part reads them: a union's parts come in no promised order.
        rows = sorted(
            found.get(slug, []),
            key=lambda row: (row[4] is None, row[4] or page.today, -row[3], row[0]),
        )[: _shown(opened, slug)]
        if rows:
            rows = [page.work_row(*row) for row in rows]
            groups.append(page.group(slug, title, rows, totals[slug], opened))
    return mark_safe("".join(groups))  # noqa: S308 - each escaped by Jinja2


def _count_of(tasks) -> Subquery:
    """How many tasks a queryset has, as a subquery of another query."""
    # Rows, not ids: PostgreSQL counts them from an index that holds what the
    # filter reads (an id would send it to each task's row).
    rows = Func(template="COUNT(*)", output_field=IntegerField())
    return Subquery(tasks.order_by().annotate(total=rows).values("total"))


def _reporting(user, crew_project_ids) -> Q:
    """The people who report to me, on the productions where they do (a
    filter of tasks or of tallies).

    Asked production by production for the people who report to me there,
    so that the database reads their entries alone: crew_tasks_for's test
    of each task (EXISTS) read every open task of the production and cost
    four times as much.
    """
    theirs = Q()
    for project_id in crew_project_ids:
        people = user.reports.filter(project_id=project_id)
        theirs |= Q(project_id=project_id, assignee_id__in=people.values("user_id"))
    return theirs


def _crew_tasks(user, crew_project_ids):
    """Open tasks of the people who report to me, on the productions where
    they do (access.crew_tasks_for, on these productions)."""
    theirs = _reporting(user, crew_project_ids)
    return tasks_for(user).filter(theirs, status__in=Task.OPEN_STATUSES)


def _pitches(user, approver_ids):
    """Proposed tasks on productions where I may approve."""
    return tasks_for(user).filter(
        status=Task.Status.PROPOSED, project_id__in=approver_ids
    )


def _list_names(approver_ids: tuple, crew_project_ids: tuple) -> list[str]:
    """The lists beside my own tasks that this user has; what awaits my
    review in two parts, each read through the index task_review: mine to
    review, and where I may approve, what waits for nobody."""
    return [
        "review",
        *(["review_nobody"] if approver_ids else []),
        *(["crew"] if crew_project_ids else []),
        *(["pitches"] if approver_ids else []),
    ]


def _lists(user, approver_ids: tuple, crew_project_ids: tuple, project_ids) -> dict:
    """{name: queryset} of the lists beside my own tasks that this user has."""
    # On my productions still running, which the index holds after the
    # reviewer: it is read for those alone.
    theirs, nobodys = awaiting_review_parts(user, approver_ids)
    made = {
        "review": lambda: theirs.filter(project_id__in=project_ids),
        "review_nobody": lambda: nobodys.filter(project_id__in=project_ids),
        "crew": lambda: _crew_tasks(user, crew_project_ids),
        "pitches": lambda: _pitches(user, approver_ids),
    }
    return {name: made[name]() for name in _list_names(approver_ids, crew_project_ids)}


# The groups counted in the database; "later" is all that waits of mine
# less the others, which divide it between them.
NEARER = ("overdue", "today", "week", "undated")
# "late": my open tasks due before today, sent back or not; "late_changes":
# those sent back ("overdue" is the one less the other).
MY_COUNTS = ("changes", "late", "late_changes", "today", "week", "undated", "waiting")


def _my_counts(user_id: int, project_ids: tuple, today: dt.date) -> dict:
    """{MY_COUNTS' name: a subquery counting my open tasks in it}.

    "Sent back", all that waits of mine and what is late, from the tallies
    (tallies.py: a row per production, and per day late); what of it was
    sent back, and the groups of the days ahead, from the indexes
    task_my_work and task_my_waiting (my entries in their days). "Later",
    which grows with a season's plans, is what remains (_totals).
    """
    mine = tallies.of(project_ids).filter(assignee_id=user_id)
    late = tallies.overdue_tallies(project_ids, today).filter(assignee_id=user_id)
    sent_back = tasks_of(project_ids).filter(
        assignee_id=user_id, status=Task.Status.CHANGES, due_date__lt=today
    )
    waiting = tasks_of(project_ids).filter(WAITING, assignee_id=user_id)
    days = _days(today)
    counts = {
        "changes": tallies.total(mine.filter(status=Task.Status.CHANGES)),
        "late": tallies.total(late),
        "late_changes": _count_of(sent_back),
    }
    for slug in ("today", "week"):
        counts[slug] = _count_of(waiting.filter(due_date__range=days[slug]))
    counts["undated"] = _count_of(waiting.filter(due_date__isnull=True))
    counts["waiting"] = tallies.total(mine.filter(status__in=WAITING_STATUSES))
    return counts


def _tallied(user_id, approver_ids: tuple, crew_project_ids: tuple, project_ids):
    """{list name: its count from the productions' tallies (tallies.py)}: the
    lists of _lists, each a few tally rows however many tasks they hold."""
    in_review = tallies.of(project_ids).filter(status=Task.Status.REVIEW)
    theirs = _reporting(User(pk=user_id), crew_project_ids)
    made = {
        "review": lambda: in_review.filter(reviewer_id=user_id),
        "review_nobody": lambda: in_review.filter(
            reviewer_id=tallies.NOBODY, project_id__in=approver_ids
        ),
        "crew": lambda: tallies.open_tallies(crew_project_ids).filter(theirs),
        "pitches": lambda: tallies.of(approver_ids).filter(status=Task.Status.PROPOSED),
    }
    return {
        name: tallies.total(made[name]())
        for name in _list_names(approver_ids, crew_project_ids)
    }


@functools.lru_cache(maxsize=256)
def _totals_query(
    approver_ids: tuple, crew_project_ids: tuple, project_ids: tuple, today: dt.date
) -> Prepared:
    """How many tasks each of my groups and each of the lists has, in one query.

    Counted apart from the rows: a COUNT(*) OVER () beside the first rows
    made the database build every row of a list, wide columns and joins
    included, to show five of them. Compiled once a day for everyone on the
    same productions, as the lists' rows are (its subqueries cost Django
    four times what they cost the database).
    """

    def build(user_id):
        counts = _tallied(user_id, approver_ids, crew_project_ids, project_ids)
        counts |= _my_counts(user_id, project_ids, today)
        return User.objects.filter(pk=user_id).annotate(**counts).values_list(*counts)

    return Prepared(build, STAND_IN_ID)


def _totals(user, page: Page, approver_ids, crew_project_ids) -> dict[str, int]:
    """{list name or group slug: how many tasks it has}."""
    names = [*_list_names(approver_ids, crew_project_ids), *MY_COUNTS]
    if not page.productions:
        # On no production, nothing waits for anyone.
        return dict.fromkeys([*names, *NEARER, "later"], 0)
    query = _totals_query(
        approver_ids, crew_project_ids, tuple(page.productions), page.today
    )
    totals = dict(zip(names, query.rows(user.pk)[0], strict=True))
    totals["review"] += totals.pop("review_nobody", 0)
    totals["overdue"] = totals.pop("late") - totals.pop("late_changes")
    totals["later"] = totals.pop("waiting") - sum(totals[slug] for slug in NEARER)
    return totals


# Each list's columns and order: what awaits my review oldest first, with
# how long it has waited; my crew's late first (by due date), then the most
# pressing; pitches oldest first.
LISTS = {
    "review": (
        (
            "key",
            "title",
            "project_id",
            "status_changed_at",
            "pk",
            *person_fields("assignee"),
        ),
        ["status_changed_at", "pk"],
    ),
    "crew": (
        (*MY_ROW_FIELDS, *person_fields("assignee")),
        [F("due_date").asc(nulls_last=True), F("priority").desc(), "key"],
    ),
    "pitches": (
        (
            "key",
            "title",
            "project_id",
            "created_at",
            *person_fields("assignee"),
            *person_fields("created_by"),
        ),
        ["created_at", "pk"],
    ),
}


@functools.lru_cache(maxsize=512)
def _rows_query(
    name: str, approver_ids: tuple, crew_project_ids: tuple, project_ids, shown: int
) -> Prepared:
    """The first `shown` rows of the list `name`."""
    fields, order = LISTS[name]
    return Prepared(
        lambda user_id: (
            _lists(User(pk=user_id), approver_ids, crew_project_ids, project_ids)[name]
            .order_by(*order)
            .values_list(*fields)[:shown]
        ),
        STAND_IN_ID,
    )


@functools.lru_cache(maxsize=256)
def _review_templates(approver_ids: tuple, project_ids: tuple) -> list:
    """The parts of what awaits my review (_list_names), to read as one union."""
    fields, order = LISTS["review"]
    lists = _lists(User(pk=STAND_IN_ID), approver_ids, (), project_ids)
    return [
        Parts.template(lists[name], *order, fields=fields)
        for name in ("review", "review_nobody")
        if name in lists
    ]


def _review_rows(user, page: Page, approver_ids: tuple, shown: int) -> list[tuple]:
    """The first `shown` tasks that await my review, oldest first (one query)."""
    parts = Parts(router.db_for_read(Task))
    for template in _review_templates(approver_ids, tuple(page.productions)):
        parts.add("review", template, [("reviewer", STAND_IN_ID, user.pk)], shown)
    # By status_changed_at, then pk (LISTS).
    return sorted((row for _, row in parts.rows()), key=lambda row: row[3:5])[:shown]


def _waited(since, now, language: str) -> str:
    """How long a task in review has waited, in whole minutes and up."""
    waited = now - since
    if waited < dt.timedelta(minutes=1):
        return "under a minute"
    # Its seconds left out (as timesince does): the words are the same all
    # minute long, and kept for it.
    return _timesince(since, now - waited % dt.timedelta(minutes=1), language)


@functools.lru_cache(maxsize=1024)
def _timesince(since, now, language: str) -> str:
    # Kept: Django's words for it cost more than the row they go in.
    return timesince(since, now, depth=1)


@functools.lru_cache(maxsize=256)
def _team_query(approver_ids: tuple, today: dt.date) -> Prepared:
    """The people on these crews, each once, with their open and overdue
    tasks on these productions; compiled once a day for everyone who
    approves on them.

    Counted person by person from the productions' tallies (tallies.py):
    the open tasks from their statuses, the overdue ones from the days
    before today. Grouping the productions' open tasks by assignee sorted
    every one of them and cost three times as much; counting the overdue
    ones from the index read an entry per overdue task.
    """
    person = OuterRef("pk")
    open_tallies = tallies.open_tallies(approver_ids).filter(assignee_id=person)
    late_days = tallies.overdue_tallies(approver_ids, today).filter(assignee_id=person)
    return Prepared(
        lambda: (
            User.objects.filter(memberships__project_id__in=approver_ids)
            .distinct()
            .annotate(
                open_count=tallies.total(open_tallies),
                overdue_count=tallies.total(late_days),
            )
            .order_by()
            .values_list(*PERSON_NAMES, "open_count", "overdue_count")
        )
    )


def _team_load(approver_ids: tuple, today: dt.date) -> list[tuple]:
    """(name, open, overdue) for each crew member of these productions, the
    most overdue first (one query)."""
    first_name, username = (PERSON_NAMES.index(n) for n in ("first_name", "username"))
    team = []
    for *names, open_count, overdue_count in _team_query(approver_ids, today).rows():
        order = (-overdue_count, -open_count, names[first_name], names[username])
        team.append((order, (_name(names), open_count, overdue_count)))
    return [person for _, person in sorted(team)]


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
    memberships = _MY_PRODUCTIONS.rows(user.pk)
    page = Page(today, {row[0]: (row[1], row[2]) for row in memberships})
    # The team's load is about the people a producer supervises: the crews of
    # the productions where their role may approve work.
    approver_ids = tuple(row[0] for row in memberships if row[3])
    # My crew's work: only where someone reports to me, and no query otherwise.
    crew_project_ids = tuple(row[0] for row in memberships if row[4])
    # The one list opened by its "Show more" (any other value opens none).
    opened = request.GET.get("open", "")
    totals = _totals(user, page, approver_ids, crew_project_ids)

    def rows(name: str, slug: str) -> list[tuple]:
        shown = _shown(opened, slug)
        projects = tuple(page.productions)
        query = _rows_query(name, approver_ids, crew_project_ids, projects, shown)
        return query.rows(user.pk)

    # On no production, nothing awaits anyone's review.
    shown = _shown(opened, "review")
    awaiting = _review_rows(user, page, approver_ids, shown) if memberships else []
    review = [
        page.decision_row(
            key,
            title,
            project_id,
            _name(names),
            "waiting",
            since,
            _waited(since, now, page.language),
        )
        for key, title, project_id, since, _, *names in awaiting
    ]
    groups = _my_groups(user, page, opened, totals)
    work = {
        "path": request.get_full_path(),
        "poll_seconds": settings.SLATE_POLL_SECONDS,
        "project_list_url": page.urls["project-list"],
        "project_create_url": page.urls["project-create"],
        "groups": groups,
        "has_tasks": bool(groups),
        "is_approver": bool(approver_ids),
        "has_review": bool(review),
        "review": page.side_list("review", review, totals["review"], opened),
        "has_productions": bool(memberships),
        "has_crew": bool(crew_project_ids),
    }
    if crew_project_ids:
        fields = len(MY_ROW_FIELDS)
        crew_work = [
            page.work_row(*row[:fields], who=_name(row[fields:]))
            for row in rows("crew", "crew-work")
        ]
        work["crew"] = page.side_list("crew-work", crew_work, totals["crew"], opened)
    if approver_ids:
        pitches = [
            # A pitch is its pitcher's own: they are its assignee when their
            # role may be assigned.
            page.decision_row(
                key,
                title,
                project_id,
                _name(names[: len(PERSON_NAMES)]) or _name(names[len(PERSON_NAMES) :]),
                "pitched",
                created_at,
                page.day_month(created_at.astimezone(page.zone)),
            )
            for key, title, project_id, created_at, *names in rows("pitches", "pitches")
        ]
        work["pitches"] = page.side_list("pitches", pitches, totals["pitches"], opened)
        work["team"] = _team_load(approver_ids, today)
    context = {"today": today, "work": jinja_partial("production/_work.html", work)}
    template = "production/my_work.html"
    if wants_fragment(request):
        template += "#work"
    return render(request, template, context)
