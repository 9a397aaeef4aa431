"""Run-of-show templates: duties dated back from an air date, and moved with it.

The date arithmetic (production/run_of_show.py) across month ends, year ends,
leap days and daylight-saving changes, then the services that make an
episode's tasks from a template and move them with its air date.
"""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from production import run_of_show, services
from production.models import (
    Activity,
    CrewRole,
    Episode,
    RunOfShow,
    RunOfShowLine,
    Task,
)
from production.workflow import NotAllowed

LONDON = zoneinfo.ZoneInfo("Europe/London")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
UTC = dt.UTC


def test_titles_take_the_episode_number_and_title():
    """{number} and {title} become the episode's; nothing else is read."""
    assert (
        run_of_show.fill_title("Script Ep. {number}: {title}", number=7, title="Rain")
        == "Script Ep. 7: Rain"
    )
    # An episode title that reads like a placeholder stays as typed.
    assert run_of_show.fill_title("{title}", number=7, title="{number}") == "{number}"
    # No attribute lookups, as str.format would do.
    assert (
        run_of_show.fill_title("{title.__class__}", number=1, title="x")
        == "{title.__class__}"
    )
    assert run_of_show.unknown_placeholders("{title} {title.__class__} {date}") == [
        "{title.__class__}",
        "{date}",
    ]
    assert run_of_show.fill_title("Promo {title}", number=3, title="") == "Promo Ep. 3"
    assert len(run_of_show.fill_title("{title}", number=1, title="x" * 300)) == 200


@pytest.mark.parametrize(
    ("air", "days", "due"),
    [
        (dt.date(2027, 3, 1), 1, dt.date(2027, 2, 28)),  # month end
        (dt.date(2028, 3, 1), 1, dt.date(2028, 2, 29)),  # leap day
        (dt.date(2027, 1, 2), 3, dt.date(2026, 12, 30)),  # year end
        (dt.date(2027, 3, 28), 7, dt.date(2027, 3, 21)),  # across the clock change
        (dt.date(2027, 5, 5), 0, dt.date(2027, 5, 5)),  # on the day
    ],
)
def test_due_dates_count_calendar_days_back(air, days, due):
    """A duty is due that many calendar days before air, whatever the month."""
    assert run_of_show.due_on(air, days) == due


def test_a_slot_keeps_its_local_time_on_a_clock_change_day():
    """07:30 in London is 07:30 GMT the day before the spring change, 06:30 UTC on it."""
    before = run_of_show.at_local(dt.date(2027, 3, 27), dt.time(7, 30), LONDON)
    on = run_of_show.at_local(dt.date(2027, 3, 28), dt.time(7, 30), LONDON)
    assert before.astimezone(UTC) == dt.datetime(2027, 3, 27, 7, 30, tzinfo=UTC)
    assert on.astimezone(UTC) == dt.datetime(2027, 3, 28, 6, 30, tzinfo=UTC)
    # A time the spring change skips is read as the clock shows it after.
    skipped = run_of_show.at_local(dt.date(2027, 3, 28), dt.time(1, 30), LONDON)
    assert skipped.astimezone(UTC) == dt.datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    assert skipped.astimezone(LONDON).time() == dt.time(2, 30)


@pytest.mark.parametrize(
    ("start", "days", "local"),
    [
        # Across London's spring change: still 07:30 on the clock.
        (
            dt.datetime(2027, 3, 27, 7, 30, tzinfo=UTC),
            1,
            dt.datetime(2027, 3, 28, 7, 30),
        ),
        # Across the autumn change, backwards and forwards.
        (
            dt.datetime(2027, 10, 31, 7, 30, tzinfo=UTC),
            -1,
            dt.datetime(2027, 10, 30, 7, 30),
        ),
        (
            dt.datetime(2027, 10, 30, 6, 30, tzinfo=UTC),
            2,
            dt.datetime(2027, 11, 1, 7, 30),
        ),
        # Year end.
        (
            dt.datetime(2027, 12, 31, 23, 0, tzinfo=UTC),
            1,
            dt.datetime(2028, 1, 1, 23, 0),
        ),
    ],
)
def test_shifted_slots_keep_their_wall_clock_time(start, days, local):
    """Moving a slot by days keeps the time people read on the production's clock."""
    moved = run_of_show.shifted_moment(start, days, LONDON)
    assert moved.astimezone(LONDON).replace(tzinfo=None) == local


# --- the services -----------------------------------------------------------------


