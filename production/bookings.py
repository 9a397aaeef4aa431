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
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q
from django.db.models.functions import Lower, Trim

from production.access import projects_for
from production.dates import moved
from production.models import Task

CONFLICT_FIELDS = (
    "project_id",
    "key",
    "title",
    "guest",
    "location",
    "starts_at",
    "ends_at",
)


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


def _overlap(a: Task, b: Task) -> bool:
    return a.starts_at < b.ends_at and b.starts_at < a.ends_at


class _Bucket:
    """The bookings of one guest or place, in order of start.

    A month of a busy production puts hundreds of slots in one place
    ("Remote"); looking only between the slots that could reach a booking
    keeps checking them from growing with the square of their number.
    """

    def __init__(self):
        self.slots: list[Task] = []
        self.starts: list[dt.datetime] = []
        self.longest = dt.timedelta(0)

    def add(self, slot: Task) -> None:
        self.slots.append(slot)
        self.starts.append(slot.starts_at)
        self.longest = max(self.longest, slot.ends_at - slot.starts_at)

    def overlapping(self, task: Task) -> list[Task]:
        # A slot that starts more than the longest slot before this one has
        # ended before it; one that starts after this one ends is clear.
        # (moved(): a slot stored in the year 1 has no earlier moment.)
        low = bisect_left(self.starts, moved(task.starts_at, -self.longest))
        high = bisect_left(self.starts, task.ends_at)
        return [slot for slot in self.slots[low:high] if _overlap(task, slot)]


def _keys(task: Task) -> list[tuple]:
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
    if not bookings:
        return {}
    guests = {_norm(task.guest) for task in bookings} - {""}
    locations = {_norm(task.location) for task in bookings} - {""}
    if not guests and not locations:
        return {}
    # ASCII-only case folding in SQL (SQLite's lower()); _keys() below folds
    # fully and decides, so the query may find a few extra candidates (a
    # place of the same name on another of these productions) but never
    # misses one whose name differs only in ASCII case.
    candidates = (
        Task.objects.filter(
            kind=Task.Kind.BOOKING,
            archived=False,
            project__archived=False,
            project__in=projects_for(user),
            starts_at__lt=max(task.ends_at for task in bookings),
            ends_at__gt=min(task.starts_at for task in bookings),
        )
        .exclude(status=Task.Status.CANCELLED)
        .annotate(guest_key=Lower(Trim("guest")), place_key=Lower(Trim("location")))
        .filter(
            Q(guest_key__in=guests)
            | Q(
                project_id__in={task.project_id for task in bookings},
                place_key__in=locations,
            )
        )
        # What a conflict shows: key, title, guest, place and slot.
        .only(*CONFLICT_FIELDS)
        .order_by("starts_at", "key")
    )
    buckets = defaultdict(_Bucket)
    for candidate in candidates:  # in order of start
        for key in _keys(candidate):
            buckets[key].add(candidate)
    found = {}
    for task in bookings:
        others = {}
        for key in _keys(task):
            for other in buckets[key].overlapping(task):
                if other.pk != task.pk:
                    others[other.pk] = other
        if others:
            found[task.pk] = sorted(
                others.values(), key=lambda other: (other.starts_at, other.key)
            )
    return found


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
