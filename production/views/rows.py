"""Links and labels for pages that show tasks by the dozen.

On a page of a hundred rows, a template's {{ task.get_absolute_url }} and
get_FOO_display() per row cost more than the rows' own markup
(BENCHMARKS.md): the views work them out here once.
"""

from django.urls import reverse
from django.utils.dates import MONTHS_3, WEEKDAYS_ABBR

from production.models import Task

# get_FOO_display() rebuilds its choices on every call: look labels up.
KIND_LABELS = dict(Task.Kind.choices)
PRIORITY_LABELS = dict(Task.Priority.choices)
STATUS_LABELS = dict(Task.Status.choices)
# Any key the task URLs accept; each task's own is put in its place.
STAND_IN_KEY = "KEY-0"


# What naming a person needs (User.__str__).
PERSON_NAMES = ("display_name", "first_name", "last_name", "username")


def person_fields(relation: str) -> tuple[str, ...]:
    """PERSON_NAMES through `relation`."""
    return tuple(f"{relation}__{name}" for name in PERSON_NAMES)


class TaskLinks:
    """One task URL pattern for a whole page: reverse() once, then each
    task's key put in place."""

    def __init__(self, url_name: str = "task-detail"):
        self.path = reverse(url_name, args=[STAND_IN_KEY])

    def __call__(self, key: str) -> str:
        return self.path.replace(STAND_IN_KEY, key)

    # Equal for the same pattern, so that rows worked out once under one
    # page's links are found again under the next page's.
    def __eq__(self, other) -> bool:
        return isinstance(other, TaskLinks) and self.path == other.path

    def __hash__(self) -> int:
        return hash(self.path)


def label_rows(tasks):
    """Give each task its `url`, `kind_label`, `status_label` and
    `priority_label`."""
    link = TaskLinks()
    for task in tasks:
        task.url = link(task.key)
        task.kind_label = KIND_LABELS[task.kind]
        task.status_label = STATUS_LABELS[task.status]
        task.priority_label = PRIORITY_LABELS[task.priority]
    return tasks


class DayLabels:
    """Dates as Django's date filter writes them, with the day and month
    names translated once for a page rather than formatted per row."""

    def __init__(self):
        self.days = [str(day) for day in WEEKDAYS_ABBR.values()]
        self.months = {number: str(month).title() for number, month in MONTHS_3.items()}

    def short(self, day) -> str:
        """As "D j M" writes it: Fri 6 Nov."""
        return f"{self.days[day.weekday()]} {day.day} {self.months[day.month]}"

    def long(self, day) -> str:
        """As "j M Y" writes it: 6 Nov 2026."""
        return f"{day.day} {self.months[day.month]} {day.year}"
