"""An episode's duties dated back from its air date, and moved with it.

Pure Python on dates, times and plain objects: a duty is due `days_before`
days before the air date, on the production's calendar; a booking's slot
starts at the line's time on that local day. Moving the air date moves each
open duty by the same number of days and keeps the wall-clock time of its
slot, whatever daylight saving does in between.
"""

import datetime as dt
import re
from dataclasses import dataclass

# {number} and {title}: replaced in one pass, so an episode title that itself
# reads "{number}" stays as typed. Never str.format: a title like
# "{title.__class__}" would reach into Python objects.
PLACEHOLDER = re.compile(r"\{(number|title)\}")
ANY_BRACES = re.compile(r"\{[^{}]*\}")
TITLE_MAX_LENGTH = 200
# A booking's slot from a template: half an hour, which the booker adjusts.
SLOT_LENGTH = dt.timedelta(minutes=30)


def unknown_placeholders(pattern: str) -> list[str]:
    """The {words} of a line's title that are not {number} or {title}."""
    return [
        found
        for found in ANY_BRACES.findall(pattern or "")
        if not PLACEHOLDER.fullmatch(found)
    ]


def fill_title(pattern: str, *, number, title: str) -> str:
    """A line's title for one episode, cut to a task title's length."""
    values = {"number": str(number), "title": title or f"Ep. {number}"}
    filled = PLACEHOLDER.sub(lambda match: values[match.group(1)], pattern)
    return filled[:TITLE_MAX_LENGTH].strip()


def due_on(air_date: dt.date, days_before: int) -> dt.date:
    """The day a duty is due: `days_before` calendar days before air."""
    return air_date - dt.timedelta(days=days_before)


def at_local(day: dt.date, time: dt.time, zone: dt.tzinfo) -> dt.datetime:
    """The moment `day` at `time` on the zone's clock.

    A time that a spring-forward skips (01:30 in London on its last Sunday of
    March) is read with the offset before the change, as the clock would
    show it an hour later; an hour that autumn repeats is its first pass.
    """
    moment = dt.datetime.combine(day, time, tzinfo=zone)
    # Round trip through UTC: a skipped time comes back as the real one.
    return moment.astimezone(dt.UTC).astimezone(zone)


def shifted_day(day: dt.date | None, days: int) -> dt.date | None:
    return None if day is None else day + dt.timedelta(days=days)


def shifted_moment(moment: dt.datetime | None, days: int, zone: dt.tzinfo):
    """`moment` `days` later on the zone's calendar, at the same wall-clock time."""
    if moment is None:
        return None
    local = moment.astimezone(zone)
    return at_local(local.date() + dt.timedelta(days=days), local.time(), zone)


@dataclass
class Planned:
    """One task a template line would make for an episode."""

    line: object
    title: str
    kind: str
    priority: int
    due_date: dt.date
    starts_at: dt.datetime | None
    ends_at: dt.datetime | None
    assignee: object | None
    reviewer: object | None
    description: str = ""
    # Why the line's person is not the assignee, for the preview.
    note: str = ""
    # The task this line already made for the episode: it makes none again.
    made: object | None = None


def plan(episode, lines, crew, *, zone: dt.tzinfo, made=None) -> list[Planned]:
    """What each of `lines` makes for `episode`, by due date.

    `crew`: the production's memberships with user and role, in crew order;
    "whoever holds role X" is the first of them in that role who may be
    assigned. `made`: {line id: task} already made for this episode.
    """
    made = made or {}
    members = {member.user_id: member for member in crew}
    planned = []
    for line in lines:
        due = due_on(episode.air_date, line.days_before)
        assignee, note = _assignee(line, crew, members)
        reviewer = members.get(line.reviewer_id)
        reviewer = reviewer.user if reviewer else None
        if reviewer is not None and assignee is not None and reviewer == assignee:
            reviewer = None  # nobody reviews their own work: the default one
        starts_at = ends_at = None
        description = ""
        if line.time is not None:
            if line.kind == "booking":
                starts_at = at_local(due, line.time, zone)
                ends_at = starts_at + SLOT_LENGTH
            else:
                description = f"Due by {line.time:%H:%M}, {zone}."
        planned.append(
            Planned(
                line=line,
                title=fill_title(
                    line.title, number=episode.number, title=episode.title
                ),
                kind=line.kind,
                priority=line.priority,
                due_date=due,
                starts_at=starts_at,
                ends_at=ends_at,
                assignee=assignee,
                reviewer=reviewer,
                description=description,
                note=note,
                made=made.get(line.pk),
            )
        )
    planned.sort(key=lambda one: (one.due_date, one.line.time or dt.time.min))
    return planned


def _assignee(line, crew, members):
    """The person a line names, or who holds its role; and why nobody, if so."""
    if line.assignee_id is not None:
        member = members.get(line.assignee_id)
        if member is None:
            return None, "no longer on the crew: left unassigned"
        if not member.role.can_be_assigned:
            return None, "their role may not be assigned work: left unassigned"
        return member.user, ""
    if line.role_id is not None:
        for member in crew:
            if member.role_id == line.role_id and member.role.can_be_assigned:
                return member.user, ""
        return None, "nobody on the crew holds that role: left unassigned"
    return None, ""


@dataclass
class Shift:
    """Where one open task goes when its episode's air date moves."""

    task: object
    due_date: dt.date | None
    starts_at: dt.datetime | None
    ends_at: dt.datetime | None


def plan_shift(tasks, days: int, *, zone: dt.tzinfo) -> list[Shift]:
    """Each of `tasks` moved `days` days, slots at the same local time."""
    return [
        Shift(
            task=task,
            due_date=shifted_day(task.due_date, days),
            starts_at=shifted_moment(task.starts_at, days, zone),
            ends_at=shifted_moment(task.ends_at, days, zone),
        )
        for task in tasks
    ]
