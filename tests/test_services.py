"""Services write the change and its record together: the activity history."""

import pytest

from production import services
from production.models import Activity, Task


def test_creation_and_assignment_are_recorded(morn, producer, ap):
    """A new task's history starts with who created it and whom it went to."""
    task = services.task_create(project=morn, by=producer, title="Promo", assignee=ap)
    verbs = list(task.activities.values_list("verb", "actor__username", "new_value"))
    assert verbs == [
        ("created", "producer", "Promo"),
        ("assigned", "producer", str(ap)),
    ]


def test_reviewer_defaults_to_the_assignees_supervisor(morn, producer, ap):
    """Work assigned to an AP is reviewed by the producer they report to."""
    task = services.task_create(project=morn, by=producer, title="Promo", assignee=ap)
    assert task.reviewer == producer


def test_crew_who_may_not_assign_create_pitches(morn, ap, producer):
    """An AP's new task is a pitch awaiting a decision, assigned to the pitcher."""
    task = services.task_create(project=morn, by=ap, title="Story idea")
    assert (task.status, task.assignee, task.reviewer) == ("proposed", ap, producer)


def test_an_edit_records_each_field_from_and_to(morn, producer, ap, ap2):
    """Every changed field is recorded with its old and new value."""
    task = services.task_create(project=morn, by=producer, title="Old", assignee=ap)
    services.task_update(
        task=task, by=producer, version=task.version, title="New", assignee=ap2
    )
    rows = set(
        task.activities.filter(verb__in=["changed", "assigned"])
        .exclude(old_value="")
        .values_list("verb", "field", "old_value", "new_value")
    )
    assert rows == {
        ("changed", "title", "Old", "New"),
        ("assigned", "assignee", str(ap), str(ap2)),
    }
    assert task.version == 2


def test_a_stale_edit_is_refused_and_says_what_changed(morn, producer, ap):
    """Saving from an older version overwrites nothing and names the missed change."""
    task = services.task_create(project=morn, by=producer, title="Draft", assignee=ap)
    loaded = task.version
    services.task_update(task=task, by=producer, version=loaded, title="Second")
    with pytest.raises(services.StaleEdit) as stale:
        services.task_update(task=task, by=producer, version=loaded, title="Third")
    assert [(a.field, a.new_value) for a in stale.value.missed] == [("title", "Second")]
    task.refresh_from_db()
    assert task.title == "Second"


def test_a_move_is_recorded_with_its_note(morn, producer, task_of, ap):
    """Requesting changes records from, to, who and the note."""
    task = task_of(ap, "review")
    services.task_move(task=task, to="changes", by=producer, note="Trim the intro.")
    entry = task.activities.latest("created_at", "id")
    assert (entry.verb, entry.old_value, entry.new_value, entry.note) == (
        "moved",
        "review",
        "changes",
        "Trim the intro.",
    )
    assert entry.actor == producer


def test_comments_are_recorded(morn, ap, task_of):
    """A comment appears in the discussion and in the history."""
    task = task_of(ap, "todo")
    services.comment_add(task=task, by=ap, body="On it.")
    assert task.comments.get().body == "On it."
    assert task.activities.filter(verb="commented", actor=ap).exists()


def test_only_assigners_edit(morn, ap, task_of):
    """An AP cannot edit a task, even their own."""
    task = task_of(ap, "todo")
    with pytest.raises(services.NotAllowed):
        services.task_update(task=task, by=ap, version=task.version, title="Mine now")
    task.refresh_from_db()
    assert task.title != "Mine now"


def test_history_outlives_a_deleted_task(morn, producer):
    """When the admin deletes a task, its history stays, named by key."""
    task = services.task_create(project=morn, by=producer, title="Gone")
    key = task.key
    Task.objects.filter(pk=task.pk).delete()
    assert Activity.objects.filter(task_key=key, task=None).exists()


def test_last_manager_stays(morn, producer):
    """The production's only crew manager cannot be removed."""
    membership = morn.memberships.get(user=producer)
    with pytest.raises(services.ValidationError):
        services.membership_remove(membership=membership, by=producer)
    assert morn.memberships.filter(user=producer).exists()
