"""Services write the change and its record together: the activity history."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from production import services
from production.models import (
    Activity,
    Comment,
    CrewRole,
    Membership,
    Project,
    Task,
    User,
)
from production.workflow import LAST_LEADER, NotAllowed
from tests.test_permissions import database_snapshot


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


def test_the_assignee_edits_their_working_fields_and_nothing_else(morn, ap, task_of):
    """An AP edits the description of their own task; its title stays with
    those who assign, and a refused edit changes nothing."""
    task = task_of(ap, "todo")
    services.task_update(
        task=task, by=ap, version=task.version, description="Notes in the folder."
    )
    task.refresh_from_db()
    assert task.description == "Notes in the folder."
    version = task.version
    with pytest.raises(services.NotAllowed, match="this task's title"):
        services.task_update(task=task, by=ap, version=version, title="Mine now")
    with pytest.raises(services.NotAllowed, match="slot starts"):
        services.task_update(
            task=task, by=ap, version=version, starts_at=timezone.now()
        )
    task.refresh_from_db()
    assert (task.title, task.starts_at, task.version) == (
        "Rewrite cold open for Monday",
        None,
        version,
    )


def test_only_those_with_a_part_in_the_task_edit_it(morn, ap, ap2, task_of):
    """Another AP, with no part in the task, may not edit it at all."""
    task = task_of(ap, "todo")
    with pytest.raises(services.NotAllowed, match="may edit this task"):
        services.task_update(
            task=task, by=ap2, version=task.version, description="Mine now"
        )
    task.refresh_from_db()
    assert task.description == ""


def test_an_ap_creates_and_reassigns_work_for_their_crew(morn, ap, editor, writer):
    """The AP hands the editor a task (To do, reviewed by the AP) and passes
    it to the writer; handing it to someone outside their crew is refused."""
    task = services.task_create(
        project=morn, by=ap, title="Cut the promo", kind="editing", assignee=editor
    )
    assert (task.status, task.reviewer, task.created_by) == ("todo", ap, ap)
    services.task_update(task=task, by=ap, version=task.version, assignee=writer)
    task.refresh_from_db()
    assert (task.assignee, task.reviewer) == (writer, ap)
    with pytest.raises(ValidationError) as refusal:
        services.task_update(task=task, by=ap, version=task.version, assignee=ap)
    assert refusal.value.message_dict["assignee"] == [
        "Give it to someone who reports to you."
    ]
    task.refresh_from_db()
    assert task.assignee == writer


def test_an_ap_without_an_assignee_pitches(morn, ap, producer):
    """Crew with people of their own still pitch their own ideas."""
    task = services.task_create(project=morn, by=ap, title="Story idea")
    assert (task.status, task.assignee, task.reviewer) == ("proposed", ap, producer)


def test_sending_up_goes_to_the_first_approver_up_the_line(
    morn, ap, ap2, writer, producer
):
    """The writer's reviewer, an AP, sends the headlines up: past another AP
    who may not approve, to the producer they report to; it stays in review."""
    Membership.objects.filter(project=morn, user=ap).update(reports_to=ap2)
    task = Task.objects.get(project=morn, title="Write headlines for Wednesday")
    assert (task.assignee, task.reviewer) == (writer, ap)
    services.task_move(task=task, to="review", by=ap, note="Ready for air.")
    task.refresh_from_db()
    assert (task.status, task.reviewer) == ("review", producer)
    entry = task.activities.latest("created_at", "id")
    assert (entry.verb, entry.field, entry.old_value, entry.new_value) == (
        "moved",
        "reviewer",
        str(ap),
        str(producer),
    )
    assert (entry.actor, entry.note) == (ap, "Ready for air.")


def test_sending_up_without_an_approver_on_the_line_goes_to_any_approver(
    morn, ap, writer, producer
):
    """Where nobody up the line may approve, any approver of the production
    takes it; never the assignee, even an approving one."""
    Membership.objects.filter(project=morn, user=ap).update(reports_to=None)
    task = Task.objects.get(project=morn, title="Write headlines for Wednesday")
    services.task_move(task=task, to="review", by=ap)
    task.refresh_from_db()
    assert task.reviewer == producer


def test_sending_up_with_no_approver_but_the_assignee_is_refused(morn, ap, producer):
    """The only approver is the assignee: there is nobody to send it up to."""
    task = services.task_create(
        project=morn, by=producer, title="Sign off", assignee=producer, reviewer=ap
    )
    Task.objects.filter(pk=task.pk).update(status="review")
    task.refresh_from_db()
    before = (task.reviewer_id, task.version, task.activities.count())
    with pytest.raises(services.NotAllowed, match="cannot go up"):
        services.task_move(task=task, to="review", by=ap)
    task.refresh_from_db()
    assert (task.reviewer_id, task.version, task.activities.count()) == before


def test_an_approvers_decision_on_their_own_task_is_recorded(morn, producer):
    """Approving their own task, a producer's record notes it was theirs."""
    task = services.task_create(
        project=morn, by=producer, title="Sign off", assignee=producer
    )
    Task.objects.filter(pk=task.pk).update(status="review")
    task.refresh_from_db()
    services.task_move(task=task, to="done", by=producer, note="All good.")
    entry = task.activities.latest("created_at", "id")
    assert (entry.new_value, entry.note) == (
        "done",
        "Decided on their own task. All good.",
    )


