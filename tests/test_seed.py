"""The demo data: the world that `make run` shows and the tests stand on."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from production import notifications
from production.models import Membership, Project, Task, User

LONDON = zoneinfo.ZoneInfo("Europe/London")


def seed(*args):
    with override_settings(DEBUG=True):
        call_command("seed_demo", *args, stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.mark.django_db
def test_seed_is_idempotent():
    """Running seed_demo twice gives the same data as once."""
    seed()
    counts = (User.objects.count(), Project.objects.count(), Task.objects.count())
    seed()
    assert (User.objects.count(), Project.objects.count(), Task.objects.count()) == (
        counts
    )


@pytest.mark.django_db
def test_seed_gives_the_demo_people_and_productions():
    """The demo logins work and sit on the crews of a morning show and a talk show."""
    seed()
    for username in ["producer", "ap", "ap2", "editor", "writer", "outsider"]:
        assert User.objects.get(username=username).check_password("slate-demo")
    morn_crew = set(
        Membership.objects.filter(project__code="MORN").values_list(
            "user__username", "role__name"
        )
    )
    assert ("producer", "Supervising Producer") in morn_crew
    assert ("ap", "Associate Producer") in morn_crew
    assert "outsider" not in {username for username, _ in morn_crew}
    nite = Membership.objects.filter(project__code="NITE")
    assert set(nite.values_list("user__username", "role__name")) == {
        ("outsider", "Supervising Producer"),
        ("ap2", "Associate Producer"),
    }
    ap = Membership.objects.get(project__code="MORN", user__username="ap")
    assert ap.reports_to.username == "producer"


@pytest.mark.django_db
def test_seed_lets_each_path_of_the_rules_be_tried():
    """On MORN the editor and the writer report to ap, who handed them their
    work and reviews it (the writer's headlines wait in review for ap); ap's
    pitch is ap's own; ap has a booking of their own to keep up to date."""
    seed()
    line = dict(
        Membership.objects.filter(project__code="MORN").values_list(
            "user__username", "reports_to__username"
        )
    )
    assert line == {
        "producer": None,
        "ap": "producer",
        "ap2": "producer",
        "editor": "ap",
        "writer": "ap",
    }
    morn = Task.objects.filter(project__code="MORN")
    for task in morn.filter(assignee__username__in=["editor", "writer"]):
        assert (task.created_by.username, task.reviewer.username) == ("ap", "ap")
    assert morn.filter(
        assignee__username="writer", status="review", reviewer__username="ap"
    ).exists()
    for pitch in morn.filter(kind="pitch"):
        assert pitch.created_by == pitch.assignee
    assert morn.filter(assignee__username="ap", kind="booking").exists()
    assert not morn.filter(reviewer=F("assignee")).exists()


@pytest.mark.django_db
def test_seed_lets_only_the_producer_start_productions():
    """The demo producer holds the site permission to add productions; nobody
    else does, not even NITE's supervising producer."""
    seed()
    allowed = {
        user.username
        for user in User.objects.all()
        if user.has_perm("production.add_project")
    }
    assert allowed == {"producer"}


@pytest.mark.django_db
def test_seed_covers_every_kind_status_and_urgency():
    """MORN has every kind and status, ap has one in each status, due dates vary."""
    seed()
    tasks = Task.objects.filter(project__code="MORN")
    assert set(tasks.values_list("kind", flat=True)) == set(Task.Kind.values)
    assert set(tasks.values_list("status", flat=True)) == set(Task.Status.values)
    ap_statuses = set(
        tasks.filter(assignee__username="ap").values_list("status", flat=True)
    )
    assert ap_statuses == set(Task.Status.values)
    today = timezone.localdate()
    dues = set(tasks.exclude(due_date=None).values_list("due_date", flat=True))
    assert any(d < today for d in dues)
    assert today in dues
    assert any(today < d <= today + dt.timedelta(days=7) for d in dues)
    assert any(d > today + dt.timedelta(days=7) for d in dues)


@pytest.mark.django_db
def test_seed_dates_the_demo_from_today():
    """Seeded late on 28 February 2028 (UTC), the demo's today is the 28th and
    tomorrow's bookings fall on the leap day, at breakfast time in London."""
    with time_machine.travel(dt.datetime(2028, 2, 28, 23, 30, tzinfo=dt.UTC)):
        seed()
    due = dict(Task.objects.values_list("title", "due_date"))
    assert due["Rewrite cold open for Monday"] == dt.date(2028, 2, 28)
    assert due["Script the traffic explainer"] == dt.date(2028, 3, 11)
    assert due["Book the band for Friday"] == dt.date(2028, 3, 1)
    chef = Task.objects.get(guest="Chef Ana Ruiz")
    assert chef.starts_at == dt.datetime(2028, 2, 29, 7, 30, tzinfo=LONDON)
    assert Project.objects.get(code="MORN").starts_on == dt.date(2027, 12, 30)


@pytest.mark.django_db
def test_seed_has_two_clashing_bookings():
    """Two bookings share a place at overlapping times, for the conflict flag."""
    seed()
    bookings = list(
        Task.objects.filter(project__code="MORN", kind="booking").order_by("starts_at")
    )
    clashes = [
        (a.key, b.key)
        for a in bookings
        for b in bookings
        if a.pk < b.pk
        and a.location == b.location
        and a.starts_at < b.ends_at
        and b.starts_at < a.ends_at
    ]
    assert len(clashes) == 1


@pytest.mark.django_db
def test_extra_tasks_for_load_work():
    """--tasks N adds N more numbered tasks to MORN."""
    seed()
    before = Task.objects.filter(project__code="MORN").count()
    seed("--tasks", "120")
    morn = Project.objects.get(code="MORN")
    assert Task.objects.filter(project=morn).count() == before + 120
    assert morn.last_task_number == before + 120
    assert Task.objects.filter(project=morn).values("key").distinct().count() == (
        before + 120
    )


@pytest.mark.django_db
def test_seed_refuses_in_production():
    """With DEBUG off, the public demo passwords are not created without --force."""
    with override_settings(DEBUG=False), pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert not User.objects.filter(username="producer").exists()


@pytest.mark.django_db
def test_the_demo_bell_has_news_for_the_producer_and_the_ap():
    """Under `make run` the AP and the producer each find unread notifications,
    each linking to its task, and nobody acted on themselves."""
    seed()
    users = {user.username: user for user in User.objects.all()}
    assert notifications.unread_count(users["ap"]) == 2
    assert notifications.unread_count(users["producer"]) == 2
    for notification in notifications.notifications_for(users["ap"]):
        assert notification.actor_id != notification.recipient_id
        assert notification.get_absolute_url() == notification.task.get_absolute_url()
    sent_back = notifications.notifications_for(users["ap"]).get(kind="changes")
    assert sent_back.summary.startswith("Paula")
    assert "trim it to 20 seconds" in sent_back.note


@pytest.mark.django_db
def test_the_demo_crew_sheet_has_everyones_phone(client):
    """Each demo person has a different phone that the profile form accepts
    (numbers kept for drama), and MORN's crew sheet links each one to dial."""
    seed()
    people = User.objects.order_by("username")
    phones = [person.phone for person in people]
    assert all(phones) and len(set(phones)) == len(phones)
    for person in people:
        person.full_clean()
    client.force_login(User.objects.get(username="ap"))
    sheet = client.get(reverse("project-crew", args=["MORN"])).content.decode()
    for person in people.filter(memberships__project__code="MORN"):
        assert f'href="{person.phone_uri}"' in sheet, person.username
