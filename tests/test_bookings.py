"""Booking conflicts: the same guest or the same place booked at overlapping times."""

import datetime as dt
import zoneinfo

import pytest

from production import bookings, services
from production.bookings import conflict_message, conflicts_for, conflicts_with
from production.models import Task

LONDON = zoneinfo.ZoneInfo("Europe/London")
DAY = dt.date(2026, 12, 7)


def at(hour, minute=0, day=DAY, zone=LONDON):
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone)


@pytest.fixture
def book(producer):
    """Make a booking on a production, as its producer would."""

    def make(project, *, starts, minutes=30, guest="", location="", by=producer):
        return services.task_create(
            project=project,
            by=by,
            title=f"Book {guest or location or 'someone'}",
            kind=Task.Kind.BOOKING,
            guest=guest,
            location=location,
            starts_at=starts,
            ends_at=starts + dt.timedelta(minutes=minutes),
        )

    return make


def keys(tasks):
    return [task.key for task in tasks]


def test_overlapping_slots_with_the_same_guest_are_flagged_on_both(morn, book, ap):
    """Two bookings of one guest at overlapping times each name the other."""
    first = book(morn, starts=at(9), guest="Chef Ana Ruiz")
    second = book(morn, starts=at(9, 15), guest="Chef Ana Ruiz")
    found = conflicts_for([first, second], user=ap)
    assert keys(found[first.pk]) == [second.key]
    assert keys(found[second.pk]) == [first.key]


def test_touching_slots_are_not_a_conflict(morn, book, ap):
    """A booking that starts exactly when the other ends does not clash."""
    first = book(morn, starts=at(9), minutes=30, guest="Chef Ana Ruiz")
    second = book(morn, starts=at(9, 30), guest="Chef Ana Ruiz")
    assert conflicts_for([first, second], user=ap) == {}
    assert conflicts_with(second, user=ap) == []


def test_a_slot_inside_another_is_a_conflict(morn, book, ap):
    """A short slot wholly inside a long one at the same place clashes."""
    long = book(morn, starts=at(8), minutes=180, location="Studio B")
    short = book(morn, starts=at(9), minutes=10, location="Studio B")
    assert keys(conflicts_with(short, user=ap)) == [long.key]


def test_same_location_matches_ignoring_case_and_spaces(morn, book, ap):
    """ "studio b " and "Studio B" are the same place on one production."""
    first = book(morn, starts=at(9), location="Studio B")
    second = book(morn, starts=at(9, 10), location="  studio b ")
    assert keys(conflicts_with(first, user=ap)) == [second.key]


def test_same_guest_matches_ignoring_case_and_spaces(morn, book, ap):
    """A guest typed with different case or spaces is still the same guest."""
    first = book(morn, starts=at(9), guest="Grace Kiplagat")
    second = book(morn, starts=at(9, 10), guest=" GRACE kiplagat")
    assert keys(conflicts_with(first, user=ap)) == [second.key]


def test_different_guests_and_places_do_not_clash(morn, book, ap):
    """Overlapping bookings of different people in different places are fine."""
    first = book(morn, starts=at(9), guest="Chef Ana Ruiz", location="Studio A")
    book(morn, starts=at(9), guest="Tom Baines", location="Studio B")
    assert conflicts_with(first, user=ap) == []


def test_empty_guest_and_location_never_match(
    morn, book, ap, django_assert_num_queries
):
    """Two bookings with no guest or place named yet are not flagged, and
    checking one costs no query: it has nothing to clash on."""
    first = book(morn, starts=at(9))
    book(morn, starts=at(9))
    with django_assert_num_queries(0):
        assert conflicts_with(first, user=ap) == []


def test_same_guest_on_two_productions_is_flagged(morn, nite, book, ap2, outsider):
    """A guest cannot be in two shows at once, whichever production booked them."""
    morning = book(morn, starts=at(9), guest="Grace Kiplagat")
    night = book(nite, starts=at(9, 15), guest="Grace Kiplagat", by=outsider)
    found = conflicts_for([morning, night], user=ap2)
    assert keys(found[morning.pk]) == [night.key]
    assert keys(found[night.pk]) == [morning.key]


def test_a_clash_on_a_production_the_user_is_not_on_stays_hidden(
    morn, nite, book, ap, outsider
):
    """Someone only on MORN is not told about NITE's bookings."""
    morning = book(morn, starts=at(9), guest="Grace Kiplagat")
    book(nite, starts=at(9, 15), guest="Grace Kiplagat", by=outsider)
    assert conflicts_with(morning, user=ap) == []


def test_same_location_on_two_productions_is_not_flagged(
    morn, nite, book, ap2, outsider
):
    """ "Studio B" of two productions is taken to be two different studios."""
    morning = book(morn, starts=at(9), location="Studio B")
    book(nite, starts=at(9), location="Studio B", by=outsider)
    assert conflicts_with(morning, user=ap2) == []