def test_nothing_changes_on_an_archived_production(morn, producer, ap, task_of):
    """No comment, pitch, edit, move or archiving once the production is archived."""
    task = task_of(ap, "todo")
    Project.objects.filter(pk=morn.pk).update(archived=True)
    morn.refresh_from_db()
    task.refresh_from_db()
    calls = {
        "comment": lambda: services.comment_add(task=task, by=ap, body="Hello?"),
        "pitch": lambda: services.task_create(project=morn, by=ap, title="Idea"),
        "edit": lambda: services.task_update(
            task=task, by=producer, version=task.version, title="Late"
        ),
        "move": lambda: services.task_move(task=task, to="in_progress", by=ap),
        "archive": lambda: services.task_archive(task=task, by=producer),
    }
    for call in calls.values():
        with pytest.raises(services.NotAllowed, match="archived"):
            call()
    assert not Comment.objects.filter(task=task).exists()
    task.refresh_from_db()
    assert (task.status, task.title, task.archived, task.version) == (
        "todo",
        "Rewrite cold open for Monday",
        False,
        1,
    )
    assert not Task.objects.filter(title="Idea").exists()


def test_history_outlives_a_deleted_task(morn, producer):
    """When the admin deletes a task, its history stays, named by key."""
    task = services.task_create(project=morn, by=producer, title="Gone")
    key = task.key
    Task.objects.filter(pk=task.pk).delete()
    assert Activity.objects.filter(task_key=key, task=None).exists()


# --- the crew ------------------------------------------------------------------

SP = CrewRole.SUPERVISING_PRODUCER
PRODUCER = CrewRole.PRODUCER
LP = CrewRole.LINE_PRODUCER
AP = CrewRole.ASSOCIATE_PRODUCER
EDITOR = CrewRole.EDITOR
WRITER = CrewRole.WRITER

# Written out by hand from the rules (not computed by workflow.py): the roles
# each standard role may give, and so the members it may change or remove.
MAY_GRANT = {
    SP: {SP, PRODUCER, LP, AP, EDITOR, WRITER},
    PRODUCER: set(),
    LP: {LP, AP, EDITOR, WRITER},
    AP: set(),
    EDITOR: set(),
    WRITER: set(),
}
OPEN = Task.OPEN_STATUSES


@pytest.fixture
def roles(demo):
    return {role.name: role for role in CrewRole.objects.filter(project=None)}


def give(project, user, role):
    Membership.objects.filter(project=project, user=user).update(role=role)


def refused(call) -> str:
    """Make a service call the rules must refuse; nothing may change."""
    before = database_snapshot()
    with pytest.raises(NotAllowed) as refusal:
        call()
    assert database_snapshot() == before
    return str(refusal.value)