@pytest.fixture
def template(morn, producer, ap):
    """MORN's weekday show: a booking, a script for the writers' role, a promo."""
    template = RunOfShow.objects.create(project=morn, name="Weekday test")
    writer_role = CrewRole.objects.get(project=None, name=CrewRole.WRITER)
    lines = [
        RunOfShowLine(
            template=template,
            kind=Task.Kind.BOOKING,
            title="Book the guest for Ep. {number}",
            assignee=ap,
            days_before=7,
            time=dt.time(7, 30),
        ),
        RunOfShowLine(
            template=template,
            kind=Task.Kind.SCRIPT,
            title="Script draft: {title}",
            role=writer_role,
            days_before=3,
            priority=Task.Priority.HIGH,
        ),
        RunOfShowLine(
            template=template,
            kind=Task.Kind.TELEPROMPTER,
            title="Teleprompter for {title}",
            assignee=ap,
            reviewer=producer,
            days_before=0,
            time=dt.time(5, 45),
        ),
    ]
    RunOfShowLine.objects.bulk_create(lines)
    return template


def episode_on(morn, air_date, number=500, title="Thursday"):
    return Episode.objects.create(
        project=morn, number=number, title=title, air_date=air_date
    )


@time_machine.travel(dt.datetime(2027, 3, 20, 9, 0, tzinfo=UTC), tick=False)
def test_applying_a_template_dates_each_task_back_from_air(
    morn, producer, ap, writer, template
):
    """Due dates count back from air in London; the booking's slot is 07:30 local
    across the clock change; each task is created with its record."""
    episode = episode_on(morn, dt.date(2027, 4, 2))
    made = services.run_of_show_apply(episode=episode, template=template, by=producer)
    by_kind = {task.kind: task for task in made}
    booking = by_kind[Task.Kind.BOOKING]
    assert booking.title == "Book the guest for Ep. 500"
    # 7 days before 2 April is 26 March, GMT; the slot stays 07:30 on the clock.
    assert booking.due_date == dt.date(2027, 3, 26)
    assert booking.starts_at == dt.datetime(2027, 3, 26, 7, 30, tzinfo=UTC)
    assert booking.ends_at == dt.datetime(2027, 3, 26, 8, 0, tzinfo=UTC)
    script = by_kind[Task.Kind.SCRIPT]
    assert (script.title, script.assignee, script.due_date) == (
        "Script draft: Thursday",
        writer,
        dt.date(2027, 3, 30),
    )
    # The writer's default reviewer: whom they report to.
    assert script.reviewer.username == "ap"
    prompter = by_kind[Task.Kind.TELEPROMPTER]
    assert (prompter.due_date, prompter.reviewer) == (dt.date(2027, 4, 2), producer)
    assert prompter.description == "Due by 05:45, Europe/London."
    for task in made:
        assert task.status == Task.Status.TODO
        assert task.episode == episode
        assert Activity.objects.filter(task=task, verb=Activity.Verb.CREATED).exists()


@time_machine.travel(dt.datetime(2027, 3, 20, 9, 0, tzinfo=UTC), tick=False)
def test_a_slot_on_the_clock_change_day_reads_local_time(morn, producer, template):
    """Air on 4 April: the booking falls on 28 March, the day London goes to BST."""
    episode = episode_on(morn, dt.date(2027, 4, 4))
    made = services.run_of_show_apply(episode=episode, template=template, by=producer)
    booking = next(task for task in made if task.kind == Task.Kind.BOOKING)
    assert booking.due_date == dt.date(2027, 3, 28)
    assert booking.starts_at == dt.datetime(2027, 3, 28, 6, 30, tzinfo=UTC)


def test_applying_twice_creates_nothing_twice(morn, producer, template):
    """The second application finds every line's task made and makes none."""
    episode = episode_on(morn, dt.date(2030, 1, 10))
    first = services.run_of_show_apply(episode=episode, template=template, by=producer)
    second = services.run_of_show_apply(episode=episode, template=template, by=producer)
    assert len(first) == 3
    assert second == []
    assert episode.tasks.count() == 3
    plan = services.run_of_show_plan(episode=episode, template=template)
    assert {planned.made for planned in plan} == set(first)
    # A line added since makes just its own task.
    RunOfShowLine.objects.create(
        template=template, title="Promo {title}", days_before=2
    )
    third = services.run_of_show_apply(episode=episode, template=template, by=producer)
    assert [task.title for task in third] == ["Promo Thursday"]


