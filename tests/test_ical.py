"""The private iCal feed: what each person's calendar app receives, and who can read it."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from production import ical, services
from production.models import Task, User


def feed_url(user) -> str:
    token = ical.feed_token(user) or ical.feed_token_reset(user=user)
    return reverse("calendar-feed", kwargs={"token": token})


def fetch(user) -> Calendar:
    """The user's feed as a calendar app would fetch it: no login, just the URL."""
    response = Client().get(feed_url(user))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def summary_keys(calendar: Calendar) -> dict[str, set[str]]:
    """The task keys in the feed, split into all-day due dates and timed slots."""
    found = {"due": set(), "slot": set()}
    for event in calendar.events:
        key = str(event["SUMMARY"]).removeprefix("Due: ").split()[0]
        timed = isinstance(event.start, dt.datetime)
        found["slot" if timed else "due"].add(key)
    return found


# What seed_demo's people should find in their feeds: their own deadlines
# (a booking's deadline on its slot's day is the slot itself) and every booking
# with a slot on their productions. Cancelled MORN-8 and undated pitches are out.
MORN_SLOTS = {"MORN-17", "MORN-18", "MORN-19"}
EXPECTED = {
    "producer": (set(), MORN_SLOTS),
    "ap": ({"MORN-3", "MORN-4", "MORN-5", "MORN-6", "MORN-7", "MORN-9"}, MORN_SLOTS),
    "ap2": ({"MORN-14", "MORN-15", "MORN-16", "NITE-1", "NITE-2"}, MORN_SLOTS),
    "editor": ({"MORN-10", "MORN-11"}, MORN_SLOTS),
    "writer": ({"MORN-12", "MORN-13"}, MORN_SLOTS),
    "outsider": (set(), set()),
}


@pytest.mark.parametrize("username", EXPECTED)
def test_each_demo_person_gets_their_events_and_nothing_else(demo, username):
    """Every demo user's feed holds exactly their deadlines and their shows' bookings."""
    calendar = fetch(demo[username])
    due, slots = EXPECTED[username]
    assert summary_keys(calendar) == {"due": due, "slot": slots}
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"]
    assert calendar.subcomponents, "RFC 5545 needs at least one component"


def test_nothing_from_a_production_i_am_not_on(demo, ap):
    """ap is not on NITE, so nothing of NITE reaches ap's calendar app."""
    text = Client().get(feed_url(ap)).content.decode()
    assert "NITE" not in text
    assert "Late Night" not in text


def test_a_booking_is_a_timed_event_with_place_details_and_link(morn, ap):
    """The chef's slot arrives at its exact time, with the studio, guest and a link back."""
    chef = Task.objects.get(project=morn, guest="Chef Ana Ruiz")
    event = next(
        event
        for event in fetch(ap).events
        if str(event["SUMMARY"]).startswith(chef.key)
    )
    assert event.start == chef.starts_at
    assert event.end == chef.ends_at
    assert str(event["LOCATION"]) == "Studio B"
    description = str(event["DESCRIPTION"])
    assert "Chef Ana Ruiz" in description and "ana@ruizkitchen.example" in description
    assert (
        f"Conflicts with {Task.objects.get(guest='Cllr. Tom Baines').key}"
        in description
    )
    assert str(event["URL"]) == f"http://testserver/tasks/{chef.key}/"
    assert str(event["STATUS"]) == "CONFIRMED"


def test_a_due_date_is_an_all_day_event(morn, ap):
    """A deadline shows as a whole day in the calendar app, linking to the task."""
    task = Task.objects.get(project=morn, number=3)
    event = next(
        event for event in fetch(ap).events if task.key in str(event["SUMMARY"])
    )
    assert event.start == task.due_date
    assert not isinstance(event.start, dt.datetime)
    assert event.end == task.due_date + dt.timedelta(days=1)
    assert str(event["URL"]).endswith(task.get_absolute_url())