@pytest.mark.parametrize("target", sorted(MAY_GRANT))
@pytest.mark.parametrize("manager", sorted(MAY_GRANT))
def test_crew_rights_stay_within_the_managers_own(
    morn, editor, ap2, outsider, roles, manager, target
):
    """Each role grants, changes and removes exactly the roles within its rights;
    every refusal says why and changes nothing."""
    give(morn, editor, roles[manager])
    give(morn, ap2, roles[target])
    member = morn.memberships.select_related("user", "role").get(user=ap2)

    def grant():
        services.membership_add(
            project=morn, by=editor, user=outsider, role=roles[target]
        )

    def change():
        services.membership_change(
            membership=member, by=editor, role=roles[target], reports_to=editor
        )

    def remove():
        services.membership_remove(membership=member, by=editor)

    if target not in MAY_GRANT[manager]:
        sentences = {refused(grant), refused(change), refused(remove)}
        if not MAY_GRANT[manager]:
            assert sentences == {
                "Only crew whose role may manage the crew can change it."
            }
        else:
            assert sentences == {
                f"You may not give the role {target}: it may approve work, and "
                "yours may not.",
                "You may not change or remove Jo Lindqvist: their role may "
                "approve work, and yours may not.",
            }
        return
    grant()
    assert morn.memberships.get(user=outsider).role.name == target
    change()
    assert morn.memberships.get(user=ap2).reports_to == editor
    remove()
    assert not morn.memberships.filter(user=ap2).exists()


def test_a_line_producer_cannot_promote_themself_or_remove_the_producer(
    morn, producer, editor, roles
):
    """The issue's path: a Line Producer may not give themself the Supervising
    Producer role, nor take the producer off the crew."""
    give(morn, editor, roles[LP])
    mine = morn.memberships.get(user=editor)
    boss = morn.memberships.get(user=producer)
    assert refused(
        lambda: services.membership_change(membership=mine, by=editor, role=roles[SP])
    ) == (
        "You may not give the role Supervising Producer: it may approve work, "
        "and yours may not."
    )
    assert refused(lambda: services.membership_remove(membership=boss, by=editor)) == (
        "You may not change or remove Paula Reyes: their role may approve work, "
        "and yours may not."
    )


def test_a_right_the_manager_lacks_is_never_given(morn, editor, outsider, roles):
    """A manager whose role may not be assigned work cannot make someone who may."""
    executive = CrewRole.objects.create(
        project=morn,
        name="Executive",
        can_manage_crew=True,
        can_assign=True,
        can_approve=True,
        can_be_assigned=False,
    )
    give(morn, editor, executive)
    assert (
        refused(
            lambda: services.membership_add(
                project=morn, by=editor, user=outsider, role=roles[WRITER]
            )
        )
        == "You may not give the role Writer: it may be assigned work, and yours may not."
    )
    services.membership_add(project=morn, by=editor, user=outsider, role=executive)
    assert morn.memberships.get(user=outsider).role == executive


def test_the_crew_keeps_someone_who_may_manage_and_approve(
    morn, producer, editor, roles
):
    """Beside a Line Producer (who may not approve), the supervising producer may
    not step down, be removed or leave; beside another one, they may step down."""
    give(morn, editor, roles[LP])
    mine = morn.memberships.select_related("user", "role").get(user=producer)
    for call in (
        lambda: services.membership_change(
            membership=mine, by=producer, role=roles[PRODUCER]
        ),
        lambda: services.membership_change(
            membership=mine, by=producer, role=roles[LP]
        ),
        lambda: services.membership_remove(membership=mine, by=producer),
        lambda: services.membership_leave(project=morn, by=producer),
    ):
        assert refused(call) == LAST_LEADER
    give(morn, editor, roles[SP])
    services.membership_change(membership=mine, by=producer, role=roles[PRODUCER])
    assert morn.memberships.get(user=producer).role.name == PRODUCER


def test_the_last_manager_stays_even_without_an_approver(morn, producer, roles):
    """A crew whose only manager may not approve still keeps that manager."""
    give(morn, producer, roles[LP])
    assert refused(lambda: services.membership_leave(project=morn, by=producer)) == (
        LAST_LEADER
    )


def test_a_line_producer_may_leave_while_a_leader_stays(morn, editor, roles):
    """A manager who is not the last one leaves like anyone else."""
    give(morn, editor, roles[LP])
    services.membership_leave(project=morn, by=editor)
    assert not morn.memberships.filter(user=editor).exists()


