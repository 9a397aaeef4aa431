"""The calendar pages: a production's month, my month, and my private iCal feed."""

import calendar as pycalendar
import datetime as dt
import re
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from production import dates, ical
from production.access import get_project, tasks_for
from production.bookings import conflicts_for
from production.filters import TaskFilterForm, crew_and_episodes
from production.models import Task
from production.views.fragments import jinja_partial, wants_fragment
from production.views.rows import label_rows

TEMPLATE = "production/calendar.html"
# A day shows this many entries and counts the rest behind "+N more", which
# opens that day in full: a busy production has hundreds due in a month.
ENTRIES_PER_DAY = 5
MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")
FIRST_YEAR, LAST_YEAR = dates.FIRST_DAY.year, dates.LAST_DAY.year
# Slots are fetched by UTC instant, then placed on their production's local
# day; no time zone is more than 14 hours from UTC.
ZONE_MARGIN = dt.timedelta(days=1)


@dataclass
class Entry:
    """One line on a day: a task's due date, or a booking's slot.

    Placed from a few columns of every task in the month; the task itself
    (`task`) is fetched only for the entries the grid shows.
    """

    task_id: int
    key: str
    day: dt.date
    starts: dt.datetime | None = None
    ends: dt.datetime | None = None
    task: Task | None = None
    conflicts: list[Task] = field(default_factory=list)

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

    @property
    def sort_key(self):
        return (
            self.is_slot,
            self.starts.time() if self.starts else None,
            self.key,
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


def month_weeks(
    month: dt.date,
    entries: list[Entry],
    today: dt.date,
    *,
    expanded: dt.date | None = None,
) -> list[list[Day]]:
    """The month's grid, Monday to Sunday, with each entry on its day.

    Each day keeps its first ENTRIES_PER_DAY entries and counts the rest,
    but for the `expanded` day, shown in full.
    """
    first, last = grid_bounds(month)
    days = {}
    day = first
    while day <= last:
        days[day] = Day(day, day.month == month.month, day == today)
        day += dt.timedelta(days=1)
    for entry in sorted(entries, key=lambda entry: entry.sort_key):
        if entry.day in days:
            days[entry.day].entries.append(entry)
    for day in days.values():
        if day.date != expanded and len(day.entries) > ENTRIES_PER_DAY:
            day.more = len(day.entries) - ENTRIES_PER_DAY
            del day.entries[ENTRIES_PER_DAY:]
    ordered = list(days.values())
    return [ordered[index : index + 7] for index in range(0, len(ordered), 7)]


def _shifted(month: dt.date, months: int) -> dt.date | None:
    index = month.year * 12 + month.month - 1 + months
    year, month_index = divmod(index, 12)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return None
    return dt.date(year, month_index + 1, 1)


def _in_window(tasks, *, first: dt.date, last: dt.date, due: Q | None = None):
    """Tasks due, or with a booking slot starting, within the grid's days."""
    after = dt.datetime.combine(first, dt.time.min, tzinfo=dt.UTC) - ZONE_MARGIN
    before = dt.datetime.combine(last, dt.time.max, tzinfo=dt.UTC) + ZONE_MARGIN
    due_in_window = Q(due_date__range=(first, last))
    if due is not None:
        due_in_window &= due
    slot_in_window = Q(kind=Task.Kind.BOOKING, starts_at__range=(after, before))
    return tasks.filter(due_in_window | slot_in_window).select_related("assignee")


# What placing a task on the grid, and checking a booking for clashes,
# needs: far less than the task itself.
PLACING_FIELDS = (
    "pk",
    "key",
    "kind",
    "status",
    "due_date",
    "assignee_id",
    "project_id",
    "project__time_zone",
    "starts_at",
    "ends_at",
    "guest",
    "location",
)


def build_entries(tasks, *, user, first: dt.date, last: dt.date, due_of=None):
    """The entries of these tasks on the grid's days, with booking conflicts.

    A booking appears on the day its slot starts in its production's time
    zone; its due date shows too only when it falls on another day.
    `due_of` limits due dates to one person's tasks (my calendar). Only a
    few columns of each task are read: a busy month has thousands of
    entries, and the grid shows five a day (see show_tasks).
    """
    entries, slots = [], []
    for row in tasks.values_list(*PLACING_FIELDS):
        pk, key, kind, status, due, assignee_id, project_id, zone, *slot = row
        slot_day = None
        if kind == Task.Kind.BOOKING and slot[0]:
            tzinfo = ZoneInfo(zone)  # cached by zoneinfo itself
            starts_at, ends_at, guest, location = slot
            starts = starts_at.astimezone(tzinfo)
            slot_day = starts.date()
            if first <= slot_day <= last:
                ends = ends_at.astimezone(tzinfo) if ends_at else None
                entries.append(Entry(pk, key, slot_day, starts, ends))
                # What conflicts_for reads of a booking, and no more.
                booking = Task(
                    pk=pk,
                    key=key,
                    kind=kind,
                    status=status,
                    project_id=project_id,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    guest=guest,
                    location=location,
                )
                slots.append((entries[-1], booking))
        if (
            due
            and first <= due <= last
            and due != slot_day
            and (due_of is None or assignee_id == due_of.pk)
        ):
            entries.append(Entry(pk, key, due))
    clashes = conflicts_for([booking for _, booking in slots], user=user)
    for entry, booking in slots:
        entry.conflicts = clashes.get(booking.pk, [])
    return entries


def show_tasks(weeks, tasks) -> None:
    """Fetch the tasks of the entries the grid shows (one query), with their
    links and labels (views/rows.py)."""
    shown = [entry for week in weeks for day in week for entry in day.entries]
    found = tasks.filter(pk__in={entry.task_id for entry in shown}).in_bulk()
    label_rows(found.values())
    for entry in shown:
        entry.task = found[entry.task_id]


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


def _month_context(request, tasks, form, *, due_of=None) -> dict:
    today = timezone.localdate()
    month, month_error = parse_month(request.GET.get("month"), today)
    first, last = grid_bounds(month)
    tasks = _in_window(
        _without_cancelled(form.apply(tasks, sort=False), form),
        first=first,
        last=last,
        due=Q(assignee=due_of) if due_of else None,
    )
    entries = build_entries(
        tasks, user=request.user, first=first, last=last, due_of=due_of
    )
    weeks = month_weeks(month, entries, today, expanded=_day(request.GET.get("day")))
    show_tasks(weeks, tasks)
    for day in (day for week in weeks for day in week if day.more):
        query = request.GET.copy()
        query["day"] = day.date.isoformat()
        day.more_url = f"?{query.urlencode()}"
    return {
        "month": month,
        "month_error": month_error,
        "weeks": weeks,
        "days_html": jinja_partial("production/_calendar_days.html", {"weeks": weeks}),
        "month_is_empty": not any(
            (entry.day.year, entry.day.month) == (month.year, month.month)
            for entry in entries
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
    tasks = tasks_for(request.user).filter(project=project)
    context = _month_context(request, tasks, form)
    context["project"] = project
    return _render(request, context)


@require_GET
@login_required
@vary_on_headers("HX-Request")
def my_calendar(request):
    """My due dates and my productions' bookings, by month, and my feed address."""
    form = _filter_form(request)
    tasks = tasks_for(request.user).filter(project__archived=False)
    context = _month_context(request, tasks, form, due_of=request.user)
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
