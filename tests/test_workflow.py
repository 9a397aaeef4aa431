"""The moves table of RULES.md, tested both ways.

Every standard role x every relation to the task (assignee, reviewer, author,
supervisor of the assignee, none) x every status x every target status:

- generated from workflow.py: services.task_move makes exactly the moves
  workflow.py allows, and a refused move leaves the database as it was;
- written out by hand: workflow.py allows exactly the moves of the table
  below, copied from RULES.md rather than read from workflow.py, so that a
  change to the rules has to change both.

Then the paths the rules were rewritten for, one case each.
"""

import itertools

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError

from production import services, workflow
from production.access import role_on
from production.models import (
    STANDARD_ROLES,
    Activity,
    CrewRole,
    Membership,
    Project,
    Task,
    User,
)
from production.workflow import NotAllowed

STATUSES = list(Task.Status.values)
ROLES = list(STANDARD_ROLES)
RELATIONS = ["assignee", "reviewer", "author", "supervisor", "none"]
APPROVING = {name for name, rights in STANDARD_ROLES.items() if rights[2]}
OPEN_WORK = ["todo", "in_progress", "review", "changes"]

# (from, to): who may make the move, in RULES.md's words. "approver": any
# crew whose role may approve, whatever they are to the task; "reviewer
# only": the reviewer, when their role may not approve (send up).
EXPECTED = {
    ("proposed", "todo"): {"approver"},
    ("proposed", "cancelled"): {"approver", "author"},
    ("todo", "in_progress"): {"assignee"},
    ("in_progress", "review"): {"assignee"},
    ("review", "in_progress"): {"assignee"},
    ("review", "review"): {"reviewer only"},
    ("review", "done"): {"approver"},
    ("review", "changes"): {"reviewer", "approver"},
    ("changes", "in_progress"): {"assignee"},
    ("changes", "review"): {"assignee"},
    ("done", "in_progress"): {"approver"},
    **{(status, "cancelled"): {"approver"} for status in OPEN_WORK},
    ("cancelled", "todo"): {"approver"},
}


def expected_targets(role: str, relation: str, status: str) -> set[str]:
    approver = role in APPROVING
    parts = {relation}
    if approver:
        parts.add("approver")
    elif relation == "reviewer":
        parts.add("reviewer only")
    return {
        target
        for (source, target), who in EXPECTED.items()
        if source == status and who & parts
    }


# --- by hand: workflow.py allows exactly the table --------------------------------


def standard_role(name: str) -> CrewRole:
    manage, assign, approve, assignable = STANDARD_ROLES[name]
    return CrewRole(
        name=name,
        can_manage_crew=manage,
        can_assign=assign,
        can_approve=approve,
        can_be_assigned=assignable,
    )


# Unsaved people: the rules are pure Python and read ids only.
ACTOR, WORKER, BOSS, AUTHOR = (User(pk=pk) for pk in (1, 2, 3, 4))
# Where a relation to the task is stored; a supervisor is known by their crew.
RELATION_FIELDS = {
    "assignee": "assignee_id",
    "reviewer": "reviewer_id",
    "author": "created_by_id",
}


def targets(task: Task, user, role) -> set[str]:
    """The statuses the pages offer this user to move the task to."""
    return {move.target for move in workflow.move_actions(task, user, role)}


def unsaved_task(relation: str, status: str) -> Task:
    """A task in `status` to which ACTOR is `relation`."""
    task = Task(
        project=Project(code="RULE"),
        status=status,
        assignee_id=WORKER.pk,
        reviewer_id=BOSS.pk,
        created_by_id=AUTHOR.pk,
    )
    if relation in RELATION_FIELDS:
        setattr(task, RELATION_FIELDS[relation], ACTOR.pk)
    return task


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("relation", RELATIONS)
@pytest.mark.parametrize("role", ROLES)
def test_workflow_allows_exactly_the_table(role, relation, status):
    """Each role, in each relation to the task, may make exactly the moves
    RULES.md gives them from each status."""
    task = unsaved_task(relation, status)
    allowed = targets(task, ACTOR, standard_role(role))
    assert allowed == expected_targets(role, relation, status)


def test_the_table_covers_every_move_of_workflow_py():
    """No move exists in workflow.py that the hand-written table leaves out."""
    pairs = {(move.source, move.target) for move in workflow.MOVES}
    assert pairs == set(EXPECTED)


# --- generated from workflow.py: the service makes exactly its moves ------------------