def test_event_uids_stay_the_same_between_fetches(ap):
    """Calendar apps update events instead of duplicating them on each refresh."""
    first = [str(event["UID"]) for event in fetch(ap).events]
    second = [str(event["UID"]) for event in fetch(ap).events]
    assert first == second
    assert len(set(first)) == len(first)


def test_archived_and_cancelled_tasks_leave_the_feed(morn, ap, producer):
    """Archiving or cancelling a task takes it off everyone's calendar."""
    script = Task.objects.get(project=morn, number=3)
    chef = Task.objects.get(project=morn, guest="Chef Ana Ruiz")
    services.task_archive(task=script, by=producer)
    services.task_move(task=chef, to=Task.Status.CANCELLED, by=producer)
    keys = summary_keys(fetch(ap))
    assert script.key not in keys["due"]
    assert chef.key not in keys["slot"]


def test_an_archived_production_leaves_the_feed(morn, ap):
    """A production that has wrapped no longer fills its crew's calendars."""
    morn.archived = True
    morn.save()
    assert summary_keys(fetch(ap)) == {"due": set(), "slot": set()}


def test_a_new_token_stops_the_old_address_at_once(ap, client_for):
    """After "Make a new address", the old feed URL is a 404 and the new one works."""
    old = feed_url(ap)
    assert Client().get(old).status_code == 200
    client_for(ap).post(reverse("calendar-token"))
    ap.refresh_from_db()
    new = feed_url(ap)
    assert new != old
    assert Client().get(old).status_code == 404
    assert Client().get(new).status_code == 200


@pytest.mark.parametrize(
    "token",
    [
        "nonsense",
        "a" * 43 + "." + "b" * 43,
        "",
    ],
    ids=["garbage", "unsigned", "empty"],
)
def test_a_wrong_token_is_not_found(ap, token):
    """A made-up feed address is a plain 404."""
    feed_url(ap)
    response = Client().get(f"/calendar/feed/{token}.ics")
    assert response.status_code == 404


def test_the_stored_secret_alone_does_not_open_the_feed(ap):
    """The database keeps a nonce; without the server's key it is no address."""
    token = feed_url(ap).removeprefix("/calendar/feed/").removesuffix(".ics")
    ap.refresh_from_db()
    assert ap.calendar_token and ap.calendar_token != token
    assert len(token) >= 80
    assert Client().get(f"/calendar/feed/{ap.calendar_token}.ics").status_code == 404
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert Client().get(f"/calendar/feed/{tampered}.ics").status_code == 404


def test_one_persons_token_never_opens_anothers_feed(ap, ap2):
    """Each address belongs to exactly one person."""
    assert ical.user_for_feed_token(feed_url(ap).split("/")[-1][:-4]) == ap
    assert ical.user_for_feed_token(feed_url(ap2).split("/")[-1][:-4]) == ap2


def test_a_deactivated_account_loses_its_feed(ap):
    """When someone leaves and their account is switched off, the feed goes too."""
    url = feed_url(ap)
    User.objects.filter(pk=ap.pk).update(is_active=False)
    assert Client().get(url).status_code == 404


def test_the_feed_is_read_only(ap):
    """Posting to a feed address does nothing but refuse."""
    assert Client().post(feed_url(ap)).status_code == 405


def test_the_feed_is_kept_out_of_shared_caches(ap):
    """The feed is private to its owner: no shared caching, no indexing."""
    response = Client().get(feed_url(ap))
    assert "private" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex"


def test_the_feed_query_count_does_not_grow_with_the_production(
    morn, ap, django_assert_max_num_queries
):
    """A feed of hundreds of tasks is built with a fixed handful of queries."""
    from production.management.commands.seed_demo import add_generated_tasks

    add_generated_tasks(morn, 200)
    url = feed_url(ap)
    with django_assert_max_num_queries(4):
        assert Client().get(url).status_code == 200
