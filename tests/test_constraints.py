"""The model's invariants: refused with a clear message, in forms and in the database."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from production import services
from production.models import Episode, Membership, Project, Task


def test_slot_must_end_after_it_starts(morn, producer):
    """A booking that ends before it starts is refused with a sentence."""
    start = timezone.now()
    with pytest.raises(ValidationError) as refused:
        services.task_create(
            project=morn,
            by=producer,
            title="Book the band",
            kind=Task.Kind.BOOKING,
            starts_at=start,
            ends_at=start - dt.timedelta(minutes=30),
        )
    assert "must end after it starts" in str(refused.value)


def test_database_refuses_a_backwards_slot(morn):
    """Even a raw write cannot store a slot that ends before it starts."""
    task = Task.objects.filter(project=morn).first()
    task.starts_at = timezone.now()
    task.ends_at = task.starts_at
    with pytest.raises(IntegrityError), transaction.atomic():
        task.save()


def test_assignee_must_be_crew(morn, producer, outsider):
    """Work cannot be assigned to someone off the production's crew."""
    with pytest.raises(ValidationError) as refused:
        services.task_create(project=morn, by=producer, title="X", assignee=outsider)
    assert refused.value.message_dict["assignee"] == [
        "Choose someone on this production's crew."
    ]
    assert not Task.objects.filter(title="X").exists()


def test_reviewer_must_be_crew(morn, producer, ap, outsider):
    """The reviewer, too, must be on the crew."""
    with pytest.raises(ValidationError) as refused:
        services.task_create(
            project=morn, by=producer, title="X", assignee=ap, reviewer=outsider
        )
    assert "reviewer" in refused.value.message_dict


def test_nobody_reviews_their_own_work(morn, producer, ap, task_of):
    """The reviewer is never the assignee, on a new task or an edit."""
    with pytest.raises(ValidationError) as refused:
        services.task_create(
            project=morn, by=producer, title="X", assignee=ap, reviewer=ap
        )
    assert refused.value.message_dict["reviewer"] == [
        "Choose someone other than the assignee: nobody reviews their own work."
    ]
    assert not Task.objects.filter(title="X").exists()
    task = task_of(ap, "todo")
    with pytest.raises(ValidationError):
        services.task_update(task=task, by=producer, version=task.version, reviewer=ap)
    task.refresh_from_db()
    assert task.reviewer == producer


def test_the_line_never_loops(morn, producer, ap, editor):
    """Nobody reports, directly or up the line, to someone who reports to them."""
    # The demo's line: editor -> ap -> producer.
    for person, boss in ((producer, editor), (producer, ap), (ap, editor)):
        membership = Membership.objects.get(project=morn, user=person)
        membership.reports_to = boss
        with pytest.raises(ValidationError) as refused:
            membership.full_clean()
        assert "loop" in refused.value.message_dict["reports_to"][0]
    membership = Membership.objects.get(project=morn, user=editor)
    membership.reports_to = producer
    membership.full_clean()  # a shorter line is fine


def test_episode_must_belong_to_the_production(morn, nite, producer):
    """An episode of another production cannot be picked."""
    other = Episode.objects.create(project=nite, number=1)
    with pytest.raises(ValidationError) as refused:
        services.task_create(project=morn, by=producer, title="X", episode=other)
    assert "episode" in refused.value.message_dict


@pytest.mark.parametrize(
    ("field", "value"),
    [("status", "shipped"), ("kind", "catering"), ("priority", 9)],
)
def test_unknown_choice_values_are_refused(morn, field, value):
    """A status, kind or priority outside the list fails validation and the database."""
    task = Task.objects.filter(project=morn).first()
    setattr(task, field, value)
    with pytest.raises(ValidationError) as refused:
        task.full_clean()
    assert field in refused.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        task.save()


@pytest.mark.parametrize("code", ["morn", "M", "TOOLONGCODE", "MO1", ""])
def test_project_code_is_two_to_eight_capitals(db, producer, code):
    """Production codes are 2-8 capital letters, since task keys are built from them."""
    with pytest.raises(ValidationError) as refused:
        services.project_create(by=producer, name="Show", code=code)
    assert "code" in refused.value.message_dict


def test_project_code_is_unique(morn, producer):
    """Two productions cannot share a code."""
    with pytest.raises(ValidationError) as refused:
        services.project_create(by=producer, name="Another", code="MORN")
    assert "code" in refused.value.message_dict


def test_one_membership_per_person_and_production(morn, ap):
    """Someone is on a crew once, in one role."""
    existing = Membership.objects.get(project=morn, user=ap)
    duplicate = Membership(project=morn, user=ap, role=existing.role)
    with pytest.raises(ValidationError):
        duplicate.full_clean()


def test_time_zone_must_exist(producer, db):
    """A production's time zone must be a real one."""
    with pytest.raises(ValidationError) as refused:
        services.project_create(
            by=producer, name="Show", code="SHOW", time_zone="Mars/Olympus"
        )
    assert "time_zone" in refused.value.message_dict
    assert not Project.objects.filter(code="SHOW").exists()
