"""Booking conflicts: two bookings of the same guest or the same place at once.

Two booking slots conflict when they overlap (one ending exactly when the
other starts is not an overlap) and they share

- the guest, in any production the user is crew of: a guest cannot be in
  two places at once, whichever show booked them;
- or the location, within one production only: "Studio B" in two
  productions is most likely two different studios.

Guests and locations match case-insensitively with surrounding spaces
ignored; an empty guest or location matches nothing. Cancelled and archived
bookings, and bookings of archived productions, never conflict.
"""

import datetime as dt
import functools
from bisect import bisect_left
from collections import defaultdict, namedtuple
from collections.abc import Iterable

from django.db import connections
from django.db.models import Q
from django.db.models.functions import Lower, Trim

from production.access import projects_for
from production.dates import moved
from production.models import Task, User
from production.prepared import (
    STAND_IN_ID,
    STAND_IN_TEXT,
    Compiled,
    Joined,
    Prepared,
)

CONFLICT_FIELDS = (
    "project_id",
    "key",
    "title",
    "guest",
    "location",
    "starts_at",
    "ends_at",
)
# A candidate's row, as only(*CONFLICT_FIELDS) would read it.
CONFLICT_ROW = Joined(Task, only={None: CONFLICT_FIELDS})
# The row itself, enough to match slots: a board reads a few dozen
# candidates, and only those that clash are made into tasks.
Candidate = namedtuple("Candidate", CONFLICT_ROW.columns())


def slot_start(task: Task) -> dt.datetime:
    """When the slot starts, in its production's time zone."""
    return task.starts_at.astimezone(task.project.tzinfo)


def slot_end(task: Task) -> dt.datetime | None:
    """When the slot ends, in its production's time zone (None if open-ended)."""
    return task.ends_at.astimezone(task.project.tzinfo) if task.ends_at else None


def _norm(text: str) -> str:
    return (text or "").strip().casefold()


def _is_live_booking(task: Task) -> bool:
    return (
        task.kind == Task.Kind.BOOKING
        and task.starts_at is not None
        and task.ends_at is not None
        and task.status != Task.Status.CANCELLED
        and not task.archived
    )


def _overlap(a: Task, b: Candidate) -> bool:
    return a.starts_at < b.ends_at and b.starts_at < a.ends_at


class _Bucket:
    """The bookings of one guest or place, in order of start.

    A month of a busy production puts hundreds of slots in one place
    ("Remote"); looking only between the slots that could reach a booking
    keeps checking them from growing with the square of their number.
    """

    def __init__(self):
        self.slots: list[Candidate] = []
        self.starts: list[dt.datetime] = []
        self.longest = dt.timedelta(0)

    def add(self, slot: Candidate) -> None:
        self.slots.append(slot)
        self.starts.append(slot.starts_at)
        self.longest = max(self.longest, slot.ends_at - slot.starts_at)

    def overlapping(self, task: Task) -> list[Candidate]:
        # A slot that starts more than the longest slot before this one has
        # ended before it; one that starts after this one ends is clear.
        # (moved(): a slot stored in the year 1 has no earlier moment.)
        low = bisect_left(self.starts, moved(task.starts_at, -self.longest))
        high = bisect_left(self.starts, task.ends_at)
        return [slot for slot in self.slots[low:high] if _overlap(task, slot)]


def _keys(task: Task | Candidate) -> list[tuple]:
    """The buckets a booking can clash in: its guest, its place on its production."""
    keys = []
    if guest := _norm(task.guest):
        keys.append(("guest", guest))
    if location := _norm(task.location):
        keys.append(("location", task.project_id, location))
    return keys


def conflicts_for(tasks: Iterable[Task], *, user) -> dict[int, list[Task]]:
    """The bookings that clash with each of `tasks`, in one query.

    Returns {task id: [the other tasks, earliest slot first]} for the tasks
    that have a conflict; only bookings on productions `user` is crew of are
    considered, so nothing leaks from a production they cannot see.
    """
    bookings = [task for task in tasks if _is_live_booking(task)]
    if not bookings or not user.is_authenticated:
        return {}
    guests = {_norm(task.guest) for task in bookings} - {""}
    locations = {_norm(task.location) for task in bookings} - {""}
    if not guests and not locations:
        return {}
    # A place is looked for on its own productions (none without places).
    projects = {task.project_id for task in bookings} if locations else set()
    candidates = [
        Candidate(*row)
        for row in _clash_query(
            _bucket(len(guests)), _bucket(len(projects)), _bucket(len(locations))
        ).rows(
            user.pk,
            max(task.ends_at for task in bookings),
            min(task.starts_at for task in bookings),
            *_padded(guests),
            *_padded(projects),
            *_padded(locations),
        )
    ]
    buckets = defaultdict(_Bucket)
    for candidate in candidates:  # in order of start
        for key in _keys(candidate):
            buckets[key].add(candidate)
    found, made = {}, {}
    for task in bookings:
        others = {}
        for key in _keys(task):
            for other in buckets[key].overlapping(task):
                if other.id != task.pk:
                    others[other.id] = other
        if others:
            found[task.pk] = [
                made.get(other.id) or made.setdefault(other.id, _task(other))
                for other in sorted(
                    others.values(), key=lambda other: (other.starts_at, other.key)
                )
            ]
    return found


