"""The workflow table of PRODUCT.md: every kind of user x status x target.

The expected table is written out here again, from PRODUCT.md, rather than
read from workflow.py, so that a change to the rules has to change both.
"""

import pytest
from django.contrib.auth.models import AnonymousUser

from production import services, workflow
from production.access import role_on
from production.models import CrewRole, Membership, Task, User
from production.workflow import NotAllowed

STATUSES = list(Task.Status.values)
OPEN = ["todo", "in_progress", "review", "changes"]

# (from, to): who may make the move. "reviewer" is the task's reviewer (here
# a line producer, who may not approve); "approver" any crew whose role may.
EXPECTED = {
    ("proposed", "todo"): {"approver"},
    ("proposed", "cancelled"): {"approver"},
    ("todo", "in_progress"): {"assignee"},
    ("in_progress", "review"): {"assignee"},
    ("review", "in_progress"): {"assignee"},
    ("review", "done"): {"reviewer", "approver"},
    ("review", "changes"): {"reviewer", "approver"},
    ("changes", "in_progress"): {"assignee"},
    ("done", "in_progress"): {"reviewer", "approver"},
    **{(status, "cancelled"): {"reviewer", "approver"} for status in OPEN},
    ("cancelled", "todo"): {"reviewer", "approver"},
}

# The kinds of user, and which of the table's parts each one plays.
PEOPLE = {
    "assignee AP": {"assignee"},
    "another AP": set(),
    "reviewer": {"reviewer"},
    "approving producer": {"approver"},
    "editor": set(),
    "other production's crew": set(),
    "anonymous": set(),
}


@pytest.fixture
def cast(morn, producer, ap, ap2, editor, outsider):
    """A MORN task assigned to ap, reviewed by a line producer who can't approve."""
    line_producer = User.objects.create_user("linep", password="x" * 12)
    Membership.objects.create(
        project=morn,
        user=line_producer,
        role=CrewRole.objects.get(project=None, name=CrewRole.LINE_PRODUCER),
    )
    task = services.task_create(
        project=morn,
        by=producer,
        title="Rewrite the cold open",
        kind=Task.Kind.SCRIPT,
        assignee=ap,
        reviewer=line_producer,
    )
    people = {
        "assignee AP": ap,
        "another AP": ap2,
        "reviewer": line_producer,
        "approving producer": producer,
        "editor": editor,
        "other production's crew": outsider,
        "anonymous": AnonymousUser(),
    }
    return task, people


def expected_targets(status: str, parts: set[str]) -> set[str]:
    return {
        target
        for (source, target), who in EXPECTED.items()
        if source == status and who & parts
    }


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("person", PEOPLE)
def test_allowed_moves_match_the_table(cast, person, status):
    """Each kind of user may make exactly the moves PRODUCT.md gives them."""
    task, people = cast
    Task.objects.filter(pk=task.pk).update(status=status)
    task.refresh_from_db()
    user = people[person]
    assert workflow.allowed_moves(task, user) == expected_targets(
        status, PEOPLE[person]
    )


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("person", PEOPLE)
def test_the_move_service_enforces_the_table(cast, person, status):
    """The service makes the allowed moves and refuses every other, changing nothing."""
    task, people = cast
    user = people[person]
    allowed = expected_targets(status, PEOPLE[person])
    for target in STATUSES:
        Task.objects.filter(pk=task.pk).update(status=status)
        task.refresh_from_db()
        before = task.version
        if target in allowed:
            services.task_move(task=task, to=target, by=user, note="Tighten it.")
            task.refresh_from_db()
            assert (task.status, task.version) == (target, before + 1)
        else:
            with pytest.raises(NotAllowed):
                services.task_move(task=task, to=target, by=user, note="Tighten it.")
            task.refresh_from_db()
            assert (task.status, task.version) == (status, before)


def test_request_changes_needs_a_note(cast):
    """Sending work back without saying what to change is refused."""
    task, people = cast
    Task.objects.filter(pk=task.pk).update(status="review")
    task.refresh_from_db()
    with pytest.raises(Exception, match="Say what needs to change"):
        services.task_move(task=task, to="changes", by=people["reviewer"], note="  ")
    task.refresh_from_db()
    assert task.status == "review"


def test_a_refusal_says_who_may(cast):
    """The refusal is a sentence a person understands."""
    task, people = cast
    with pytest.raises(NotAllowed, match="Only the assignee may start"):
        services.task_move(task=task, to="in_progress", by=people["another AP"])


def test_unknown_status_is_refused(cast):
    """A made-up target status is refused, not stored."""
    task, people = cast
    with pytest.raises(NotAllowed, match="not a status"):
        services.task_move(task=task, to="shipped", by=people["approving producer"])


def test_archived_production_is_read_only(cast, morn):
    """Nobody moves the tasks of an archived production."""
    task, people = cast
    morn.archived = True
    morn.save()
    task.refresh_from_db()
    assert workflow.allowed_moves(task, people["approving producer"]) == set()
    assert workflow.allowed_moves(task, people["assignee AP"]) == set()


def test_moving_never_changes_the_assignee(cast):
    """A move leaves who the task is assigned to alone."""
    task, people = cast
    services.task_move(task=task, to="in_progress", by=people["assignee AP"])
    task.refresh_from_db()
    assert task.assignee == people["assignee AP"]


@pytest.mark.parametrize(
    ("role", "assign", "approve", "manage"),
    [
        (CrewRole.SUPERVISING_PRODUCER, True, True, True),
        (CrewRole.PRODUCER, True, True, False),
        (CrewRole.LINE_PRODUCER, True, False, True),
        (CrewRole.ASSOCIATE_PRODUCER, False, False, False),
        (CrewRole.EDITOR, False, False, False),
        (CrewRole.WRITER, False, False, False),
    ],
)
def test_standard_roles_have_the_rights_of_the_table(
    demo, role, assign, approve, manage
):
    """The standard roles come ready with the rights PRODUCT.md lists."""
    crew_role = CrewRole.objects.get(project=None, name=role)
    assert workflow.can_assign(crew_role) is assign
    assert workflow.can_approve(crew_role) is approve
    assert workflow.can_manage_crew(crew_role) is manage
    assert crew_role.can_be_assigned
    assert workflow.can_pitch(crew_role) and workflow.can_comment(crew_role)


def test_outsiders_have_no_rights(morn, outsider):
    """Someone not on the crew may not even pitch or comment."""
    role = role_on(outsider, morn.pk)
    assert role is None
    assert not workflow.can_pitch(role)
    assert not workflow.can_comment(role)
    assert not workflow.can_view(role)