@pytest.fixture
def rules_world(db):
    """A production RULE: the actor (whose role each test sets), a worker who
    does the task, a supervising producer the worker and actor report to, and
    the author of the task; the task is created in the database once."""
    CrewRole.objects.ensure_standard()
    roles = {role.name: role for role in CrewRole.objects.filter(project=None)}
    project = Project.objects.create(name="Rules", code="RULE")
    people = {
        name: User.objects.create_user(name, password="x" * 12)
        for name in ("actor", "worker", "boss", "author")
    }
    Membership.objects.create(
        project=project, user=people["boss"], role=roles[CrewRole.SUPERVISING_PRODUCER]
    )
    Membership.objects.create(
        project=project, user=people["author"], role=roles[CrewRole.WRITER]
    )
    actor = Membership.objects.create(
        project=project,
        user=people["actor"],
        role=roles[CrewRole.EDITOR],
        reports_to=people["boss"],
    )
    worker = Membership.objects.create(
        project=project,
        user=people["worker"],
        role=roles[CrewRole.EDITOR],
        reports_to=people["boss"],
    )
    (number,) = services.reserve_task_numbers(project)
    task = Task.objects.create(
        project=project,
        number=number,
        key=f"RULE-{number}",
        title="Cut the trailer",
        kind=Task.Kind.EDITING,
    )
    return {
        "roles": roles,
        "people": people,
        "actor": actor,
        "worker": worker,
        "task": task,
    }


def cast(world, role: str, relation: str) -> tuple[Task, User]:
    """Give the actor `role` and make them `relation` to the task."""
    people = world["people"]
    actor = people["actor"]
    Membership.objects.filter(pk=world["actor"].pk).update(role=world["roles"][role])
    Membership.objects.filter(pk=world["worker"].pk).update(
        reports_to=actor if relation == "supervisor" else people["boss"]
    )
    Task.objects.filter(pk=world["task"].pk).update(
        assignee=actor if relation == "assignee" else people["worker"],
        reviewer=actor if relation == "reviewer" else people["boss"],
        created_by=actor if relation == "author" else people["author"],
    )
    return world["task"], actor


def stored(task: Task) -> tuple:
    row = Task.objects.values_list(
        "status", "version", "reviewer_id", "assignee_id", "updated_at"
    ).get(pk=task.pk)
    return row, Activity.objects.filter(task_key=task.key).count()


@pytest.mark.parametrize(
    ("role", "relation"), list(itertools.product(ROLES, RELATIONS))
)
def test_the_move_service_makes_exactly_the_workflows_moves(
    rules_world, role, relation
):
    """From every status to every status, the service makes the move when
    workflow.py allows it and refuses it otherwise, changing nothing."""
    task, actor = cast(rules_world, role, relation)
    crew_role = role_on(actor, task.project_id)
    for status, target in itertools.product(STATUSES, STATUSES):
        Task.objects.filter(pk=task.pk).update(status=status)
        task.refresh_from_db()
        before = stored(task)
        if target in targets(task, actor, crew_role):
            services.task_move(task=task, to=target, by=actor, note="Tighten it.")
            task.refresh_from_db()
            (status_after, version, reviewer_id, *_), records = stored(task)
            assert (status_after, version) == (target, before[0][1] + 1)
            assert records == before[1] + 1
            if status == target == "review":  # sent up, to the boss
                assert reviewer_id == rules_world["people"]["boss"].pk
        else:
            with pytest.raises(NotAllowed):
                services.task_move(task=task, to=target, by=actor, note="Tighten it.")
            assert stored(task) == before


# --- the paths the rules were rewritten for ---------------------------------------

# (role, relation, status, target, allowed), each a case of the issue.
CASES = [
    # An AP named reviewer checks the work but does not approve it...
    (CrewRole.ASSOCIATE_PRODUCER, "reviewer", "review", "done", False),
    # ...they request changes or send it up instead.
    (CrewRole.ASSOCIATE_PRODUCER, "reviewer", "review", "changes", True),
    (CrewRole.ASSOCIATE_PRODUCER, "reviewer", "review", "review", True),
    # An AP never approves their own work.
    (CrewRole.ASSOCIATE_PRODUCER, "assignee", "review", "done", False),
    # A line producer who made themself reviewer still may not approve...
    (CrewRole.LINE_PRODUCER, "reviewer", "review", "done", False),
    # ...nor cancel, reopen or restore.
    (CrewRole.LINE_PRODUCER, "reviewer", "todo", "cancelled", False),
    (CrewRole.LINE_PRODUCER, "reviewer", "done", "in_progress", False),
    # The reviewer of a declined pitch does not restore it.
    (CrewRole.ASSOCIATE_PRODUCER, "reviewer", "cancelled", "todo", False),
    (CrewRole.LINE_PRODUCER, "reviewer", "cancelled", "todo", False),
    # A reviewer who may approve decides; they have nobody to send it up to.
    (CrewRole.PRODUCER, "reviewer", "review", "done", True),
    (CrewRole.PRODUCER, "reviewer", "review", "review", False),
    # An approver decides on their own task too.
    (CrewRole.SUPERVISING_PRODUCER, "assignee", "review", "done", True),
    # A pitch's author may withdraw it, and only that.
    (CrewRole.WRITER, "author", "proposed", "cancelled", True),
    (CrewRole.WRITER, "author", "proposed", "todo", False),
    # The assignee resubmits straight from changes, or resumes.
    (CrewRole.EDITOR, "assignee", "changes", "review", True),
    (CrewRole.EDITOR, "assignee", "changes", "in_progress", True),
    # Supervising the assignee gives no say over the status.
    (CrewRole.ASSOCIATE_PRODUCER, "supervisor", "review", "changes", False),
    (CrewRole.ASSOCIATE_PRODUCER, "supervisor", "todo", "in_progress", False),
]


