"""Dates in range: Slate takes days from 1 January 1900 to 31 December 2199, on
the production's clock, and nothing stored outside them fails a page.

Every form, the bulk bar, the calendar's month and the admin refuse a date
outside the range with one sentence. Values stored before that rule (or by
hand) at the very ends of what the database and Python hold, years 1 and 9999,
are written here with .update() and every page is loaded. Run on SQLite and
PostgreSQL: `bash tools/with-postgres .venv/bin/pytest tests/test_date_range.py`.
"""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from production import dates, ical, services
from production.bookings import conflicts_for
from production.models import Activity, Episode, Project, Task, User
from tests.test_permissions import database_snapshot

NOW = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
SENTENCE = "Pick a date between 1 Jan 1900 and 31 Dec 2199."
UTC = dt.UTC


@pytest.fixture(autouse=True)
def clock():
    """The demo's dates, and the calendar's month, from one fixed day."""
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def boss(demo):
    return User.objects.create_superuser("root", "root@slate.example", "x" * 16)


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def booking_in(project, zone: str) -> Task:
    """A booking of `project`, which now keeps `zone`'s clock."""
    Project.objects.filter(pk=project.pk).update(time_zone=zone)
    return Task.objects.filter(project=project, kind=Task.Kind.BOOKING).first()


def test_the_sentence_names_the_range():
    """One sentence, built from the bounds, is what every refusal says."""
    assert dates.OUT_OF_RANGE == SENTENCE
    assert (dates.FIRST_DAY, dates.LAST_DAY) == (
        dt.date(1900, 1, 1),
        dt.date(2199, 12, 31),
    )


# --- forms, services, the bulk bar and the calendar refuse ---------------------


def task_form(**fields) -> dict:
    return {"title": "Book the mayor", "kind": "booking", "priority": "2", **fields}


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"due_date": "1899-12-31"}, "due_date"),
        ({"due_date": "2200-01-01"}, "due_date"),
        ({"due_date": "0001-01-01"}, "due_date"),
        ({"due_date": "9999-12-31"}, "due_date"),
        # New York: 9999-12-31 22:00 there is a moment of the year 10000 in
        # UTC, which PostgreSQL stores and Python cannot read back.
        (
            {"starts_at": "9999-12-31T22:00", "ends_at": "9999-12-31T23:00"},
            "starts_at",
        ),
        ({"starts_at": "2200-01-01T00:00", "ends_at": "2200-01-01T01:00"}, "starts_at"),
        ({"starts_at": "1899-12-31T23:00", "ends_at": "1900-01-01T01:00"}, "starts_at"),
        ({"starts_at": "0001-01-01T00:00", "ends_at": "0001-01-01T01:00"}, "starts_at"),
    ],
)
def test_the_task_form_refuses_a_day_outside_the_range(morn, producer, fields, field):
    """A new task dated outside 1900-2199 is refused beside its field, and saves nothing."""
    Project.objects.filter(pk=morn.pk).update(time_zone="America/New_York")
    before = database_snapshot()
    response = as_user(producer).post(
        reverse("task-create", kwargs={"code": "MORN"}), task_form(**fields)
    )
    assert response.status_code in (200, 400)
    assert SENTENCE in response.context["form"].errors[field]
    assert SENTENCE in response.content.decode()
    assert database_snapshot() == before
    # And the production's pages still load.
    assert (
        as_user(producer).get(reverse("project-board", args=["MORN"])).status_code
        == 200
    )


@pytest.mark.parametrize(
    ("zone", "starts", "stored"),
    [
        # The last evening in New York is already the year 2200 in UTC.
        (
            "America/New_York",
            "2199-12-31T22:00",
            dt.datetime(2200, 1, 1, 3, 0, tzinfo=UTC),
        ),
        # The first morning in Tokyo is still 1899 in UTC.
        (
            "Asia/Tokyo",
            "1900-01-01T00:00",
            dt.datetime(1899, 12, 31, 15, 0, tzinfo=UTC),
        ),
    ],
)
def test_the_first_and_last_days_are_taken_on_the_productions_clock(
    morn, producer, zone, starts, stored
):
    """The edges of the range are the production's days, not UTC's."""
    Project.objects.filter(pk=morn.pk).update(time_zone=zone)
    ends = starts[:-5] + "23:00"
    response = as_user(producer).post(
        reverse("task-create", kwargs={"code": "MORN"}),
        task_form(starts_at=starts, ends_at=ends, due_date=starts[:10]),
    )
    assert response.status_code == 302
    task = Task.objects.get(project=morn, title="Book the mayor")
    assert task.starts_at == stored
    local = dt.datetime.fromisoformat(starts)
    page = as_user(producer).get(task.get_absolute_url()).content.decode()
    assert f"{local:%a} {local.day} {local:%b %Y}, {local:%H:%M}" in page