def test_the_database_refuses_a_second_task_from_one_line(morn, producer, template):
    """Even written by hand, one line makes one task per episode."""
    episode = episode_on(morn, dt.date(2030, 1, 10))
    (task, *_) = services.run_of_show_apply(
        episode=episode, template=template, by=producer
    )
    copy = Task.objects.get(pk=task.pk)
    copy.pk = None
    copy.number, copy.key = 9999, "MORN-9999"
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()


def test_only_crew_who_may_assign_apply_templates_or_edit_episodes(
    morn, ap, outsider, template
):
    """An AP and an outsider are refused and nothing is written."""
    episode = episode_on(morn, dt.date(2030, 1, 10))
    for person in (ap, outsider):
        with pytest.raises(NotAllowed):
            services.run_of_show_apply(episode=episode, template=template, by=person)
        with pytest.raises(NotAllowed):
            services.episode_create(project=morn, by=person, number=900)
        with pytest.raises(NotAllowed):
            services.episode_shift_air_date(
                episode=episode, to=dt.date(2030, 1, 11), by=person
            )
    assert episode.tasks.count() == 0
    episode.refresh_from_db()
    assert episode.air_date == dt.date(2030, 1, 10)


def test_an_archived_production_takes_no_episodes(morn, producer):
    morn.archived = True
    morn.save()
    with pytest.raises(NotAllowed, match="archived"):
        services.episode_create(project=morn, by=producer, number=900)


def test_applying_needs_an_air_date(morn, producer, template):
    episode = Episode.objects.create(project=morn, number=900)
    with pytest.raises(ValidationError, match="air date"):
        services.run_of_show_apply(episode=episode, template=template, by=producer)


def test_a_person_off_the_crew_leaves_their_line_unassigned(
    morn, producer, outsider, template
):
    """A line naming someone no longer on the crew makes an unassigned task."""
    template.lines.filter(kind=Task.Kind.BOOKING).update(assignee=outsider)
    episode = episode_on(morn, dt.date(2030, 1, 10))
    plan = services.run_of_show_plan(episode=episode, template=template)
    booking = next(p for p in plan if p.kind == Task.Kind.BOOKING)
    assert booking.assignee is None
    assert "no longer on the crew" in booking.note
    made = services.run_of_show_apply(episode=episode, template=template, by=producer)
    assert next(t for t in made if t.kind == Task.Kind.BOOKING).assignee is None


# --- moving the air date --------------------------------------------------------


def made_for(morn, producer, template, air_date):
    episode = episode_on(morn, air_date)
    services.run_of_show_apply(episode=episode, template=template, by=producer)
    return episode


@pytest.mark.parametrize(
    ("air", "to", "booking_due"),
    [
        # Month end: the booking moves from 28 Feb to 1 Mar.
        (dt.date(2027, 3, 7), dt.date(2027, 3, 8), dt.date(2027, 3, 1)),
        # Year end: from 31 Dec 2027 into 2028.
        (dt.date(2028, 1, 7), dt.date(2028, 1, 9), dt.date(2028, 1, 2)),
        # Backwards across the leap day.
        (dt.date(2028, 3, 8), dt.date(2028, 3, 6), dt.date(2028, 2, 28)),
    ],
)
@time_machine.travel(dt.datetime(2027, 1, 5, 9, 0, tzinfo=UTC), tick=False)
def test_moving_the_air_date_moves_open_tasks_by_as_many_days(
    morn, producer, template, air, to, booking_due
):
    """Open tasks follow the air date; done and cancelled ones stay; one record each."""
    episode = made_for(morn, producer, template, air)
    tasks = {task.kind: task for task in episode.tasks.all()}
    done, cancelled = tasks[Task.Kind.SCRIPT], tasks[Task.Kind.TELEPROMPTER]
    Task.objects.filter(pk=done.pk).update(status=Task.Status.DONE)
    Task.objects.filter(pk=cancelled.pk).update(status=Task.Status.CANCELLED)
    shifts = services.episode_shift_air_date(episode=episode, to=to, by=producer)
    assert [shift.task.kind for shift in shifts] == [Task.Kind.BOOKING]
    booking = Task.objects.get(pk=tasks[Task.Kind.BOOKING].pk)
    assert booking.due_date == booking_due
    assert booking.starts_at.astimezone(LONDON).time() == dt.time(7, 30)
    assert booking.version == 2
    record = Activity.objects.get(task=booking, verb=Activity.Verb.CHANGED)
    assert record.field == "due_date"
    assert "The air date moved" in record.note
    for unmoved in (done, cancelled):
        assert Task.objects.get(pk=unmoved.pk).due_date == unmoved.due_date
        assert not Activity.objects.filter(
            task=unmoved, verb=Activity.Verb.CHANGED
        ).exists()
    episode.refresh_from_db()
    assert episode.air_date == to


