"""The dates Slate accepts: 1 January 1900 to 31 December 2199.

A date outside them is a typo (a year 20266) or a probe of the limits, and
near Python's own limits it cannot even be shown: 9999-12-31 22:00 in New
York is a moment of the year 10000 in UTC, which PostgreSQL stores and
Python cannot read back. So the forms, the bulk bar and the admin refuse
such dates with one sentence (the calendar offers only the months between),
and values stored before that, or by hand, load where every time zone can
show them and are computed on without overflowing.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models

FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2199, 12, 31)


def _day_text(day: dt.date) -> str:
    return f"{day.day} {day:%b} {day.year}"


OUT_OF_RANGE = f"Pick a date between {_day_text(FIRST_DAY)} and {_day_text(LAST_DAY)}."

# A moment whose production is not known (a model field on its own) is
# checked against the time zones furthest apart: UTC+14 reaches a day first,
# UTC-12 leaves it last. A form that knows the production checks its zone.
FIRST_TO_START = dt.timezone(dt.timedelta(hours=14))
LAST_TO_END = dt.timezone(dt.timedelta(hours=-12))

# No time zone is a day away from UTC: a moment a day inside Python's limits
# can be shown in any of them.
SHOWABLE_FIRST = dt.datetime.min.replace(tzinfo=dt.UTC) + dt.timedelta(days=1)
SHOWABLE_LAST = dt.datetime.max.replace(tzinfo=dt.UTC) - dt.timedelta(days=1)


def _refuse():
    raise ValidationError(OUT_OF_RANGE, code="date_out_of_range")


def validate_day(value: dt.date) -> None:
    """A date field's validator: the day lies in Slate's range."""
    if not FIRST_DAY <= value <= LAST_DAY:
        _refuse()


def day_bounds(zone: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    """The first moment Slate accepts in `zone`, and the first moment after the last."""
    return (
        dt.datetime.combine(FIRST_DAY, dt.time.min, tzinfo=zone),
        dt.datetime.combine(LAST_DAY + dt.timedelta(days=1), dt.time.min, tzinfo=zone),
    )


def validate_moment_in(value: dt.datetime, zone: dt.tzinfo) -> None:
    """The moment falls on a day in Slate's range on `zone`'s clock."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    first, after = day_bounds(zone)
    # Compared, never converted: converting a moment of the year 9999 to
    # another zone can overflow.
    if not first <= value < after:
        _refuse()


def validate_moment(value: dt.datetime) -> None:
    """A date and time field's validator: in range in some time zone on Earth."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    first, _ = day_bounds(FIRST_TO_START)
    _, after = day_bounds(LAST_TO_END)
    if not first <= value < after:
        _refuse()


def showable(moment: dt.datetime) -> dt.datetime:
    """`moment`, moved a day inside Python's limits if it is that close to them."""
    return min(max(moment, SHOWABLE_FIRST), SHOWABLE_LAST)


def moved(moment: dt.datetime, by: dt.timedelta) -> dt.datetime:
    """`moment` + `by`, stopped at the end of what Python can hold."""
    try:
        return moment + by
    except OverflowError:
        edge = dt.datetime.max if by > dt.timedelta(0) else dt.datetime.min
        return edge.replace(tzinfo=moment.tzinfo)


class ZoneSafeDateTimeField(models.DateTimeField):
    """A date and time that every page can show, in any production's time zone.

    It accepts moments in Slate's range (validate_moment). One stored before
    that check, or by hand, at the very ends of Python's range (year 1 or
    9999) loads a day inside them: shown on a production's clock it would
    otherwise overflow and fail the page. The form to change it refuses it.
    """

    default_validators = [validate_moment]

    def deconstruct(self):
        name, _, args, kwargs = super().deconstruct()
        # Only loading differs: to the database and to migrations it is a
        # DateTimeField, so no table is rebuilt for it.
        return name, "django.db.models.DateTimeField", args, kwargs

    def from_db_value(self, value, expression, connection):
        return value if value is None else showable(value)