@pytest.mark.parametrize(("role", "relation", "status", "target", "allowed"), CASES)
def test_the_cases_of_the_issue(rules_world, role, relation, status, target, allowed):
    """Each path of the issue ends as RULES.md says, through the service."""
    task, actor = cast(rules_world, role, relation)
    Task.objects.filter(pk=task.pk).update(status=status)
    task.refresh_from_db()
    before = stored(task)
    if allowed:
        services.task_move(task=task, to=target, by=actor, note="Tighten it.")
        assert stored(task) != before
    else:
        with pytest.raises(NotAllowed):
            services.task_move(task=task, to=target, by=actor, note="Tighten it.")
        assert stored(task) == before


def test_a_refusal_says_who_may(rules_world):
    """The refusal is a sentence a person understands."""
    task, actor = cast(rules_world, CrewRole.EDITOR, "none")
    with pytest.raises(NotAllowed, match="Only the assignee may start this task."):
        services.task_move(task=task, to="in_progress", by=actor)
    Task.objects.filter(pk=task.pk).update(status="review")
    task.refresh_from_db()
    with pytest.raises(NotAllowed, match="Only an approver may approve this task."):
        services.task_move(task=task, to="done", by=actor)


def test_a_pitch_refusal_names_both_who_may(rules_world):
    """Cancelling a pitch: its author may withdraw it, an approver decline it."""
    task, actor = cast(rules_world, CrewRole.EDITOR, "none")
    Task.objects.filter(pk=task.pk).update(status="proposed")
    task.refresh_from_db()
    with pytest.raises(NotAllowed) as refusal:
        services.task_move(task=task, to="cancelled", by=actor)
    assert str(refusal.value) == (
        "Only its author may withdraw this pitch. "
        "Only an approver may decline this pitch."
    )


def test_an_approvers_own_pitch_reads_withdraw(rules_world):
    """An approver who pitched sees "Withdraw pitch", not "Decline pitch"."""
    task, actor = cast(rules_world, CrewRole.PRODUCER, "author")
    Task.objects.filter(pk=task.pk).update(status="proposed")
    task.refresh_from_db()
    labels = [
        move.label
        for move in workflow.move_actions(task, actor, role_on(actor, task.project_id))
    ]
    assert labels == ["Accept pitch", "Withdraw pitch"]


def test_request_changes_needs_a_note(rules_world):
    """Sending work back without saying what to change is refused."""
    task, actor = cast(rules_world, CrewRole.ASSOCIATE_PRODUCER, "reviewer")
    Task.objects.filter(pk=task.pk).update(status="review")
    task.refresh_from_db()
    before = stored(task)
    with pytest.raises(ValidationError, match="Say what needs to change"):
        services.task_move(task=task, to="changes", by=actor, note="  ")
    assert stored(task) == before


def test_unknown_status_is_refused(rules_world):
    """A made-up target status is refused, not stored."""
    task, actor = cast(rules_world, CrewRole.SUPERVISING_PRODUCER, "none")
    with pytest.raises(NotAllowed, match="not a status"):
        services.task_move(task=task, to="shipped", by=actor)


def test_outsiders_and_anonymous_make_no_move(rules_world):
    """Someone off the crew, or not logged in, may make no move at all."""
    task = rules_world["task"]
    stranger = User.objects.create_user("stranger", password="x" * 12)
    for status in STATUSES:
        task.status = status
        assert targets(task, stranger, role_on(stranger, task.project_id)) == set()
        assert workflow.move_actions(task, AnonymousUser(), None) == []
    with pytest.raises(NotAllowed, match="not on this production's crew"):
        services.task_move(task=task, to="done", by=stranger)


