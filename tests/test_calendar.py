"""The calendar pages: a production's month, my month, and the feed address."""

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from production import services
from production.bookings import slot_start
from production.management.commands.seed_demo import add_generated_tasks
from production.models import Task
from production.views.calendar import grid_bounds, parse_month
from tests.pages import HTMX, count_queries

UTC = dt.UTC


def month_of(day: dt.date) -> str:
    return day.strftime("%Y-%m")


def entries_by_day(response) -> dict[dt.date, list[str]]:
    """The task keys on each day of the grid the page shows."""
    return {
        day.date: [entry.task.key for entry in day.entries]
        for week in response.context["weeks"]
        for day in week
    }


def entry_for(response, key):
    for week in response.context["weeks"]:
        for day in week:
            for entry in day.entries:
                if entry.task.key == key:
                    return entry
    return None


def due_on(day: dt.date, count: int, title: str, **fields) -> None:
    """`count` tasks titled "<title> 0", "<title> 1"… due on `day`."""
    for n in range(count):
        services.task_create(title=f"{title} {n}", due_date=day, **fields)


@pytest.fixture
def book(producer):
    """A booking with a slot, created the way the producer would."""

    def make(project, *, starts, minutes=30, by=producer, **fields):
        return services.task_create(
            project=project,
            by=by,
            title=fields.pop("title", "Book a guest"),
            kind=Task.Kind.BOOKING,
            starts_at=starts,
            ends_at=starts + dt.timedelta(minutes=minutes),
            **fields,
        )

    return make


@pytest.fixture
def auckland(producer):
    """A production far east of UTC, so its days start while UTC is on yesterday."""
    return services.project_create(
        by=producer, name="Kia Ora Mornings", code="KIA", time_zone="Pacific/Auckland"
    )


# --- the month grid ---------------------------------------------------------


def test_the_grid_runs_monday_to_sunday_and_covers_the_month():
    """March 2026 starts on a Sunday: its grid starts on the Monday before."""
    first, last = grid_bounds(dt.date(2026, 3, 1))
    assert first == dt.date(2026, 2, 23) and first.weekday() == 0
    assert last == dt.date(2026, 4, 5) and last.weekday() == 6


def test_a_bad_month_falls_back_to_this_month_with_a_message():
    """An unreadable month shows the current month and says why."""
    today = dt.date(2026, 11, 26)
    assert parse_month("2026-12", today) == (dt.date(2026, 12, 1), "")
    for bad in ["2026-13", "12-2026", "soon", "2026-00", "0001-01", "2026-1"]:
        month, error = parse_month(bad, today)
        assert month == dt.date(2026, 11, 1)
        assert "is not a month" in error


def test_due_dates_land_on_their_days_at_the_month_edges(
    load_project, producer, client_for
):
    """Tasks due on the 1st and the 31st appear on those days, not beside them."""
    # A production of its own: the demo's tasks, dated from today, could fall
    # on these days too.
    first = services.task_create(
        project=load_project, by=producer, title="First", due_date=dt.date(2026, 12, 1)
    )
    last = services.task_create(
        project=load_project, by=producer, title="Last", due_date=dt.date(2026, 12, 31)
    )
    response = client_for(producer).get(
        reverse("project-calendar", args=["LOAD"]), {"month": "2026-12"}
    )
    assert response.status_code == 200
    days = entries_by_day(response)
    assert days[dt.date(2026, 12, 1)] == [first.key]
    assert days[dt.date(2026, 12, 31)] == [last.key]
    assert "December 2026" in response.content.decode()


def test_a_slot_sits_on_its_start_day_in_the_production_time_zone(
    auckland, book, producer, client_for
):
    """A slot at 12:00 UTC on 30 November is 1 December, 01:00 in Auckland."""
    booking = book(
        auckland,
        starts=dt.datetime(2026, 11, 30, 12, 0, tzinfo=UTC),
        guest="Aroha Ngata",
    )
    response = client_for(producer).get(
        reverse("project-calendar", args=["KIA"]), {"month": "2026-12"}
    )
    days = entries_by_day(response)
    assert days[dt.date(2026, 12, 1)] == [booking.key]
    assert days[dt.date(2026, 11, 30)] == []
    assert "01:00–01:30 NZDT" in response.content.decode()


