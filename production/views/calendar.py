"""The calendar pages: a production's month, my month, and my private iCal feed."""

import calendar as pycalendar
import datetime as dt
import functools
import re
import threading
from dataclasses import dataclass, field
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connections
from django.db.models import BooleanField, Case, Count, IntegerField, Q, Value, When
from django.db.models.expressions import RawSQL
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS, WEEKDAYS
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from production import dates, ical
from production.access import get_project, projects_for, tasks_of
from production.bookings import conflicts_for
from production.filters import TaskFilterForm, crew_and_episodes
from production.models import Task, User
from production.unions import Parts, Query
from production.views.fragments import wants_fragment
from production.views.memo import MemoPartial
from production.views.rows import PERSON_NAMES, TaskLinks

TEMPLATE = "production/calendar.html"
# A day shows this many entries and counts the rest behind "+N more", which
# opens that day in full: a busy production has hundreds due in a month, and
# each entry shown is rendered on every visit (five a day made a season's
# month twice the work of a small production's; three keep it near).
ENTRIES_PER_DAY = 3
MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")
FIRST_YEAR, LAST_YEAR = dates.FIRST_DAY.year, dates.LAST_DAY.year
# What an entry reads of its task: each day's part of the month's union
# reads these straight from its rows, with no model instances to make. (A
# due date's day is its part's.)
ROW_FIELDS = (
    "pk",
    "key",
    "title",
    "kind",
    "status",
    "starts_at",
    "ends_at",
    "guest",
    "contact",
    "location",
    "confirmed",
    "project_id",
    "assignee_id",
)
OPEN_STATUSES = frozenset(Task.OPEN_STATUSES)


class Row(NamedTuple):
    """A task as an entry reads it (ROW_FIELDS), and as conflicts_for does."""

    pk: int
    key: str
    title: str
    kind: str
    status: str
    starts_at: dt.datetime | None
    ends_at: dt.datetime | None
    guest: str
    contact: str
    location: str
    confirmed: bool
    project_id: int
    assignee_id: int | None

    # tasks_of leaves archived tasks out; conflicts_for asks.
    archived = False

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class Shown(NamedTuple):
    """Everything an entry shows (_calendar_day.html), as plain values."""

    url: str
    key: str
    title: str
    kind: str
    status: str
    is_slot: bool
    overdue: bool
    closed: bool
    time_range: str
    # (url, key) of each booking its slot clashes with.
    conflicts: tuple[tuple[str, str], ...]
    guest: str
    contact: str
    location: str
    confirmed: bool
    assignee: str


class ShownDay(NamedTuple):
    """Everything a day of the grid shows: the key its HTML is kept under."""

    iso: str
    number: int
    weekday: str
    month_name: str
    in_month: bool
    is_today: bool
    entries: tuple[Shown, ...]
    more: int
    more_url: str


# A day's HTML, kept per process under everything it shows (views/memo.py):
# a month is 42 days, most of them the same from one visit to the next.
# A day is a few kilobytes (one opened in full, more): some twenty months.
DAY = MemoPartial("production/_calendar_day.html", size=1024)


@dataclass
class Entry:
    """One line on a day: a task's due date, or a booking's slot."""

    task_id: int
    key: str
    day: dt.date
    starts: dt.datetime | None = None
    ends: dt.datetime | None = None
    task: Row | None = None
    conflicts: list[Task] = field(default_factory=list)
    # A due date's Task.is_overdue, by the page's clock.
    overdue: bool = False
    # A slot's assignee, named as User.__str__ does ("" for none).
    assignee: str = ""

    @property
    def is_slot(self) -> bool:
        return self.starts is not None

    @property
    def time_range(self) -> str:
        """Start and end in the production's time zone: "07:30–08:00 GMT"."""
        text = f"{self.starts:%H:%M}"
        if self.ends:
            text += f"–{self.ends:%H:%M}"
            if self.ends.date() != self.starts.date():
                text += f" ({self.ends:%a} {self.ends.day} {self.ends:%b})"
        return f"{text} {self.starts:%Z}"

    def shown(self, link: TaskLinks) -> Shown:
        task = self.task
        due = _due_shown(link, task, self.overdue)
        if not self.is_slot:
            return due
        return due._replace(
            is_slot=True,
            overdue=False,
            time_range=self.time_range,
            conflicts=tuple((link(other.key), other.key) for other in self.conflicts),
            guest=task.guest,
            contact=task.contact,
            location=task.location,
            confirmed=task.confirmed,
            assignee=self.assignee,
        )