def test_the_edit_form_refuses_a_due_date_out_of_range(morn, producer, ap, task_of):
    """Editing a task to 9999-12-31 says why and keeps its date."""
    from tests.pages import edit_data

    task = task_of(ap, Task.Status.TODO)
    before = database_snapshot()
    response = as_user(producer).post(
        reverse("task-edit", kwargs={"key": task.key}),
        edit_data(task, due_date="9999-12-31"),
    )
    assert SENTENCE in response.content.decode()
    assert database_snapshot() == before


@pytest.mark.parametrize("field", ["starts_on", "ends_on"])
def test_the_project_form_refuses_a_day_out_of_range(demo, producer, field):
    """A production starting in 1899 or ending in 2200 is refused with the sentence."""
    before = database_snapshot()
    value = "1899-12-31" if field == "starts_on" else "2200-01-01"
    response = as_user(producer).post(
        reverse("project-create"),
        {
            "name": "Old news",
            "code": "OLD",
            "kind": "news",
            "time_zone": "UTC",
            field: value,
        },
    )
    assert SENTENCE in response.content.decode()
    assert database_snapshot() == before


def test_no_service_stores_a_slot_python_cannot_read(morn, producer):
    """Whatever calls a service (a form, a script), a year-9999 slot is refused."""
    slot = dt.datetime(9999, 12, 31, 22, 0, tzinfo=NEW_YORK)
    with pytest.raises(ValidationError) as refused:
        services.task_create(
            project=morn,
            by=producer,
            title="Book the mayor",
            kind=Task.Kind.BOOKING,
            starts_at=slot,
            ends_at=slot + dt.timedelta(hours=1),
        )
    assert refused.value.message_dict["starts_at"] == [SENTENCE]
    assert not Task.objects.filter(title="Book the mayor").exists()


@pytest.mark.parametrize(
    ("value", "updated"), [("9999-12-31", False), ("2199-12-31", True)]
)
def test_the_bulk_due_date_keeps_to_the_range(
    morn, producer, ap, task_of, value, updated
):
    """A bulk due date of 9999-12-31 is refused with the sentence; 2199-12-31 is set."""
    task = task_of(ap, Task.Status.TODO)
    response = as_user(producer).post(
        reverse("task-bulk", kwargs={"code": "MORN"}),
        {"tasks": [task.key], "action": "due_date", "due_date": value},
        follow=True,
    )
    task.refresh_from_db()
    assert (task.due_date == dt.date.fromisoformat(value)) is updated
    page = response.content.decode()
    assert (SENTENCE in page) is not updated
    # The assignee's feed still reads.
    assert fetch_feed(ap).status_code == 200


@pytest.mark.parametrize(
    ("month", "shown"),
    [
        ("2199-12", dt.date(2199, 12, 1)),
        ("1900-01", dt.date(1900, 1, 1)),
        ("2200-01", dt.date(2026, 11, 1)),
        ("1899-12", dt.date(2026, 11, 1)),
        ("9999-12", dt.date(2026, 11, 1)),
    ],
)
def test_the_calendar_shows_months_in_the_range_only(morn, ap, month, shown):
    """A month outside 1900-2199 shows this month with an error naming the range."""
    response = as_user(ap).get(
        reverse("project-calendar", args=["MORN"]), {"month": month}
    )
    assert response.status_code == 200
    assert response.context["month"] == shown
    error = response.context["month_error"]
    if shown.year == 2026:
        assert "between 1900 and 2199" in error
        assert error in response.content.decode()
    else:
        assert error == ""