def test_a_late_evening_slot_west_of_utc_stays_on_its_local_day(
    nite, book, ap2, outsider, client_for
):
    """A 22:30 New York slot on 31 December is on New Year's Eve, not 1 January."""
    booking = book(
        nite,
        by=outsider,
        starts=dt.datetime(2027, 1, 1, 3, 30, tzinfo=UTC),
        guest="The Band",
    )
    response = client_for(ap2).get(
        reverse("project-calendar", args=["NITE"]), {"month": "2026-12"}
    )
    days = entries_by_day(response)
    assert booking.key in days[dt.date(2026, 12, 31)]
    assert "22:30–23:00 EST" in response.content.decode()
    january = client_for(ap2).get(
        reverse("project-calendar", args=["NITE"]), {"month": "2027-01"}
    )
    assert booking.key not in entries_by_day(january).get(dt.date(2027, 1, 1), [])


@pytest.mark.parametrize(
    ("zone", "starts", "shown"),
    [
        (
            "Europe/London",
            [
                dt.datetime(2027, 3, 28, 0, 30, tzinfo=UTC),
                dt.datetime(2027, 3, 28, 1, 30, tzinfo=UTC),
            ],
            ["00:30–00:45 GMT", "02:30–02:45 BST"],
        ),
        (
            "America/New_York",
            [
                dt.datetime(2027, 11, 7, 5, 30, tzinfo=UTC),
                dt.datetime(2027, 11, 7, 6, 30, tzinfo=UTC),
            ],
            ["01:30–01:45 EDT", "01:30–01:45 EST"],
        ),
    ],
    ids=["london-springs-forward", "new-york-falls-back"],
)
def test_slots_either_side_of_a_clock_change_keep_their_local_times(
    producer, book, client_for, zone, starts, shown
):
    """On the day the clocks change, two slots an hour apart stay on that day,
    each at the local time and zone it was booked in."""
    project = services.project_create(
        by=producer, name="Clock change", code="DST", time_zone=zone
    )
    bookings = [
        book(project, starts=moment, minutes=15, guest=f"Guest {number}")
        for number, moment in enumerate(starts)
    ]
    day = starts[0].astimezone(project.tzinfo).date()
    response = client_for(producer).get(
        reverse("project-calendar", args=["DST"]), {"month": month_of(day)}
    )
    assert entries_by_day(response)[day] == [booking.key for booking in bookings]
    assert [entry_for(response, b.key).time_range for b in bookings] == shown


def test_a_booking_shows_its_details_and_its_time_in_the_production_zone(
    morn, ap, client_for
):
    """The chef's booking shows 07:30 London time, guest, contact, place and status."""
    chef = Task.objects.get(project=morn, guest="Chef Ana Ruiz")
    response = client_for(ap).get(
        reverse("project-calendar", args=["MORN"]),
        {"month": month_of(chef.starts_at.date())},
    )
    entry = entry_for(response, chef.key)
    assert entry.is_slot and entry.time_range.startswith("07:30–08:00")
    html = response.content.decode()
    for shown in ["Chef Ana Ruiz", "ana@ruizkitchen.example", "Studio B", "confirmed"]:
        assert shown in html
    assert f'href="{chef.get_absolute_url()}"' in html


def test_clashing_bookings_are_flagged_on_the_calendar(morn, ap, client_for):
    """The two Studio B bookings each say they overlap the other."""
    chef = Task.objects.get(project=morn, guest="Chef Ana Ruiz")
    councillor = Task.objects.get(project=morn, guest="Cllr. Tom Baines")
    response = client_for(ap).get(
        reverse("project-calendar", args=["MORN"]),
        {"month": month_of(chef.starts_at.date())},
    )
    assert [t.key for t in entry_for(response, chef.key).conflicts] == [councillor.key]
    assert [t.key for t in entry_for(response, councillor.key).conflicts] == [chef.key]
    assert response.content.decode().count("cal-conflict-note") == 2