@functools.lru_cache(maxsize=4096)
def _due_shown(link: TaskLinks, task: Row, overdue: bool) -> Shown:
    """A due date as its day shows it, worked out once for the same task: a
    due date shows none of a booking's details (none in its key)."""
    return Shown(
        url=link(task.key),
        key=task.key,
        title=task.title,
        kind=task.kind,
        status=task.status,
        is_slot=False,
        overdue=overdue,
        closed=not task.is_open,
        time_range="",
        conflicts=(),
        guest="",
        contact="",
        location="",
        confirmed=False,
        assignee="",
    )


@dataclass
class Day:
    date: dt.date
    in_month: bool
    is_today: bool
    entries: list[Entry] = field(default_factory=list)
    more: int = 0
    # Where "+N more" opens the day in full, when there is more.
    more_url: str = ""

    def shown(self, link: TaskLinks, names: "DayNames") -> ShownDay:
        return ShownDay(
            iso=self.date.isoformat(),
            number=self.date.day,
            # What the date filter's "l" and "F" say, without it.
            weekday=names.weekdays[self.date.weekday()],
            month_name=names.months[self.date.month],
            in_month=self.in_month,
            is_today=self.is_today,
            entries=tuple(entry.shown(link) for entry in self.entries),
            more=self.more,
            more_url=self.more_url,
        )


def parse_month(value: str | None, today: dt.date) -> tuple[dt.date, str]:
    """The first day of the month asked for, and an error for a bad value."""
    if not value:
        return today.replace(day=1), ""
    match = MONTH_PATTERN.match(value)
    if match:
        year, month = int(match[1]), int(match[2])
        if FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12:
            return dt.date(year, month, 1), ""
    return (
        today.replace(day=1),
        f"“{value[:20]}” is not a month like 2026-12 between {FIRST_YEAR} and "
        f"{LAST_YEAR}; showing this month instead.",
    )


def _day(value: str | None) -> dt.date | None:
    """The day asked to be shown in full, or None for a missing or bad one."""
    try:
        return dt.date.fromisoformat(value or "")
    except ValueError:
        return None


def grid_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    """The Monday before (or on) the 1st, and the Sunday after (or on) the last day."""
    last = month.replace(day=pycalendar.monthrange(month.year, month.month)[1])
    return (
        month - dt.timedelta(days=month.weekday()),
        last + dt.timedelta(days=6 - last.weekday()),
    )


def month_weeks(month: dt.date, today: dt.date) -> list[list[Day]]:
    """The month's grid of days, Monday to Sunday, still empty."""
    first, last = grid_bounds(month)
    days = [
        Day(day, day.month == month.month, day == today)
        for day in (
            first + dt.timedelta(days=n) for n in range((last - first).days + 1)
        )
    ]
    return [days[index : index + 7] for index in range(0, len(days), 7)]


def _shifted(month: dt.date, months: int) -> dt.date | None:
    index = month.year * 12 + month.month - 1 + months
    year, month_index = divmod(index, 12)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return None
    return dt.date(year, month_index + 1, 1)


# Stand-ins for the day a part of the month's queries is about: compiled
# once with these, the SQL is repeated for each day with the real values in
# their places (compiling a query costs as much as running it, and a month
# has 42 days). Nothing else in a query can equal them: they are before the
# first year Slate accepts (dates.FIRST_DAY). The n-th time zone's day
# starts at STAND_IN_DAY + 2n days and ends a day later.
STAND_IN_DAY = dt.date(1900, 1, 1)
STAND_IN_MIDNIGHT = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
# The day opened in full still has a bound: no day is this busy.
DAY_IN_FULL = 500


def _stand_in_day(zone_index: int) -> tuple[dt.datetime, dt.datetime]:
    starts = STAND_IN_MIDNIGHT + dt.timedelta(days=2 * zone_index)
    return starts, starts + dt.timedelta(days=1)