def test_the_calendar_stops_at_the_ends_of_the_range(morn, ap):
    """The last month offers no next month, the first no previous one."""
    url = reverse("project-calendar", args=["MORN"])
    last = as_user(ap).get(url, {"month": "2199-12"}).context["links"]
    first = as_user(ap).get(url, {"month": "1900-01"}).context["links"]
    assert last["next"] is None and last["previous"]["month"] == dt.date(2199, 11, 1)
    assert first["previous"] is None and first["next"]["month"] == dt.date(1900, 2, 1)


# --- the admin refuses too -----------------------------------------------------------


def admin_task_data(task, **changes) -> dict:
    """The admin's change form for `task`, as a browser posts it."""

    def split(moment):
        if moment is None:
            return {"0": "", "1": ""}
        return {"0": moment.date().isoformat(), "1": moment.time().isoformat()}

    data = {
        "project": task.project_id,
        "title": task.title,
        "kind": task.kind,
        "description": task.description,
        "status": task.status,
        "priority": task.priority,
        "assignee": task.assignee_id or "",
        "reviewer": task.reviewer_id or "",
        "due_date": task.due_date.isoformat() if task.due_date else "",
        "episode": task.episode_id or "",
        "guest": task.guest,
        "contact": task.contact,
        "location": task.location,
        "created_by": task.created_by_id or "",
        "comments-TOTAL_FORMS": "0",
        "comments-INITIAL_FORMS": "0",
    }
    for name in ("starts_at", "ends_at", "status_changed_at"):
        moment = changes.pop(name, getattr(task, name))
        for part, value in split(moment and moment.astimezone(UTC)).items():
            data[f"{name}_{part}"] = value
    data.update(changes)
    return data


def uncommented_booking(morn):
    return Task.objects.filter(
        project=morn, kind=Task.Kind.BOOKING, comments__isnull=True
    ).first()


@pytest.mark.parametrize(
    ("zone", "changes", "field"),
    [
        ("UTC", {"due_date": "0001-01-01"}, "due_date"),
        ("UTC", {"due_date": "2200-01-01"}, "due_date"),
        # Typed in the admin's clock (UTC): the year 10000 in New York's.
        (
            "America/New_York",
            {"starts_at": dt.datetime(9999, 12, 31, 23, 0, tzinfo=UTC)},
            "starts_at",
        ),
        # In range in UTC, but already 2200 on Tokyo's clock.
        (
            "Asia/Tokyo",
            {"ends_at": dt.datetime(2199, 12, 31, 20, 0, tzinfo=UTC)},
            "ends_at",
        ),
        (
            "UTC",
            {"status_changed_at": dt.datetime(1, 1, 1, tzinfo=UTC)},
            "status_changed_at",
        ),
    ],
)
def test_the_admin_task_form_refuses_days_out_of_range(
    morn, boss, zone, changes, field
):
    """The admin's task form says the sentence beside the date and saves nothing."""
    booking_in(morn, zone)
    task = uncommented_booking(morn)
    url = reverse("admin:production_task_change", args=[task.pk])
    before = database_snapshot()
    response = as_user(boss).post(url, admin_task_data(task, **changes))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert SENTENCE in form.errors[field]
    assert database_snapshot() == before