@pytest.mark.parametrize("archived", ["production", "task"])
def test_nothing_moves_once_archived(rules_world, archived):
    """An archived production or task is read-only, even for an approver."""
    task, actor = cast(rules_world, CrewRole.SUPERVISING_PRODUCER, "assignee")
    if archived == "production":
        Project.objects.filter(pk=task.project_id).update(archived=True)
    else:
        Task.objects.filter(pk=task.pk).update(archived=True)
    task = Task.objects.select_related("project").get(pk=task.pk)
    assert targets(task, actor, role_on(actor, task.project_id)) == set()
    before = stored(task)
    with pytest.raises(NotAllowed, match="archived"):
        services.task_move(task=task, to="cancelled", by=actor)
    assert stored(task) == before


def test_moving_never_changes_the_assignee(rules_world):
    """A move leaves who the task is assigned to alone."""
    task, actor = cast(rules_world, CrewRole.EDITOR, "assignee")
    services.task_move(task=task, to="in_progress", by=actor)
    task.refresh_from_db()
    assert task.assignee == actor


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
    demo, morn, role, assign, approve, manage
):
    """The standard roles come ready with the rights RULES.md lists."""
    crew_role = CrewRole.objects.get(project=None, name=role)
    assert workflow.can_assign(crew_role) is assign
    assert workflow.can_approve(crew_role) is approve
    assert workflow.can_manage_crew(crew_role) is manage
    assert crew_role.can_be_assigned
    assert workflow.can_pitch(morn, crew_role)
    assert workflow.can_create_tasks(morn, crew_role, has_crew=False) is assign
    # Anyone with people who report to them creates tasks for those people.
    assert workflow.can_create_tasks(morn, crew_role, has_crew=True)


def test_outsiders_have_no_rights(morn, outsider):
    """Someone not on the crew may not even pitch or comment."""
    role = role_on(outsider, morn.pk)
    assert role is None
    assert not workflow.can_pitch(morn, role)
    task = Task.objects.filter(project=morn).first()
    assert not workflow.can_comment(task, role)
    assert workflow.editable_fields(task, outsider, role) == ()


# --- editing: who changes which fields ---------------------------------------------

WORKING = {"description"}
BOOKING_WORK = {"description", *workflow.BOOKING_FIELDS}
EVERYTHING = set(workflow.EDITABLE_FIELDS)


@pytest.mark.parametrize(
    ("role", "relation", "kind", "fields"),
    [
        # Crew who may assign edit any task.
        (CrewRole.LINE_PRODUCER, "none", "editing", EVERYTHING),
        (CrewRole.PRODUCER, "none", "booking", EVERYTHING),
        # The one the assignee reports to edits their crew's tasks.
        (CrewRole.ASSOCIATE_PRODUCER, "supervisor", "editing", EVERYTHING),
        # The assignee keeps the working fields up to date; for a booking,
        # its details too.
        (CrewRole.ASSOCIATE_PRODUCER, "assignee", "booking", BOOKING_WORK),
        (CrewRole.EDITOR, "assignee", "editing", WORKING),
        # Reviewing or writing a task gives no edit.
        (CrewRole.ASSOCIATE_PRODUCER, "reviewer", "editing", set()),
        (CrewRole.WRITER, "author", "editing", set()),
        (CrewRole.WRITER, "none", "booking", set()),
    ],
)
def test_who_edits_which_fields(role, relation, kind, fields):
    """Editing follows RULES.md: all fields, the working fields, or none."""
    task = unsaved_task(relation, "in_progress")
    task.kind = kind
    crew_ids = {WORKER.pk} if relation == "supervisor" else set()
    allowed = workflow.editable_fields(
        task, ACTOR, standard_role(role), crew_ids=crew_ids
    )
    assert set(allowed) == fields


def test_whom_work_may_go_to():
    """Crew who may assign give work to anyone; others only to their crew."""
    producer, ap = (
        standard_role(CrewRole.PRODUCER),
        standard_role(CrewRole.ASSOCIATE_PRODUCER),
    )
    assert workflow.can_assign_to(producer, set(), WORKER.pk)
    assert workflow.can_assign_to(ap, {WORKER.pk}, WORKER.pk)
    assert not workflow.can_assign_to(ap, {WORKER.pk}, BOSS.pk)
    assert not workflow.can_assign_to(ap, {WORKER.pk}, None)
    assert not workflow.can_assign_to(None, {WORKER.pk}, WORKER.pk)
