"""The demo data: the world that `make run` shows and the tests stand on."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.utils import timezone

from production.models import Membership, Project, Task, User


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
    """The demo logins work and sit on the crews PRODUCT.md describes."""
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