def test_leaving_unassigns_open_work_with_a_record(morn, ap):
    """The leaver's open tasks lose their assignee, each with an entry saying why;
    their finished work keeps their name."""
    mine = Task.objects.filter(project=morn, assignee=ap, archived=False)
    was_open = {task.pk: task.version for task in mine.filter(status__in=OPEN)}
    finished = set(mine.exclude(status__in=OPEN).values_list("pk", flat=True))
    assert was_open and finished
    services.membership_leave(project=morn, by=ap)
    assert not morn.memberships.filter(user=ap).exists()
    for task in Task.objects.filter(pk__in=was_open):
        assert task.assignee is None
        assert task.version == was_open[task.pk] + 1
        entry = task.activities.latest("created_at", "id")
        assert (
            entry.actor,
            entry.verb,
            entry.field,
            entry.old_value,
            entry.new_value,
            entry.note,
            entry.task_version,
        ) == (
            ap,
            "assigned",
            "assignee",
            "Sam Okafor",
            "—",
            "unassigned because Sam Okafor left the crew",
            task.version,
        )
    assert set(mine.values_list("pk", flat=True)) == finished


def test_leaving_hands_reviews_back_and_moves_reports_up_the_line(
    morn, producer, ap, editor
):
    """Whoever reported to the leaver now reports to the leaver's own boss; tasks
    the leaver reviewed go to the assignee's boss, or to nobody."""
    Membership.objects.filter(project=morn, user=editor).update(reports_to=ap)
    edit = Task.objects.filter(project=morn, assignee=editor, status__in=OPEN).first()
    loose = services.task_create(project=morn, by=producer, title="Loose end")
    Task.objects.filter(pk__in=[edit.pk, loose.pk]).update(reviewer=ap)
    services.membership_leave(project=morn, by=ap)
    assert morn.memberships.get(user=editor).reports_to == producer
    edit.refresh_from_db()
    loose.refresh_from_db()
    assert (edit.reviewer, loose.reviewer) == (producer, None)
    entry = edit.activities.latest("created_at", "id")
    assert (entry.verb, entry.field, entry.old_value, entry.new_value, entry.note) == (
        "changed",
        "reviewer",
        "Sam Okafor",
        "Paula Reyes",
        "reviewer changed because Sam Okafor left the crew",
    )


def test_removing_someone_records_who_took_them_off(morn, producer, ap):
    """Work left by a removed member says who removed them."""
    services.membership_remove(membership=morn.memberships.get(user=ap), by=producer)
    notes = set(
        Activity.objects.filter(
            task__project=morn, field="assignee", new_value="—"
        ).values_list("actor__username", "note")
    )
    assert notes == {
        ("producer", "unassigned because Paula Reyes took Sam Okafor off the crew")
    }


def test_an_archived_productions_crew_does_not_change(
    morn, producer, ap, ap2, outsider, roles
):
    """No adding, changing, removing or leaving on an archived production, until
    a manager brings it back."""
    services.project_archive(project=morn, by=producer)
    member = morn.memberships.select_related("user", "role").get(user=ap2)
    for call in (
        lambda: services.membership_add(
            project=morn, by=producer, user=outsider, role=roles[EDITOR]
        ),
        lambda: services.membership_change(
            membership=member, by=producer, role=roles[WRITER]
        ),
        lambda: services.membership_remove(membership=member, by=producer),
        lambda: services.membership_leave(project=morn, by=ap),
    ):
        assert refused(call) == (
            "This production is archived; its crew can no longer change."
        )
    services.project_archive(project=morn, by=producer, archived=False)
    services.membership_leave(project=morn, by=ap)
    assert not morn.memberships.filter(user=ap).exists()


def test_only_people_allowed_to_start_productions_create_one(demo, ap, producer):
    """Creating a production needs the site permission; superusers have it."""
    assert refused(
        lambda: services.project_create(by=ap, name="Rogue", code="ROGUE")
    ) == (
        "Only people allowed to start productions may create one; ask an administrator."
    )
    boss = User.objects.create_superuser("boss", "boss@slate.example", "x")
    for person, code in ((producer, "EVE"), (boss, "BOSS")):
        project = services.project_create(by=person, name="Show", code=code)
        assert project.memberships.get().user == person
    assert not Project.objects.filter(code="ROGUE").exists()