def _task(candidate: Candidate) -> Task:
    return CONFLICT_ROW.load(tuple(candidate))[0]


def _bucket(size: int) -> int:
    """The list size a query is compiled for: 0, or the power of two that
    holds `size` (a handful of compiled forms serve every board)."""
    return 1 << (size - 1).bit_length() if size else 0


def _padded(values: set) -> list:
    """`values` filling their bucket; the spare places repeat one of them,
    which matches nothing more."""
    values = sorted(values)
    return values + values[-1:] * (_bucket(len(values)) - len(values))


def clash_candidates(user_id, before, after, guests, projects, locations):
    """The live bookings on `user_id`'s productions with a slot starting
    before `before` and ending after `after`, whose guest (folded) is one of
    `guests` or place one of `locations` on one of `projects`; earliest
    first, as CONFLICT_ROW reads them."""
    # ASCII-only case folding in SQL (SQLite's lower()); _keys() folds fully
    # and decides, so the query may find a few extra candidates (a place of
    # the same name on another of these productions) but never misses one
    # whose name differs only in ASCII case.
    places = Q(project_id__in=projects, place_key__in=locations) if locations else Q()
    return (
        Task.objects.filter(
            kind=Task.Kind.BOOKING,
            archived=False,
            project__archived=False,
            project__in=projects_for(User(pk=user_id)),
            starts_at__lt=before,
            ends_at__gt=after,
        )
        .exclude(status=Task.Status.CANCELLED)
        .annotate(guest_key=Lower(Trim("guest")), place_key=Lower(Trim("location")))
        .filter((Q(guest_key__in=guests) if guests else Q()) | places)
        .order_by("starts_at", "key")
        .values_list(*CONFLICT_ROW.columns())
    )


class _SlotQuery(Prepared):
    """Prepared, for a query whose values include moments: each is found
    and passed as the database holds it (SQLite: as text)."""

    def _compile(self, alias):
        prepped = self._prep(self.stand_ins, alias)
        compiled = Compiled(self.build(*self.stand_ins), prepped, using=alias)
        columns = [column for column, _, _ in compiled.compiler.select]
        return compiled, list(compiled.compiler.get_converters(columns).items())

    def rows(self, *values):
        connection, compiled, converters = self._compiled()
        params = compiled.params(self._prep(values, connection.alias))
        return self._run(connection, compiled.sql, params, converters)

    @staticmethod
    def _prep(values, alias) -> list:
        moment = Task._meta.get_field("starts_at")
        connection = connections[alias]
        return [
            moment.get_db_prep_value(value, connection)
            if isinstance(value, dt.datetime)
            else value
            for value in values
        ]


@functools.cache
def _clash_query(guests: int, projects: int, locations: int) -> Prepared:
    """`clash_candidates` compiled once for these list sizes (production/prepared.py);
    its values: the viewer's id, the two moments, then the lists' values."""

    def build(user_id, before, after, *lists):
        return clash_candidates(
            user_id,
            before,
            after,
            lists[:guests],
            lists[guests : guests + projects],
            lists[guests + projects :] if locations else (),
        )

    return _SlotQuery(
        build,
        STAND_IN_ID,
        # Moments no slot has; found among the parameters as the database
        # holds them.
        dt.datetime(1001, 1, 1, tzinfo=dt.UTC),
        dt.datetime(1002, 1, 1, tzinfo=dt.UTC),
        *[f"{STAND_IN_TEXT} guest {n}" for n in range(guests)],
        *[STAND_IN_ID - 1 - n for n in range(projects)],
        *[f"{STAND_IN_TEXT} place {n}" for n in range(locations)],
    )


def conflicts_with(task: Task, *, user) -> list[Task]:
    """The bookings that clash with this one (for the task page and on saving)."""
    return conflicts_for([task], user=user).get(task.pk, [])


def conflict_message(task: Task, others: list[Task]) -> str:
    """A warning that names the clashing tasks, e.g. after saving a booking."""
    keys = ", ".join(other.key for other in others)
    noun = "booking" if len(others) == 1 else "bookings"
    return (
        f"{task.key}'s slot overlaps {noun} {keys} with the same guest or "
        f"location. It was saved; check the {noun} before confirming."
    )