@dataclass
class MonthValues:
    """The grid's days as its queries hold them, prepared for the database
    once a page and shared by the counts and the days' parts: each day's
    date, and in each time zone the instants its days start at (the day
    after the grid's last among them)."""

    dates: list[dt.date]
    zones: list[str]
    db: str
    due_dates: list = field(init=False)
    midnights: dict[str, list[dt.datetime]] = field(init=False)
    starts: dict[str, list] = field(init=False)

    def __post_init__(self):
        connection = connections[self.db]
        day, instant = (
            Task._meta.get_field(name) for name in ("due_date", "starts_at")
        )
        self.due_dates = [
            day.get_db_prep_value(date, connection) for date in self.dates
        ]
        after = [*self.dates, self.dates[-1] + dt.timedelta(days=1)]
        self.midnights, self.starts = {}, {}
        for zone in self.zones:
            tzinfo = ZoneInfo(zone)
            self.midnights[zone] = [
                dt.datetime.combine(date, dt.time.min, tzinfo=tzinfo) for date in after
            ]
            self.starts[zone] = [
                instant.get_db_prep_value(at, connection) for at in self.midnights[zone]
            ]

    def of_day(self, index: int) -> list[tuple]:
        """(field, stand-in, value) of each stand-in of the day's queries."""
        found = [("due_date", STAND_IN_DAY, self.due_dates[index])]
        for zone_index, zone in enumerate(self.zones):
            stand_ins = _stand_in_day(zone_index)
            local = self.starts[zone][index : index + 2]
            for stand_in, value in zip(stand_ins, local, strict=True):
                found.append(("starts_at", stand_in, value))
        return found