@time_machine.travel(dt.datetime(2027, 3, 20, 9, 0, tzinfo=UTC), tick=False)
def test_a_moved_slot_keeps_its_time_across_the_clock_change(morn, producer, template):
    """Booking on Sat 27 March 07:30 GMT moves a day to Sun 28 March 07:30 BST."""
    episode = made_for(morn, producer, template, dt.date(2027, 4, 3))
    booking = episode.tasks.get(kind=Task.Kind.BOOKING)
    assert booking.starts_at == dt.datetime(2027, 3, 27, 7, 30, tzinfo=UTC)
    services.episode_shift_air_date(
        episode=episode, to=dt.date(2027, 4, 4), by=producer
    )
    booking.refresh_from_db()
    assert booking.starts_at == dt.datetime(2027, 3, 28, 6, 30, tzinfo=UTC)
    assert booking.due_date == dt.date(2027, 3, 28)


def test_an_update_without_shifting_leaves_the_tasks(morn, producer, template):
    """Moving only the air date is a choice too."""
    episode = made_for(morn, producer, template, dt.date(2030, 1, 10))
    before = list(episode.tasks.values_list("due_date", flat=True).order_by("pk"))
    services.episode_update(
        episode=episode, by=producer, air_date=dt.date(2030, 1, 20), title="Later"
    )
    after = list(episode.tasks.values_list("due_date", flat=True).order_by("pk"))
    assert before == after
    episode.refresh_from_db()
    assert (episode.air_date, episode.title) == (dt.date(2030, 1, 20), "Later")


def test_a_shift_past_slates_dates_is_refused_whole(morn, producer, template):
    """No task moves when one would land before 1900; the air date stays too."""
    episode = made_for(morn, producer, template, dt.date(1900, 1, 20))
    before = sorted(episode.tasks.values_list("due_date", flat=True))
    # The booking, a week before air, would fall in 1899.
    with pytest.raises(ValidationError, match="1900"):
        services.episode_shift_air_date(
            episode=episode, to=dt.date(1900, 1, 1), by=producer
        )
    episode.refresh_from_db()
    assert episode.air_date == dt.date(1900, 1, 20)
    assert sorted(episode.tasks.values_list("due_date", flat=True)) == before


def test_moving_in_new_york_keeps_new_york_time(producer, nite, outsider):
    """A production's own zone decides the wall clock (NITE is in New York)."""
    template = RunOfShow.objects.create(project=nite, name="Nightly")
    RunOfShowLine.objects.create(
        template=template,
        kind=Task.Kind.BOOKING,
        title="Band for {title}",
        days_before=0,
        time=dt.time(18, 0),
    )
    episode = Episode.objects.create(
        project=nite, number=1, title="Fri", air_date=dt.date(2027, 3, 13)
    )
    (task,) = services.run_of_show_apply(
        episode=episode, template=template, by=outsider
    )
    assert task.starts_at.astimezone(NEW_YORK).time() == dt.time(18, 0)
    services.episode_shift_air_date(
        episode=episode, to=dt.date(2027, 3, 14), by=outsider
    )
    task.refresh_from_db()
    # 14 March 2027: New York moves to daylight time; still 18:00 there.
    assert task.starts_at.astimezone(NEW_YORK).time() == dt.time(18, 0)
    assert task.starts_at == dt.datetime(2027, 3, 14, 22, 0, tzinfo=UTC)


def test_moving_a_made_task_onto_an_episode_with_its_twin_is_refused(
    morn, producer, template, client_for
):
    """A task edited onto another episode that has the same duty's task gets a
    sentence, not a server error."""
    from tests.pages import edit_data

    first = made_for(morn, producer, template, dt.date(2030, 1, 10))
    second = episode_on(morn, dt.date(2030, 1, 11), number=501)
    services.run_of_show_apply(episode=second, template=template, by=producer)
    task = first.tasks.get(kind=Task.Kind.BOOKING)
    response = client_for(producer).post(
        task.get_absolute_url() + "edit/", edit_data(task, episode=second.pk)
    )
    assert response.status_code < 500
    assert "already has the task this run-of-show duty made" in (
        response.content.decode()
    )
    task.refresh_from_db()
    assert task.episode == first