def test_the_admin_task_form_still_saves_a_day_in_range(morn, boss):
    """The admin's check lets through the last evening on New York's clock."""
    booking_in(morn, "America/New_York")
    task = uncommented_booking(morn)
    last_evening = dt.datetime(2200, 1, 1, 3, 0, tzinfo=UTC)  # 22:00 in New York
    response = as_user(boss).post(
        reverse("admin:production_task_change", args=[task.pk]),
        admin_task_data(
            task,
            starts_at=last_evening,
            ends_at=last_evening + dt.timedelta(hours=1),
        ),
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.starts_at == last_evening


def test_the_admin_refuses_an_episode_air_date_out_of_range(morn, boss):
    """An episode airing in the year 9999 is refused in the admin."""
    episode = Episode.objects.filter(project=morn).first()
    before = database_snapshot()
    response = as_user(boss).post(
        reverse("admin:production_episode_change", args=[episode.pk]),
        {
            "project": morn.pk,
            "number": episode.number,
            "title": episode.title,
            "air_date": "9999-12-31",
        },
    )
    assert SENTENCE in response.context["adminform"].form.errors["air_date"]
    assert database_snapshot() == before


def test_the_admin_refuses_an_activity_dated_year_one(morn, boss):
    """A history entry moved to the year 1 in the admin is refused."""
    activity = Activity.objects.filter(task__project=morn).first()
    before = database_snapshot()
    response = as_user(boss).post(
        reverse("admin:production_activity_change", args=[activity.pk]),
        {
            "task": activity.task_id,
            "task_key": activity.task_key,
            "actor": activity.actor_id,
            "verb": activity.verb,
            "task_version": activity.task_version,
            "created_at_0": "0001-01-01",
            "created_at_1": "00:00:00",
        },
    )
    assert SENTENCE in response.context["adminform"].form.errors["created_at"]
    assert database_snapshot() == before


# --- nothing stored fails a page ------------------------------------------------


def fetch_feed(user):
    token = ical.feed_token(user) or ical.feed_token_reset(user=user)
    return Client().get(reverse("calendar-feed", kwargs={"token": token}))


def every_page(task, *, viewer, boss) -> dict[str, tuple[int, str]]:
    """Each page that can show `task`, as its viewer (and the admin) loads it:
    {name: (status, text)}."""
    code = task.project.code
    client = as_user(viewer)
    admin = as_user(boss)
    pages = {
        "board": client.get(reverse("project-board", args=[code])),
        "task list": client.get(reverse("task-list", args=[code])),
        "task list as CSV": client.get(
            reverse("task-list", args=[code]), {"format": "csv"}
        ),
        "task page": client.get(task.get_absolute_url()),
        "edit form": client.get(reverse("task-edit", args=[task.key])),
        "calendar": client.get(reverse("project-calendar", args=[code])),
        "my calendar": client.get(reverse("my-calendar")),
        "my work": client.get(reverse("my-work")),
        "feed": fetch_feed(viewer),
        "admin tasks": admin.get(reverse("admin:production_task_changelist")),
        "admin task": admin.get(
            reverse("admin:production_task_change", args=[task.pk])
        ),
        "admin history": admin.get(reverse("admin:production_activity_changelist")),
    }
    return {
        name: (
            response.status_code,
            b"".join(
                response.streaming_content if response.streaming else [response.content]
            ).decode(),
        )
        for name, response in pages.items()
    }


def assert_every_page_shows(task, pages):
    assert {name: status for name, (status, _) in pages.items()} == dict.fromkeys(
        pages, 200
    )
    for name in ("board", "task list", "task list as CSV", "task page", "admin tasks"):
        assert task.key in pages[name][1], name


EXTREME_SLOTS = {
    "year 1": (
        dt.datetime(1, 1, 1, 0, 0, tzinfo=UTC),
        dt.datetime(1, 1, 1, 1, 0, tzinfo=UTC),
    ),
    "year 9999": (
        dt.datetime(9999, 12, 31, 22, 0, tzinfo=UTC),
        dt.datetime(9999, 12, 31, 23, 59, tzinfo=UTC),
    ),
}


@pytest.mark.parametrize("zone", ["America/New_York", "Asia/Tokyo"])
@pytest.mark.parametrize("slot", EXTREME_SLOTS, ids=str)
def test_a_slot_stored_at_the_ends_of_time_fails_no_page(
    morn, producer, boss, zone, slot
):
    """A booking stored in the year 1 (or 9999), beside one of the same guest:
    every page loads, on a clock east or west of UTC."""
    task = booking_in(morn, zone)
    starts, ends = EXTREME_SLOTS[slot]
    Task.objects.filter(pk=task.pk).update(
        starts_at=starts, ends_at=ends, assignee=producer, guest="Ada Mayor"
    )
    Task.objects.filter(project=morn, kind=Task.Kind.BOOKING).exclude(
        pk=task.pk
    ).update(guest="Ada Mayor")
    task.refresh_from_db()
    assert_every_page_shows(task, every_page(task, viewer=producer, boss=boss))


@pytest.mark.parametrize(
    "span",
    [
        (dt.datetime(1, 1, 1, tzinfo=UTC), dt.datetime(2026, 12, 8, tzinfo=UTC)),
        (dt.datetime(2026, 12, 1, tzinfo=UTC), dt.datetime(9999, 12, 31, tzinfo=UTC)),
    ],
    ids=["from the year 1", "to the year 9999"],
)
def test_a_slot_thousands_of_years_long_still_clashes(morn, producer, boss, span):
    """A booking stored over millennia and one of the same guest this December:
    both pages load and each names the other (the overlap search reaches back
    the longest slot's length, which went past the year 1)."""
    long, short = Task.objects.filter(project=morn, kind=Task.Kind.BOOKING)[:2]
    Task.objects.filter(pk=long.pk).update(
        starts_at=span[0], ends_at=span[1], guest="Ada Mayor"
    )
    Task.objects.filter(pk=short.pk).update(
        starts_at=dt.datetime(2026, 12, 7, 9, 0, tzinfo=UTC),
        ends_at=dt.datetime(2026, 12, 7, 9, 30, tzinfo=UTC),
        guest="Ada Mayor",
    )
    short.refresh_from_db()
    clashes = conflicts_for([short], user=producer)
    assert [other.key for other in clashes[short.pk]] == [long.key]
    for task, other in ((long, short), (short, long)):
        page = as_user(producer).get(task.get_absolute_url())
        assert page.status_code == 200
        assert other.get_absolute_url() in page.content.decode()
    board = as_user(producer).get(reverse("project-board", args=["MORN"]))
    assert board.status_code == 200


@pytest.mark.parametrize("day", [dt.date(1, 1, 1), dt.date(9999, 12, 31)], ids=str)
def test_a_due_date_stored_at_the_ends_of_time_fails_no_page(
    morn, producer, boss, ap, task_of, day
):
    """A due date of 0001-01-01 or 9999-12-31 (a bulk edit before the rule): every
    page loads, and the assignee's feed holds the 9999 deadline as a day."""
    task = task_of(ap, Task.Status.TODO)
    Task.objects.filter(pk=task.pk).update(due_date=day, assignee=producer)
    task.refresh_from_db()
    assert_every_page_shows(task, every_page(task, viewer=producer, boss=boss))
    feed = Calendar.from_ical(fetch_feed(producer).content)
    due = [
        event
        for event in feed.events
        if str(event["SUMMARY"]).startswith(f"Due: {task.key} ")
    ]
    if day.year == 9999:
        (event,) = due
        assert event.decoded("DTSTART") == day
        assert "DTEND" not in event  # a day's event lasts the day (RFC 5545)
    else:
        assert due == []  # long past: the feed keeps 90 days of history


@pytest.mark.parametrize("zone", ["America/New_York", "Asia/Tokyo"])
def test_history_stored_at_the_ends_of_time_fails_no_page(morn, producer, boss, zone):
    """History entries dated, or recording slots, in the years 1 and 9999 show."""
    task = booking_in(morn, zone)
    for old, new in (
        ("0001-01-01 00:00:00+00:00", "9999-12-31 23:59:00+00:00"),
        ("0001-01-01", "9999-12-31"),
    ):
        Activity.objects.create(
            task=task,
            task_key=task.key,
            actor=producer,
            verb=Activity.Verb.CHANGED,
            field="starts_at" if ":" in old else "due_date",
            old_value=old,
            new_value=new,
        )
    Activity.objects.filter(task=task, field="starts_at").update(
        created_at=dt.datetime(1, 1, 1, tzinfo=UTC)
    )
    Activity.objects.filter(task=task, field="due_date").update(
        created_at=dt.datetime(9999, 12, 31, 23, 59, tzinfo=UTC)
    )
    pages = every_page(task, viewer=producer, boss=boss)
    assert_every_page_shows(task, pages)
    assert "31 Dec 9999" in pages["task page"][1]


def test_a_stored_moment_loads_where_every_zone_can_show_it(morn):
    """Loaded, a year-1 slot is a day inside Python's range; one in range is untouched."""
    task = booking_in(morn, "UTC")
    Task.objects.filter(pk=task.pk).update(
        starts_at=dt.datetime(1, 1, 1, 0, 0, tzinfo=UTC),
        ends_at=dt.datetime(2030, 5, 6, 7, 8, tzinfo=UTC),
    )
    task.refresh_from_db()
    assert task.starts_at == dt.datetime(1, 1, 2, 0, 0, tzinfo=UTC)
    assert task.ends_at == dt.datetime(2030, 5, 6, 7, 8, tzinfo=UTC)
    # Shown on the clock furthest west of UTC, it is still a date.
    assert task.starts_at.astimezone(dt.timezone(-dt.timedelta(hours=12))).year == 1