def test_overdue_work_stands_out(morn, ap, task_of, client_for):
    """An open task past its due date is marked overdue; done work is not."""
    overdue = task_of(ap, Task.Status.IN_PROGRESS)
    done = task_of(ap, Task.Status.DONE)
    url = reverse("project-calendar", args=["MORN"])
    client = client_for(ap)
    response = client.get(url, {"month": month_of(overdue.due_date)})
    html = response.content.decode()
    assert overdue.is_overdue
    card = re.search(
        rf'<li class="cal-entry[^"]*">\s*<span class="cal-label[^"]*"><strong>Overdue'
        rf'</strong></span>\s*<a href="{overdue.get_absolute_url()}"',
        html,
    )
    assert card and "cal-overdue" in card[0]
    # The demo's done task may fall in the month before: ask for its own month.
    done_month = client.get(url, {"month": month_of(done.due_date)})
    shown = entry_for(done_month, done.key)
    assert done.due_date < timezone.localdate()
    assert shown and not shown.overdue


def test_cancelled_tasks_are_left_out_unless_asked_for(morn, ap, task_of, client_for):
    """Cancelled work is hidden, but the status filter can bring it back."""
    cancelled = task_of(ap, Task.Status.CANCELLED)
    url = reverse("project-calendar", args=["MORN"])
    month = month_of(cancelled.due_date)
    client = client_for(ap)
    assert entry_for(client.get(url, {"month": month}), cancelled.key) is None
    asked = client.get(url, {"month": month, "status": "cancelled"})
    assert entry_for(asked, cancelled.key) is not None


def test_filters_narrow_the_calendar_like_the_board(morn, ap, ap2, client_for):
    """Filtering by kind or assignee leaves only the matching tasks."""
    url = reverse("project-calendar", args=["MORN"])
    client = client_for(ap)
    today = timezone.localdate()
    bookings = client.get(url, {"month": month_of(today), "kind": "booking"})
    kinds = {
        entry.task.kind
        for week in bookings.context["weeks"]
        for day in week
        for entry in day.entries
    }
    assert kinds <= {Task.Kind.BOOKING}
    mine = client.get(url, {"month": month_of(today), "assignee": ap2.pk})
    people = {
        entry.task.assignee_id
        for week in mine.context["weeks"]
        for day in week
        for entry in day.entries
    }
    assert people <= {ap2.pk}
    assert 'name="kind"' in bookings.content.decode()


