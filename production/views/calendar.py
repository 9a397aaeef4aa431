"""The calendar pages: a production's month, my month, and my private iCal feed."""

import calendar as pycalendar
import datetime as dt
import re
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS, WEEKDAYS
from django.views.decorators.http import require_GET, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from production import dates, ical
from production.access import get_project, projects_for, tasks_for, tasks_of
from production.bookings import conflicts_for, slot_end, slot_start
from production.filters import TaskFilterForm, crew_and_episodes
from production.models import Task
from production.unions import Parts
from production.views.fragments import jinja_partial, wants_fragment
from production.views.rows import label_rows

TEMPLATE = "production/calendar.html"
# A day shows this many entries and counts the rest behind "+N more", which
# opens that day in full: a busy production has hundreds due in a month, and
# each entry shown is rendered on every visit (five a day made a season's
# month twice the work of a small production's; three keep it near).
ENTRIES_PER_DAY = 3
MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")
FIRST_YEAR, LAST_YEAR = dates.FIRST_DAY.year, dates.LAST_DAY.year
# Slots are fetched by UTC instant, then placed on their production's local
# day; no time zone is more than 14 hours from UTC.
ZONE_MARGIN = dt.timedelta(days=1)


@dataclass
class Entry:
    """One line on a day: a task's due date, or a booking's slot."""

    task_id: int
    key: str
    day: dt.date
    starts: dt.datetime | None = None
    ends: dt.datetime | None = None
    task: Task | None = None
    conflicts: list[Task] = field(default_factory=list)
    # A due date's Task.is_overdue, asked once (it reads the clock).
    overdue: bool = False

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


@dataclass
class Day:
    date: dt.date
    in_month: bool
    is_today: bool
    entries: list[Entry] = field(default_factory=list)
    more: int = 0
    # Where "+N more" opens the day in full, when there is more.
    more_url: str = ""

    def __post_init__(self):
        # What the date filter's "Y-m-d", "l" and "F" say, without it.
        self.iso = self.date.isoformat()
        self.weekday = WEEKDAYS[self.date.weekday()]
        self.month_name = MONTHS[self.date.month]


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


def _local_day(day: dt.date, zone: str) -> tuple[dt.datetime, dt.datetime]:
    """When `day` starts and ends in this time zone."""
    tzinfo = ZoneInfo(zone)
    return (
        dt.datetime.combine(day, dt.time.min, tzinfo=tzinfo),
        dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=tzinfo),
    )


def _counts(days: list[Day], tasks, *, zones: list[str], due_of) -> dict:
    """{(kind, day, zone): how many}: each day's due dates ("due", zone None)
    and slots ("slot", the slot's time zone), as fill_month shows them.

    Two queries whatever the size of the month: the due dates counted by
    day through the (project, due date) index, and the month's bookings,
    each placed on its production's local day here. Forty-two days' counts
    as parts of one union cost PostgreSQL more to plan than to run.
    """
    dates = {day.date for day in days}
    per_part = dict.fromkeys(
        [("due", date, None) for date in dates]
        + [("slot", date, zone) for date in dates for zone in zones],
        0,
    )
    first, last = days[0].date, days[-1].date
    due = tasks if due_of is None else tasks.filter(assignee=due_of)
    for date, count in (
        due.filter(due_date__range=(first, last))
        .values_list("due_date")
        .annotate(count=Count("pk"))
        .order_by()
    ):
        per_part["due", date, None] = count
    midnight = dt.datetime.combine(first, dt.time.min, tzinfo=dt.UTC)
    bookings = tasks.filter(
        kind=Task.Kind.BOOKING,
        starts_at__gte=midnight - ZONE_MARGIN,
        starts_at__lt=midnight + dt.timedelta(days=len(days)) + ZONE_MARGIN,
    ).values_list("starts_at", "due_date", "assignee_id", "project__time_zone")
    # Counted, not listed: no need for the model's order.
    bookings = bookings.order_by()
    local = {zone: ZoneInfo(zone) for zone in zones}
    for starts_at, due_date, assignee_id, zone in bookings:
        date = starts_at.astimezone(local[zone]).date()
        if date not in dates:
            continue
        per_part["slot", date, zone] += 1
        # Its slot shows instead of its due date on the same day.
        if due_date == date and (due_of is None or assignee_id == due_of.pk):
            per_part["due", date, None] -= 1
    return per_part


def fill_month(weeks, tasks, *, user, zones: list[str], due_of=None, expanded=None):
    """Each day of the grid with its first ENTRIES_PER_DAY entries (or all,
    for the `expanded` day) and how many more it has; {day: its count}.

    Due dates come first (in the order of the index: by task id), then
    booking slots by start time. A booking appears on the day its slot
    starts in its production's time zone (one of `zones`); its due date
    shows too only when it falls on another day. `due_of` limits due dates
    to one person's tasks (my calendar).

    Four queries whatever the size of the month: the counts (_counts' two),
    each day's first ids, and those tasks; then the shown bookings' clashes.
    """
    days = [day for week in weeks for day in week]
    several = len(zones) > 1
    slot_on_day = Q()
    slot_templates = {}
    for index, zone in enumerate(zones):
        starts, ends = _stand_in_day(index)
        on_day = Q(starts_at__gte=starts, starts_at__lt=ends)
        if several:
            on_day &= Q(project__time_zone=zone)
        slot_on_day |= on_day
        slot_templates[zone] = tasks.filter(on_day, kind=Task.Kind.BOOKING)
    due = tasks.filter(due_date=STAND_IN_DAY).exclude(
        slot_on_day, kind=Task.Kind.BOOKING
    )
    if due_of is not None:
        due = due.filter(assignee=due_of)

    def values(day: dt.date) -> list[tuple]:
        found = [("due_date", STAND_IN_DAY, day)]
        for index, zone in enumerate(zones):
            stand_ins, local = _stand_in_day(index), _local_day(day, zone)
            for stand_in, value in zip(stand_ins, local, strict=True):
                found.append(("starts_at", stand_in, value))
        return found

    per_part = _counts(days, tasks, zones=zones, due_of=due_of)
    per_day = dict.fromkeys((day.date for day in days), 0)
    for (_, date, _), count in per_part.items():
        per_day[date] += count

    ordered = {("due", None): Parts.template(due, "pk")} | {
        ("slot", zone): Parts.template(slots, "starts_at", "pk")
        for zone, slots in slot_templates.items()
    }
    firsts = Parts(tasks.db)
    for day in days:
        limit = DAY_IN_FULL if day.date == expanded else ENTRIES_PER_DAY
        # Slots fill what the due dates leave of the day: none, on a busy one.
        due_count = per_part["due", day.date, None]
        left = {"due": limit, "slot": limit - min(due_count, limit)}
        for kind, zone in ordered:
            if per_part[kind, day.date, zone] and left[kind]:
                key = (kind, day.date, zone)
                firsts.add(key, ordered[kind, zone], values(day.date), left[kind])
    found = firsts.rows()
    # By id among all the user's tasks: the month's filters are done, and
    # with its production's, SQLite would read the ids through that index.
    shown = (
        tasks_for(user)
        .select_related("assignee")
        .defer("description")
        .in_bulk({pk for _, pk in found})
    )
    label_rows(shown.values())

    by_day = {}
    for (kind, date, _), pk in found:
        task = shown[pk]
        entry = (
            Entry(pk, task.key, date, task=task, overdue=task.is_overdue)
            if kind == "due"
            else Entry(pk, task.key, date, slot_start(task), slot_end(task), task)
        )
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
    for entry in slot_entries:
        entry.conflicts = clashes.get(entry.task_id, [])
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