def _counts(month: MonthValues, queries: "MonthQueries") -> dict:
    """{(kind, day, zone): how many}: each day's due dates ("due", zone None)
    and slots ("slot", the slot's time zone), as fill_month shows them.

    Two queries whatever the size of the month: the due dates counted by
    day through the (project, due date) index, and the slots counted by
    their local day (_slot_days). Forty-two days' counts as parts of one
    union cost PostgreSQL more to plan than to run.
    """
    dates, zones = month.dates, month.zones
    per_part = dict.fromkeys(
        [("due", date, None) for date in dates]
        + [("slot", date, zone) for date in dates for zone in zones],
        0,
    )
    for date, count in queries.due_count.rows():
        per_part["due", date, None] = count
    for place, count in queries.slot_count.rows() if queries.slot_count else ():
        # As _slot_days numbers them.
        index, zone_index = divmod(place // 2, len(zones))
        date = dates[index]
        per_part["slot", date, zones[zone_index]] += count
        if place % 2:
            # Its slot shows instead of its due date on the same day.
            per_part["due", date, None] -= count
    return per_part


def _due_days(month: MonthValues, tasks, *, due_of):
    """The due dates of `month`'s days (for my calendar: mine), counted by day."""
    due = tasks if due_of is None else tasks.filter(assignee_id=due_of.pk)
    return (
        due.filter(due_date__range=(month.dates[0], month.dates[-1]))
        .values_list("due_date")
        .annotate(count=Count("pk"))
        .order_by()
    )


def _slot_days(month: MonthValues, tasks, *, due_of):
    """The bookings whose slot starts on one of `month`'s days in one of its
    time zones, counted by their place: 2 x (the day's index x the number
    of zones + the zone's index), plus 1 for those due that day too (for
    my calendar: due that day and mine). None without a time zone.

    The database finds each slot's local day, by the instants the days
    start at: a month's bookings are counted there, not read.
    """
    zones = month.zones
    if not zones:
        return None
    connection = connections[tasks.db]
    quoted = connection.ops.quote_name
    table = quoted(Task._meta.db_table)
    starts_at, due_date, assignee = (
        f"{table}.{quoted(Task._meta.get_field(name).column)}"
        for name in ("starts_at", "due_date", "assignee")
    )
    due_too = f"{due_date} = %s"
    if due_of is not None:
        due_too += f" AND {assignee} = %s"

    def day_of(bounds: list, first: int, last: int, zone_index: int) -> tuple:
        """SQL telling which of days first..last a slot starts on (2 x its
        place among the month's days and zones, plus 1 when due that day
        too) and its params: halving the days at each step, so that each
        row is compared some six times rather than once for each day."""
        if first == last:
            params = [2 * (first * len(zones) + zone_index), month.due_dates[first]]
            if due_of is not None:
                params.append(due_of.pk)
            return f"%s + CASE WHEN {due_too} THEN 1 ELSE 0 END", params
        middle = (first + last + 1) // 2
        before, before_params = day_of(bounds, first, middle - 1, zone_index)
        after, after_params = day_of(bounds, middle, last, zone_index)
        return (
            f"CASE WHEN {starts_at} < %s THEN {before} ELSE {after} END",
            [bounds[middle], *before_params, *after_params],
        )

    parts = []
    for zone_index, zone in enumerate(zones):
        midnights = month.midnights[zone]
        sql, params = day_of(month.starts[zone], 0, len(month.dates) - 1, zone_index)
        bookings = tasks.filter(
            kind=Task.Kind.BOOKING,
            starts_at__gte=midnights[0],
            starts_at__lt=midnights[-1],
        )
        if len(zones) > 1:
            bookings = bookings.filter(project__time_zone=zone)
        # Column names quoted above and placeholders: every value is in params.
        place = RawSQL(sql, params, output_field=IntegerField())  # noqa: S611
        parts.append(
            bookings.annotate(place=place)
            .values_list("place")
            .annotate(count=Count("pk"))
            .order_by()
        )
    if len(parts) == 1:
        return parts[0]
    # Counted, not listed: without the model's order, which a union sorts by.
    return parts[0].union(*parts[1:], all=True).order_by()


class MonthQueries:
    """The queries of a month of `tasks`, compiled once for the same filters
    and month and kept (KEPT): compiling them cost more than running them,
    and a calendar is seen again and again as it is. The counts are run as
    they were compiled; the days' parts (unions.Parts) with each day's
    values."""

    def __init__(self, month: MonthValues, tasks, *, due_of):
        zones = month.zones
        self.due_count = Query(_due_days(month, tasks, due_of=due_of), tasks.db)
        slot_days = _slot_days(month, tasks, due_of=due_of)
        self.slot_count = None if slot_days is None else Query(slot_days, tasks.db)
        slot_on_day = Q()
        slot_templates = {}
        for index, zone in enumerate(zones):
            starts, ends = _stand_in_day(index)
            on_day = Q(starts_at__gte=starts, starts_at__lt=ends)
            if len(zones) > 1:
                on_day &= Q(project__time_zone=zone)
            slot_on_day |= on_day
            slot_templates[zone] = tasks.filter(on_day, kind=Task.Kind.BOOKING)
        # Not shown as a due date: a booking whose slot is on the same day.
        # Said as a CASE, not NOT(...): PostgreSQL's planner tries its
        # indexes against each term of a negated condition, 5 ms a day's
        # part with two time zones and 145 ms a month's union (BENCHMARKS.md),
        # where a CASE is one filter to it (0.2 ms a part).
        slot_shown = Case(
            When(slot_on_day & Q(kind=Task.Kind.BOOKING), then=Value(False)),
            default=Value(True),
            output_field=BooleanField(),
        )
        due = tasks.filter(slot_shown, due_date=STAND_IN_DAY)
        if due_of is not None:
            due = due.filter(assignee_id=due_of.pk)
        self.templates = {("due", None): Parts.template(due, "pk", fields=ROW_FIELDS)}
        for zone, slots in slot_templates.items():
            self.templates["slot", zone] = Parts.template(
                slots, "starts_at", "pk", fields=ROW_FIELDS
            )


class Kept:
    """The last `size` months' queries, each under all it was made from."""

    def __init__(self, size: int):
        self.size = size
        self._kept: dict = {}
        self._lock = threading.Lock()

    def get(self, month: MonthValues, tasks, *, due_of) -> MonthQueries:
        # The filters as tasks' WHERE clause says them (compiled in a tenth
        # of the whole query's time; `tasks` has nothing else of its own: a
        # production's or my productions' tasks, filtered), and all else the
        # queries are made from.
        where, params = tasks.query.get_compiler(tasks.db).compile(tasks.query.where)
        key = (
            tasks.db,
            connections[tasks.db].vendor,
            where,
            tuple(params),
            tuple(month.dates),
            tuple(month.zones),
            due_of.pk if due_of is not None else None,
        )
        queries = self._kept.get(key)
        if queries is None:
            queries = MonthQueries(month, tasks, due_of=due_of)
            with self._lock:
                while len(self._kept) >= self.size:
                    del self._kept[next(iter(self._kept))]
                self._kept[key] = queries
        return queries


KEPT = Kept(size=64)


def fill_month(weeks, tasks, *, user, zones: list[str], due_of=None, expanded=None):
    """Each day of the grid with its first ENTRIES_PER_DAY entries (or all,
    for the `expanded` day) and how many more it has; {day: its count}.

    Due dates come first (in the order of the index: by task id), then
    booking slots by start time. A booking appears on the day its slot
    starts in its production's time zone (one of `zones`); its due date
    shows too only when it falls on another day. `due_of` limits due dates
    to one person's tasks (my calendar).

    Three queries whatever the size of the month: the counts (_counts' two)
    and each day's first entries; then the shown bookings' clashes.
    """
    days = [day for week in weeks for day in week]
    month = MonthValues([day.date for day in days], zones, tasks.db)
    queries = KEPT.get(month, tasks, due_of=due_of)
    per_part = _counts(month, queries)
    per_day = dict.fromkeys((day.date for day in days), 0)
    for (_, date, _), count in per_part.items():
        per_day[date] += count

    ordered = queries.templates
    firsts = Parts(tasks.db)
    for index, day in enumerate(days):
        limit = DAY_IN_FULL if day.date == expanded else ENTRIES_PER_DAY
        # Slots fill what the due dates leave of the day: none, on a busy one.
        due_count = per_part["due", day.date, None]
        left = {"due": limit, "slot": limit - min(due_count, limit)}
        for kind, zone in ordered:
            if per_part[kind, day.date, zone] and left[kind]:
                key = (kind, day.date, zone)
                firsts.add(key, ordered[kind, zone], month.of_day(index), left[kind])

    today = timezone.localdate()
    local = {zone: ZoneInfo(zone) for zone in zones}
    by_day = {}
    for (kind, date, zone), values_read in firsts.rows():
        task = Row(*values_read)
        if kind == "due":
            overdue = task.is_open and date < today
            entry = Entry(task.pk, task.key, date, task=task, overdue=overdue)
        else:
            ends = task.ends_at.astimezone(local[zone]) if task.ends_at else None
            starts = task.starts_at.astimezone(local[zone])
            entry = Entry(task.pk, task.key, date, starts, ends, task)
        by_day.setdefault(date, {"due": [], "slot": []})[kind].append(entry)
    slot_entries = []
    for day in days:
        if day.date not in by_day:
            continue
        due_entries, slots = by_day[day.date]["due"], by_day[day.date]["slot"]
        # Slots of several time zones: by their local time, as the day reads.
        slots.sort(key=lambda entry: (entry.starts.time(), entry.key))
        limit = DAY_IN_FULL if day.date == expanded else ENTRIES_PER_DAY
        day.entries = (due_entries + slots)[:limit]
        day.more = per_day[day.date] - len(day.entries)
        slot_entries += [entry for entry in day.entries if entry.is_slot]
    clashes = conflicts_for([entry.task for entry in slot_entries], user=user)
    # Only a slot names its assignee: read for the few shown, rather than
    # joined in each day's part (PostgreSQL plans each join anew).
    people = User.objects.only(*PERSON_NAMES).in_bulk(
        {entry.task.assignee_id for entry in slot_entries} - {None}
    )
    for entry in slot_entries:
        entry.conflicts = clashes.get(entry.task_id, [])
        entry.assignee = str(people.get(entry.task.assignee_id, ""))
    return per_day


def _filter_form(request, *, project=None) -> TaskFilterForm:
    if project is None:
        # Across productions there is no one crew or episode list to offer.
        return TaskFilterForm(request.GET, omit=("sort", "assignee", "episode"))
    crew, episodes = crew_and_episodes(project)
    # A calendar is ordered by day: it has no sort.
    return TaskFilterForm(request.GET, crew=crew, episodes=episodes, omit=("sort",))


def _without_cancelled(tasks, form: TaskFilterForm):
    # Cancelled work clutters a calendar; it shows when asked for by status.
    if form.cleaned().get("status") == Task.Status.CANCELLED:
        return tasks
    return tasks.exclude(status=Task.Status.CANCELLED)


def _month_links(request, month: dt.date) -> dict:
    query = request.GET.copy()
    links = {}
    for name, months in (("previous", -1), ("next", 1)):
        target = _shifted(month, months)
        if target is None:
            links[name] = None
            continue
        query["month"] = target.strftime("%Y-%m")
        links[name] = {"month": target, "query": "?" + query.urlencode()}
    today_query = request.GET.copy()
    today_query.pop("month", None)
    links["this_month"] = "?" + today_query.urlencode()
    return links


def _render(request, context: dict) -> HttpResponse:
    template = TEMPLATE
    if wants_fragment(request):
        template += "#grid"
    return render(request, template, context)


class DayNames:
    """The names of the days of the week and of the months, translated once
    for a page rather than once for each day."""

    def __init__(self):
        self.weekdays = [str(name) for name in WEEKDAYS.values()]
        self.months = {number: str(name) for number, name in MONTHS.items()}


def _days_html(weeks) -> str:
    link, names = TaskLinks(), DayNames()
    days = [DAY.render(day.shown(link, names)) for week in weeks for day in week]
    # Laid out as the page's list indents them.
    return mark_safe("".join(f"\n    {day}\n    " for day in days))  # noqa: S308 - Jinja2 escaped each


def _month_context(request, tasks, form, *, zones, due_of=None) -> dict:
    today = timezone.localdate()
    month, month_error = parse_month(request.GET.get("month"), today)
    weeks = month_weeks(month, today)
    counts = fill_month(
        weeks,
        _without_cancelled(form.apply(tasks, sort=False), form),
        user=request.user,
        zones=zones,
        due_of=due_of,
        expanded=_day(request.GET.get("day")),
    )
    # "+N more" opens its day: the page's query with that day, encoded once
    # for the month (a month of busy days encoded it 42 times).
    query = request.GET.copy()
    query.pop("day", None)
    opens = f"?{query.urlencode()}&day=" if query else "?day="
    for day in (day for week in weeks for day in week if day.more):
        day.more_url = opens + day.date.isoformat()
    return {
        "month": month,
        "month_error": month_error,
        "weeks": weeks,
        "days_html": _days_html(weeks),
        "month_is_empty": not any(
            count for day, count in counts.items() if day.month == month.month
        ),
        "links": _month_links(request, month),
        "filter_form": form,
        # Filtering stays on the month shown (the grid keeps this up to date).
        "keep": [("month", f"{month:%Y-%m}")],
        "clear_url": f"{request.path}?month={month:%Y-%m}",
    }


@require_GET
@login_required
@vary_on_headers("HX-Request")
def project_calendar(request, code):
    """A production's due dates and booking slots, by month."""
    project, _ = get_project(request.user, code)
    form = _filter_form(request, project=project)
    context = _month_context(
        request, tasks_of([project.pk]), form, zones=[project.time_zone]
    )
    context["project"] = project
    return _render(request, context)


@require_GET
@login_required
@vary_on_headers("HX-Request")
def my_calendar(request):
    """My due dates and my productions' bookings, by month, and my feed address."""
    form = _filter_form(request)
    running = dict(
        projects_for(request.user).filter(archived=False).values_list("pk", "time_zone")
    )
    zones = sorted(set(running.values()))
    context = _month_context(
        request, tasks_of(running), form, zones=zones, due_of=request.user
    )
    context["feed"] = _feed(request)
    return _render(request, context)


def _feed(request) -> dict | None:
    """The user's feed address, plain and as webcal:// for calendar apps."""
    token = ical.feed_token(request.user)
    if token is None:
        return None
    url = request.build_absolute_uri(ical.feed_path(token))
    return {"url": url, "webcal": "webcal://" + url.split("://", 1)[1]}


@require_POST
@login_required
def feed_token(request):
    """Make a new private feed address; the old one stops working."""
    replacing = bool(request.user.calendar_token)
    ical.feed_token_reset(user=request.user)
    if replacing:
        message = "Your new feed address is ready; the old one no longer works."
    else:
        message = "Your feed address is ready. Keep it private: it needs no login."
    if request.htmx:
        return render(
            request,
            TEMPLATE + "#feed",
            {"feed": _feed(request), "feed_message": message},
        )
    messages.success(request, message)
    return redirect(reverse("my-calendar") + "#feed")


# No @login_required: calendar apps cannot log in; the token is the key.
@require_safe
def feed(request, token):
    """A person's calendar as iCal, for calendar apps to subscribe to."""
    user = ical.user_for_feed_token(token)
    if user is None:
        raise Http404("No such calendar feed.")
    body = ical.build_feed(
        user,
        base_url=request.build_absolute_uri("/"),
        uid_domain=request.get_host().split(":")[0],
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="slate.ics"'
    # Private to its owner: no shared caches, no search engines.
    response["Cache-Control"] = "private, no-cache"
    response["X-Robots-Tag"] = "noindex"
    return response