def test_a_bad_filter_is_an_error_beside_it_not_a_failure(morn, ap, client_for):
    """An unknown kind or person is pointed out and the calendar still shows."""
    response = client_for(ap).get(
        reverse("project-calendar", args=["MORN"]),
        {"kind": "dragons", "assignee": "99999"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is no kind of task “dragons”. This filter is ignored." in html
    assert "Nobody by that id is on this crew." in html
    assert "cal-days" in html


def test_a_bad_month_shows_this_month_with_an_error(morn, ap, client_for):
    """?month=2026-13 gives the current month and a clear sentence, never a 500."""
    response = client_for(ap).get(
        reverse("project-calendar", args=["MORN"]), {"month": "2026-13"}
    )
    assert response.status_code == 200
    assert response.context["month"] == timezone.localdate().replace(day=1)
    assert "“2026-13” is not a month" in response.content.decode()


def test_previous_and_next_are_real_links_that_keep_the_filters(morn, ap, client_for):
    """The month links work without JavaScript and keep the filters chosen."""
    response = client_for(ap).get(
        reverse("project-calendar", args=["MORN"]),
        {"month": "2026-01", "kind": "booking"},
    )
    html = response.content.decode()
    for month in ["2025-12", "2026-02"]:
        link = re.search(
            rf'<a id="month-(previous|next)"[^>]*href="\?([^"]*month={month}[^"]*)"[^>]*>',
            html,
        )
        assert link, month
        assert "kind=booking" in link[2]
        assert f'hx-get="?{link[2]}"' in link[0]
    # The links swap the grid and keep the URL: htmx inherits these.
    grid = re.search(r'<section id="calendar-grid"[^>]*>', html)[0]
    assert 'hx-target="#calendar-grid"' in grid
    assert 'hx-push-url="true"' in grid


def test_the_filter_bar_filters_the_month_shown(morn, ap, client_for):
    """Filtering in February keeps showing February, and clearing keeps it too."""
    response = client_for(ap).get(
        reverse("project-calendar", args=["MORN"]),
        {"month": "2026-02", "kind": "booking"},
    )
    html = response.content.decode()
    form = re.search(r'<form class="filter-bar".*?</form>', html, re.S)[0]
    assert '<input type="hidden" name="month" value="2026-02">' in form
    assert 'href="/projects/MORN/calendar/?month=2026-02">Clear filters' in form
    assert 'hx-target="#calendar-grid"' in form


def test_htmx_gets_only_the_grid(morn, ap, client_for):
    """Moving months with htmx swaps just the grid; a history restore gets the page."""
    client = client_for(ap)
    url = reverse("project-calendar", args=["MORN"])
    partial = client.get(url, {"month": "2026-02"}, headers={"HX-Request": "true"})
    html = partial.content.decode()
    assert html.lstrip().startswith('<section id="calendar-grid"')
    assert "<html" not in html and "February 2026" in html
    assert "HX-Request" in partial["Vary"]
    # The filter bar outside the grid is told the month now shown.
    assert re.search(
        r'<input type="hidden" name="month" value="2026-02" '
        r'hx-swap-oob="outerHTML:#calendar-filters input\[name=\'month\'\]">',
        html,
    )
    assert 'id="filter-errors"' in html
    restore = client.get(
        url,
        {"month": "2026-02"},
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in restore.content.decode()


def test_the_page_has_no_inline_script_or_style(morn, ap, client_for):
    """The strict CSP holds: no inline scripts, styles or handlers on the page."""
    html = (
        client_for(ap).get(reverse("project-calendar", args=["MORN"])).content.decode()
    )
    assert "style=" not in html
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None
    assert re.search(r"\son[a-z]+=", html) is None
    assert "slate/calendar.css" in html


def test_a_production_i_am_not_on_is_not_found(morn, outsider, client_for):
    """Someone not on MORN's crew gets a 404 for its calendar."""
    response = client_for(outsider).get(reverse("project-calendar", args=["MORN"]))
    assert response.status_code == 404


@pytest.mark.parametrize(
    "url", ["/projects/MORN/calendar/", "/calendar/"], ids=["project", "mine"]
)
def test_calendars_need_a_login(demo, url):
    """Someone not logged in is sent to the login page."""
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_posting_to_a_calendar_page_is_refused(morn, ap, client_for):
    """The calendars are read-only pages: a POST is a 405."""
    assert client_for(ap).post(reverse("my-calendar")).status_code == 405


# --- my calendar ------------------------------------------------------------


def test_my_calendar_has_my_due_dates_and_all_my_productions_bookings(
    morn, ap, ap2, client_for
):
    """ap sees their own deadlines and every MORN booking, but not ap2's deadlines."""
    theirs = Task.objects.get(title="Social clips for the health segment")
    month = theirs.due_date.replace(day=1)
    first, last = grid_bounds(month)
    response = client_for(ap).get(reverse("my-calendar"), {"month": month_of(month)})
    shown = {key for keys in entries_by_day(response).values() for key in keys}
    mine = Task.objects.filter(assignee=ap, due_date__range=(first, last)).exclude(
        status=Task.Status.CANCELLED
    )
    # The demo dates ap's work a day either side of ap2's task: some is here.
    assert mine.exists()
    assert {task.key for task in mine} <= shown
    assert theirs.assignee == ap2 and theirs.key not in shown
    bookings = [
        booking
        for booking in Task.objects.filter(project=morn, kind=Task.Kind.BOOKING)
        if first <= slot_start(booking).date() <= last
    ]
    assert bookings
    assert {booking.key for booking in bookings} <= shown


def test_my_calendar_spans_productions_but_only_mine(
    nite, ap, ap2, client_for, book, outsider
):
    """ap2 sees NITE's bookings as well as MORN's; ap, not on NITE, does not."""
    slot = dt.datetime.combine(timezone.localdate(), dt.time(23, 0), tzinfo=UTC)
    booking = book(nite, by=outsider, starts=slot, guest="The Band")
    month = month_of(booking.starts_at.astimezone(nite.tzinfo).date())

    def shown(user):
        response = client_for(user).get(reverse("my-calendar"), {"month": month})
        return {key for keys in entries_by_day(response).values() for key in keys}

    assert booking.key in shown(ap2)
    assert booking.key not in shown(ap)
    assert not any(key.startswith("NITE-") for key in shown(ap))


def test_my_calendar_filters_by_kind(ap, client_for):
    """The filter bar on my calendar narrows it too (no crew or episode choice)."""
    response = client_for(ap).get(reverse("my-calendar"), {"kind": "booking"})
    html = response.content.decode()
    assert 'name="kind"' in html and 'name="assignee"' not in html
    kinds = {
        entry.task.kind
        for week in response.context["weeks"]
        for day in week
        for entry in day.entries
    }
    assert kinds <= {Task.Kind.BOOKING}


# --- query counts -----------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/projects/MORN/calendar/", "/calendar/"], ids=["project", "mine"]
)
def test_query_count_stays_flat_as_the_production_grows(morn, ap, client_for, url):
    """A month with 200 more tasks takes the same handful of queries to show."""
    client = client_for(ap)
    # The month of the demo's bookings (tomorrow's month on the last day of
    # one): a month without any would skip the clash check until the
    # generated tasks bring one.
    chef = Task.objects.get(project=morn, guest="Chef Ana Ruiz")
    params = {"month": month_of(slot_start(chef).date()), "q": "", "kind": ""}
    few = count_queries(client, url, params)
    add_generated_tasks(morn, 200)
    many = count_queries(client, url, params)
    assert few == many
    assert many <= 15
    filtered = {**params, "assignee": ap.pk} if "projects" in url else params
    assert count_queries(client, url, filtered) <= 15


# --- the feed address -------------------------------------------------------


def test_my_calendar_offers_to_make_a_feed_address(ap, client_for):
    """Before making one, the page offers a button and shows no address."""
    html = client_for(ap).get(reverse("my-calendar")).content.decode()
    assert "Make my feed address" in html
    assert "/calendar/feed/" not in html


def test_making_a_feed_address_shows_it_on_my_calendar(ap, client_for):
    """The button makes a private address, then shows it to copy."""
    client = client_for(ap)
    response = client.post(reverse("calendar-token"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("my-calendar"))
    page = client.get(reverse("my-calendar")).content.decode()
    match = re.search(r'value="http://testserver(/calendar/feed/[^"]+\.ics)"', page)
    assert match
    assert "webcal://testserver/calendar/feed/" in page
    assert "Make a new address" in page
    assert "Your feed address is ready" in page
    assert "no longer works" not in page, "there was no old address to stop"


def test_a_new_address_replaces_the_old_one_with_htmx(ap, client_for):
    """With htmx, the feed section is swapped in place with the new address."""
    client = client_for(ap)
    client.post(reverse("calendar-token"))
    old = re.search(
        r'value="([^"]+\.ics)"', client.get(reverse("my-calendar")).content.decode()
    )[1]
    response = client.post(reverse("calendar-token"), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="feed"')
    new = re.search(r'value="([^"]+\.ics)"', html)[1]
    assert new != old
    assert "the old one no longer works" in html


def test_making_an_address_needs_a_login_and_a_csrf_token(ap):
    """Anonymous posts go to the login page; a post without CSRF is refused."""
    anonymous = Client().post(reverse("calendar-token"))
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("login"))
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(ap)
    assert strict.post(reverse("calendar-token")).status_code == 403
    ap.refresh_from_db()
    assert ap.calendar_token is None


def test_making_an_address_is_a_post(ap, client_for):
    """A GET cannot change anyone's feed address."""
    assert client_for(ap).get(reverse("calendar-token")).status_code == 405


def test_a_busy_day_shows_three_and_opens_in_full(client_for, producer, morn):
    """A day with eight tasks due shows three and "+5 more", which opens all eight."""
    busy = timezone.localdate() + dt.timedelta(days=40)
    keys = {
        services.task_create(
            project=morn, by=producer, title=f"Rundown {n}", due_date=busy
        ).key
        for n in range(8)
    }
    client = client_for(producer)
    url = reverse("project-calendar", args=["MORN"])
    page = client.get(url, {"month": month_of(busy)})
    assert len(entries_by_day(page)[busy]) == 3
    assert "+5 more" in page.content.decode()
    assert f"day={busy.isoformat()}" in page.content.decode()
    opened = client.get(url, {"month": month_of(busy), "day": busy.isoformat()}, **HTMX)
    assert set(entries_by_day(opened)[busy]) == keys
    assert "+5 more" not in opened.content.decode()


def test_more_opens_its_day_and_keeps_the_month_and_filters(client_for, producer, morn):
    """Each "+N more" link keeps the page's month and filters and opens its
    own day, in place of any day opened before."""
    busy = timezone.localdate() + dt.timedelta(days=40)
    other = busy + dt.timedelta(days=1)
    for n in range(4):
        services.task_create(
            project=morn, by=producer, title=f"Rundown {n}", due_date=busy
        )
    url = reverse("project-calendar", args=["MORN"])
    query = {"month": month_of(busy), "q": "Rundown", "day": other.isoformat()}
    html = client_for(producer).get(url, query).content.decode()
    links = re.findall(r'<a href="([^"]*)" hx-get="[^"]*"[^>]*>\+\d+ more', html)
    assert links == [
        f"?month={month_of(busy)}&amp;q=Rundown&amp;day={busy.isoformat()}"
    ]


def test_a_bad_day_to_open_is_ignored(client_for, producer):
    """A malformed day parameter leaves the month as it is, not a 500."""
    response = client_for(producer).get(
        reverse("project-calendar", args=["MORN"]), {"day": "2026-13-45"}
    )
    assert response.status_code == 200


# --- first entries of a day, counted in the database ---------------------------


@time_machine.travel(dt.datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
def test_one_more_than_a_day_shows_says_one_more(load_project, producer, client_for):
    """Three due on a day show in full; a fourth makes it three and "+1 more"."""
    day = dt.date(2026, 12, 9)
    for n in range(3):
        services.task_create(
            project=load_project, by=producer, title=f"Due {n}", due_date=day
        )
    client = client_for(producer)
    url = reverse("project-calendar", args=["LOAD"])
    page = client.get(url, {"month": "2026-12"})
    assert len(entries_by_day(page)[day]) == 3
    assert "more" not in _day_html(page, day)
    fourth = services.task_create(
        project=load_project, by=producer, title="Due 3", due_date=day
    )
    page = client.get(url, {"month": "2026-12"})
    assert len(entries_by_day(page)[day]) == 3
    assert fourth.key not in entries_by_day(page)[day], "the first three, by creation"
    assert "+1 more" in _day_html(page, day)


@time_machine.travel(dt.datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
def test_slots_fill_what_the_due_dates_leave_of_a_day(
    load_project, producer, book, client_for
):
    """Two due and two slots on a day: the two, the earlier slot, "+1 more"."""
    day = dt.date(2026, 12, 10)
    due = [
        services.task_create(
            project=load_project, by=producer, title=f"Due {n}", due_date=day
        ).key
        for n in range(2)
    ]
    late = book(
        load_project, starts=dt.datetime(2026, 12, 10, 15, 0, tzinfo=UTC), guest="B"
    )
    early = book(
        load_project, starts=dt.datetime(2026, 12, 10, 8, 0, tzinfo=UTC), guest="A"
    )
    page = client_for(producer).get(
        reverse("project-calendar", args=["LOAD"]), {"month": "2026-12"}
    )
    assert entries_by_day(page)[day] == [*due, early.key]
    assert late.key not in entries_by_day(page)[day]
    assert "+1 more" in _day_html(page, day)
    opened = client_for(producer).get(
        reverse("project-calendar", args=["LOAD"]),
        {"month": "2026-12", "day": day.isoformat()},
    )
    assert entries_by_day(opened)[day] == [*due, early.key, late.key]


@time_machine.travel(dt.datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
def test_my_calendar_counts_only_my_due_dates_beyond_three(
    load_project, producer, ap, client_for
):
    """Five of mine and three of someone else's due on a day: three and "+2 more"."""
    day = dt.date(2026, 12, 11)
    due_on(day, 5, "Mine", project=load_project, by=producer, assignee=ap)
    due_on(day, 3, "Theirs", project=load_project, by=producer, assignee=producer)
    page = client_for(ap).get(reverse("my-calendar"), {"month": "2026-12"})
    assert len(entries_by_day(page)[day]) == 3
    assert "+2 more" in _day_html(page, day)


@time_machine.travel(dt.datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
def test_entries_wear_their_kind_and_status_colours(
    load_project, producer, book, client_for
):
    """An entry's edge takes its kind's colour and its label its status's, as badges do."""
    task = services.task_create(
        project=load_project,
        by=producer,
        title="Edit the promo",
        kind=Task.Kind.EDITING,
        due_date=dt.date(2026, 12, 14),
    )
    booking = book(load_project, starts=dt.datetime(2026, 12, 15, 9, 0, tzinfo=UTC))
    html = (
        client_for(producer)
        .get(reverse("project-calendar", args=["LOAD"]), {"month": "2026-12"})
        .content.decode()
    )
    entry = re.search(
        rf'<li class="cal-entry ([^"]*)">\s*<span class="cal-label ([^"]*)">[^<]*</span>\s*<a href="[^"]*"><span class="cal-key">{task.key}<',
        html,
    )
    assert entry
    assert "kind-editing" in entry[1].split()
    assert entry[2] == f"status-{task.status}"
    assert re.search(
        rf'<li class="cal-entry kind-booking cal-slot[^"]*">\s*<span class="cal-time">[^<]*</span>\s*<a href="[^"]*"><span class="cal-key">{booking.key}<',
        html,
    )


def _day_html(response, day: dt.date) -> str:
    """The HTML of one day of the grid."""
    html = response.content.decode()
    start = html.index(f'<time datetime="{day.isoformat()}">')
    end = html.find('<li class="cal-day', start)
    return html[start : end if end != -1 else len(html)]


@time_machine.travel(dt.datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
def test_a_booking_due_on_its_slot_day_counts_once(
    load_project, producer, book, client_for
):
    """Five slots on a day, four of them bookings due that day: three and
    "+2 more", not "+6"; the fifth's due date shows on its own day."""
    day, other = dt.date(2026, 12, 14), dt.date(2026, 12, 15)
    for hour in range(9, 13):
        book(
            load_project,
            starts=dt.datetime(2026, 12, 14, hour, 0, tzinfo=UTC),
            guest=f"Guest {hour}",
            due_date=day,
        )
    elsewhere = book(
        load_project,
        starts=dt.datetime(2026, 12, 14, 16, 0, tzinfo=UTC),
        guest="Late guest",
        due_date=other,
    )
    page = client_for(producer).get(
        reverse("project-calendar", args=["LOAD"]), {"month": "2026-12"}
    )
    assert len(entries_by_day(page)[day]) == 3
    assert "+2 more" in _day_html(page, day), "four slots and the fifth"
    assert entries_by_day(page)[other] == [elsewhere.key]
    assert "more" not in _day_html(page, other)


@time_machine.travel(dt.datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
def test_slots_at_the_grid_edges_are_counted_on_their_local_day(
    auckland, nite, book, producer, ap2, outsider, client_for
):
    """December's grid runs from Monday 30 November to Sunday 3 January: four
    slots on its first day in Auckland (the day before in UTC) and four on
    its last in New York (the day after in UTC) show three and "+1 more"."""
    for minute in range(4):
        book(
            auckland,
            starts=dt.datetime(2026, 11, 29, 12, minute, tzinfo=UTC),
            guest=f"Early {minute}",
        )
        book(
            nite,
            by=outsider,
            starts=dt.datetime(2027, 1, 4, 3, 30 + minute, tzinfo=UTC),
            guest=f"Late {minute}",
        )
    first, last = dt.date(2026, 11, 30), dt.date(2027, 1, 3)
    for user, code, day in ((producer, "KIA", first), (ap2, "NITE", last)):
        page = client_for(user).get(
            reverse("project-calendar", args=[code]), {"month": "2026-12"}
        )
        assert len(entries_by_day(page)[day]) == 3
        assert "+1 more" in _day_html(page, day)


@time_machine.travel(dt.datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
def test_my_calendar_counts_someone_elses_booking_on_my_busy_day(
    load_project, producer, ap, book, client_for
):
    """Three of mine due and a booking of the producer's due on its slot's
    day: my three and "+1 more" (the slot; its due date is not mine)."""
    day = dt.date(2026, 12, 16)
    due_on(day, 3, "Mine", project=load_project, by=producer, assignee=ap)
    book(
        load_project,
        starts=dt.datetime(2026, 12, 16, 10, 0, tzinfo=UTC),
        guest="Their guest",
        due_date=day,
        assignee=producer,
    )
    page = client_for(ap).get(reverse("my-calendar"), {"month": "2026-12"})
    assert len(entries_by_day(page)[day]) == 3
    assert "+1 more" in _day_html(page, day)


# --- kept days: an edit shows at once ---------------------------------------


@time_machine.travel(dt.datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
@pytest.mark.parametrize("mine", [False, True], ids=["project", "mine"])
def test_an_edit_shows_on_the_next_render_of_the_same_month(
    load_project, producer, ap, book, client_for, mine
):
    """A day's HTML is kept (views/memo.py), yet a new title, a due date
    moved to another day, a renamed assignee, a confirmed slot and a new
    clash each show on the very next visit of the month."""
    day, next_day = dt.date(2026, 12, 9), dt.date(2026, 12, 10)
    due = services.task_create(
        project=load_project, by=producer, title="Old title", due_date=day, assignee=ap
    )
    slot = book(
        load_project,
        starts=dt.datetime(2026, 12, 11, 9, 0, tzinfo=UTC),
        guest="Chef",
        location="Studio A",
        assignee=ap,
    )
    client = client_for(ap)
    url = reverse("my-calendar") if mine else reverse("project-calendar", args=["LOAD"])

    def visit():
        return client.get(url, {"month": "2026-12"})

    visit()
    page = visit()
    assert "Old title" in _day_html(page, day)
    assert "not confirmed" in _day_html(page, slot.starts_at.date())

    services.task_update(task=due, by=producer, version=due.version, title="New title")
    page = visit()
    assert (
        "New title" in _day_html(page, day) and "Old title" not in page.content.decode()
    )

    due.refresh_from_db()
    services.task_update(task=due, by=producer, version=due.version, due_date=next_day)
    page = visit()
    assert due.key not in entries_by_day(page)[day]
    assert due.key in entries_by_day(page)[next_day]
    assert "New title" in _day_html(page, next_day)

    services.profile_update(
        user=ap, display_name="Avery the AP", email=ap.email, phone=ap.phone
    )
    slot.refresh_from_db()
    services.task_update(task=slot, by=producer, version=slot.version, confirmed=True)
    slot_day = _day_html(visit(), slot.starts_at.date())
    assert "<dd>Avery the AP</dd>" in slot_day
    assert "· confirmed" in slot_day and "not confirmed" not in slot_day
    assert "cal-conflict-note" not in slot_day

    clash = book(
        load_project,
        starts=dt.datetime(2026, 12, 11, 9, 15, tzinfo=UTC),
        guest="Someone else",
        location="Studio A",
    )
    slot_day = _day_html(visit(), slot.starts_at.date())
    assert "cal-conflict-note" in slot_day and clash.key in slot_day


@time_machine.travel(dt.datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
def test_my_calendar_counts_each_time_zones_slots_on_its_local_day(
    load_project, auckland, producer, book, client_for
):
    """Two slots on 9 December in London and two on 9 December in Auckland
    (the 8th in UTC): my calendar shows three on the 9th and "+1 more"."""
    day = dt.date(2026, 12, 9)
    for minute in range(2):
        book(
            load_project,
            starts=dt.datetime(2026, 12, 9, 10, minute, tzinfo=UTC),
            guest=f"London {minute}",
        )
        book(
            auckland,
            starts=dt.datetime(2026, 12, 8, 20, minute, tzinfo=UTC),
            guest=f"Auckland {minute}",
        )
    page = client_for(producer).get(reverse("my-calendar"), {"month": "2026-12"})
    assert len(entries_by_day(page)[day]) == 3
    assert "+1 more" in _day_html(page, day)
    assert entries_by_day(page)[dt.date(2026, 12, 8)] == []


@time_machine.travel(dt.datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
def test_my_calendar_shows_a_due_booking_once_by_its_own_production_clock(
    load_project, auckland, producer, book, client_for
):
    """Two bookings of mine due on 9 December, both at 20:00 UTC on the 8th:
    Auckland's slot is on the 9th there, so it shows once, as its slot;
    London's is on the 8th there, so its due date shows on the 9th too."""
    ninth = dt.date(2026, 12, 9)
    evening = dt.datetime(2026, 12, 8, 20, 0, tzinfo=UTC)
    kiwi, londoner = (
        book(project, starts=evening, guest=guest, due_date=ninth, assignee=producer)
        for project, guest in ((auckland, "Kiwi"), (load_project, "Londoner"))
    )
    page = client_for(producer).get(reverse("my-calendar"), {"month": "2026-12"})
    shown = entries_by_day(page)
    assert sorted(shown[ninth]) == sorted([kiwi.key, londoner.key])
    assert shown[dt.date(2026, 12, 8)] == [londoner.key]