def test_cancelled_and_archived_bookings_never_conflict(morn, book, ap, producer):
    """Once a clashing booking is cancelled or archived, the flag goes away."""
    first = book(morn, starts=at(9), guest="Chef Ana Ruiz")
    cancelled = book(morn, starts=at(9), guest="Chef Ana Ruiz")
    archived = book(morn, starts=at(9), guest="Chef Ana Ruiz")
    assert len(conflicts_with(first, user=ap)) == 2
    services.task_move(task=cancelled, to=Task.Status.CANCELLED, by=producer)
    services.task_archive(task=archived, by=producer)
    assert conflicts_with(first, user=ap) == []
    assert conflicts_with(cancelled, user=ap) == []


def test_other_kinds_of_task_are_never_bookings(morn, ap):
    """A script task is not a booking, whatever is in its booking fields."""
    script = Task.objects.filter(project=morn, kind=Task.Kind.SCRIPT).first()
    assert conflicts_for([script], user=ap) == {}


def test_the_demo_studio_b_bookings_clash(morn, ap):
    """The chef and the councillor are both booked into Studio B at 7:45."""
    chef = Task.objects.get(project=morn, guest="Chef Ana Ruiz")
    councillor = Task.objects.get(project=morn, guest="Cllr. Tom Baines")
    marathon = Task.objects.get(project=morn, guest="Grace Kiplagat")
    found = conflicts_for([chef, councillor, marathon], user=ap)
    assert keys(found[chef.pk]) == [councillor.key]
    assert keys(found[councillor.pk]) == [chef.key]
    assert marathon.pk not in found


def test_conflicts_for_many_bookings_takes_one_query(
    morn, book, ap, django_assert_num_queries
):
    """The board and calendar check every booking on show with a single query."""
    bookings = [
        book(morn, starts=at(8 + index % 10), guest=f"Guest {index % 4}")
        for index in range(40)
    ]
    with django_assert_num_queries(1):
        found = conflicts_for(bookings, user=ap)
    assert found


def test_the_save_warning_names_the_other_task(morn, book, ap):
    """The warning on saving a clashing booking says which task it clashes with."""
    first = book(morn, starts=at(9), guest="Chef Ana Ruiz")
    second = book(morn, starts=at(9, 15), guest="Chef Ana Ruiz")
    message = conflict_message(first, conflicts_with(first, user=ap))
    assert second.key in message
    assert "saved" in message


def test_a_long_slot_clashes_with_one_that_starts_many_slots_later(morn, book, ap):
    """A day-long booking of a studio clashes with an evening slot there, however
    many short slots of that studio start in between (and those clash too)."""
    day_long = book(morn, starts=at(8), minutes=12 * 60, location="Studio B")
    shorts = [
        book(morn, starts=at(9 + hour), minutes=30, location="Studio B")
        for hour in range(8)
    ]
    evening = book(morn, starts=at(19, 30), minutes=30, location="Studio B")
    later = book(morn, starts=at(21), minutes=30, location="Studio B")
    found = conflicts_for([day_long, *shorts, evening, later], user=ap)
    assert keys(found[evening.pk]) == [day_long.key]
    assert keys(found[day_long.pk]) == keys([*shorts, evening])
    assert all(keys(found[short.pk]) == [day_long.key] for short in shorts)
    assert later.pk not in found


@pytest.mark.parametrize(
    ("guests", "locations"),
    [
        (["chef ana ruiz"], []),
        ([], ["studio b"]),
        # Three of each: padded to four, the spare place repeating one.
        (["chef ana ruiz", "guest 1", "nobody"], ["studio b", "remote", "roof"]),
    ],
)
def test_the_compiled_clash_query_finds_what_the_orm_finds(
    morn, nite, book, ap2, outsider, guests, locations
):
    """The clash query is compiled once for each size of its lists
    (production/prepared.py); run with real values, it reads the rows the
    ORM's queryset reads, across both productions of the viewer."""
    for project, by in ((morn, ap2), (nite, outsider)):
        book(project, starts=at(9), guest="Chef Ana Ruiz", location="Studio B", by=by)
        book(project, starts=at(9, 20), guest=" GUEST 1 ", location="Remote", by=by)
        book(project, starts=at(22), guest="Late", location="Roof", by=by)
    before, after = at(21), at(8)
    projects = sorted({morn.pk, nite.pk}) if locations else []
    expected = list(
        bookings.clash_candidates(ap2.pk, before, after, guests, projects, locations)
    )
    query = bookings._clash_query(
        bookings._bucket(len(guests)),
        bookings._bucket(len(projects)),
        bookings._bucket(len(locations)),
    )
    found = query.rows(
        ap2.pk,
        before,
        after,
        *bookings._padded(set(guests)),
        *bookings._padded(set(projects)),
        *bookings._padded(set(locations)),
    )
    assert found == expected
    assert len(found) >= 2


def test_a_board_of_more_bookings_reuses_the_compiled_clash_query(morn, book, ap):
    """Three guests and four share one compiled form: a board does not
    compile its clash query again when a few more bookings are on show."""
    three = [book(morn, starts=at(9), guest=f"Guest {n}") for n in range(3)]
    bookings._clash_query.cache_clear()
    assert conflicts_for(three, user=ap) == {}
    again = book(morn, starts=at(9, 10), guest="Guest 0")
    four = [*three, again, book(morn, starts=at(9, 20), guest="Guest 3")]
    assert keys(conflicts_for(four, user=ap)[three[0].pk]) == [again.key]
    assert bookings._clash_query.cache_info().currsize == 1
