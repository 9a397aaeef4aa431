"""Writes that touch several models, each in one transaction with its record.

Every function checks the workflow first (raising NotAllowed, a 403), then
validates (raising ValidationError), then writes the change and its Activity.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from production import notifications, run_of_show, workflow
from production.access import crew_ids, role_on
from production.changes import bump_revision
from production.dates import OUT_OF_RANGE, validate_day, validate_moment_in
from production.models import (
    COMMENT_MAX_LENGTH,
    Activity,
    Comment,
    CrewRole,
    Episode,
    Membership,
    Project,
    RunOfShow,
    RunOfShowLine,
    Task,
    User,
)
from production.workflow import EDITABLE_FIELDS, NotAllowed


class StaleEdit(Exception):
    """The task changed since the editor loaded it; nothing was saved."""

    def __init__(self, task: Task, missed: list[Activity]):
        self.task = task
        self.missed = missed
        super().__init__(
            f"{task.key} was changed by someone else while you were editing it."
        )


@dataclass(frozen=True)
class Change:
    field: str
    old: object
    new: object


def _as_recorded(value) -> str:
    """A value as an Activity stores it: text, "—" for none (views/tasks.py's
    _readable reads it back for people)."""
    if value is None or value == "":
        return "—"
    return str(value)


def _record(task: Task, by, verb: str, **details) -> Activity:
    return Activity.objects.create(
        task=task,
        task_key=task.key,
        actor=by,
        verb=verb,
        task_version=task.version,
        **details,
    )


def default_reviewer_id(project_id, assignee_id):
    """The assignee's supervisor on this production, if any."""
    if not assignee_id:
        return None
    return (
        Membership.objects.filter(project_id=project_id, user_id=assignee_id)
        .values_list("reports_to_id", flat=True)
        .first()
    )


def reserve_task_numbers(project: Project, count: int = 1) -> range:
    """Take the production's next `count` task numbers; none is handed out again."""
    # The UPDATE takes the row's write lock (PostgreSQL) or the database's
    # (SQLite, IMMEDIATE), so two creations can never read the same number.
    # A new task is a change to the production's pages too (changes.py).
    Project.objects.filter(pk=project.pk).update(
        last_task_number=F("last_task_number") + count, revision=F("revision") + 1
    )
    last = Project.objects.values_list("last_task_number", flat=True).get(pk=project.pk)
    project.last_task_number = last
    return range(last - count + 1, last + 1)


@transaction.atomic
def task_create(*, project: Project, by, **fields) -> Task:
    """A new task, To do, from crew who may assign, or from someone for a
    person who reports to them; anything else from the crew is a pitch."""
    role = role_on(by, project.pk)
    workflow.require_create_task(project, role)
    _check_fields(fields)
    task = Task(project=project, created_by=by, **fields)
    if workflow.can_assign(role):
        task.status = Task.Status.TODO
    elif task.assignee_id is not None and (crew := crew_ids(by, project)):
        if not workflow.can_assign_to(role, crew, task.assignee_id):
            raise ValidationError({"assignee": workflow.ASSIGN_OWN_CREW})
        task.status = Task.Status.TODO
    else:
        # A pitch: the pitcher's own idea, decided by an approver.
        task.status = Task.Status.PROPOSED
        task.assignee = by if role.can_be_assigned else None
    if task.reviewer_id is None:
        task.reviewer_id = default_reviewer_id(project.pk, task.assignee_id)
    task.full_clean(exclude=["number", "key"])
    (task.number,) = reserve_task_numbers(project)
    task.key = f"{project.code}-{task.number}"
    task.save()
    _record(task, by, Activity.Verb.CREATED, new_value=task.title)
    if task.assignee_id:
        _record(
            task,
            by,
            Activity.Verb.ASSIGNED,
            field="assignee",
            new_value=_as_recorded(task.assignee),
        )
    notifications.task_created(task=task, by=by)
    return task


def _check_fields(fields) -> None:
    # A programming error, not input: forms only post editable fields.
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not task fields: {sorted(unknown)}")


def _locked(task: Task) -> Task:
    """The task, locked for a change: its production's row first (the
    change's marker, bump_revision), then the task's, the order every write takes."""
    bump_revision(task.project_id)
    return (
        Task.objects.select_for_update(of=("self",))
        .select_related("project", "assignee", "reviewer", "episode")
        .get(pk=task.pk)
    )


def _missed(task: Task, since_version: int) -> list[Activity]:
    return list(
        task.activities.filter(task_version__gt=since_version)
        .select_related("actor")
        .order_by("created_at", "id")
    )


@transaction.atomic
def task_update(*, task: Task, by, version: int, **fields) -> list[Change]:
    """Edit a task made from `version`; refused if it changed since."""
    _check_fields(fields)
    current = _locked(task)
    role = role_on(by, current.project_id)
    crew = crew_ids(by, current.project)
    workflow.require_fields(
        fields, workflow.require_edit(current, by, role, crew_ids=crew)
    )
    if current.version != version:
        raise StaleEdit(current, _missed(current, version))
    changes = []
    reviewer_before = current.reviewer_id
    for field, new in fields.items():
        old = getattr(current, field)
        if old != new:
            changes.append(Change(field, old, new))
            setattr(current, field, new)
    if not changes:
        return []
    assignee_changed = any(change.field == "assignee" for change in changes)
    if assignee_changed and not workflow.can_assign_to(role, crew, current.assignee_id):
        raise ValidationError({"assignee": workflow.ASSIGN_OWN_CREW})
    if assignee_changed and "reviewer" not in fields:
        current.reviewer_id = default_reviewer_id(
            current.project_id, current.assignee_id
        )
    current.full_clean()
    current.version += 1
    current.save()
    for change in changes:
        verb = (
            Activity.Verb.ASSIGNED
            if change.field == "assignee"
            else Activity.Verb.CHANGED
        )
        _record(
            current,
            by,
            verb,
            field=change.field,
            old_value=_as_recorded(change.old),
            new_value=_as_recorded(change.new),
        )
    notifications.task_updated(
        task=current, by=by, changes=changes, reviewer_before=reviewer_before
    )
    _refresh(task, current)
    return changes


def _refresh(task: Task, current: Task) -> None:
    """Bring the caller's instance up to date with what was saved."""
    for field in Task._meta.concrete_fields:
        setattr(task, field.attname, getattr(current, field.attname))


@transaction.atomic
def task_move(
    *, task: Task, to: str, by, note: str = "", version: int | None = None
) -> Task:
    """Move a task to another status, if the workflow lets this user.

    `version` is the task as the mover saw it. If it changed since, the move
    still goes ahead when the rules allow it now (an edit meanwhile leaves
    the decision whole); refused, it is StaleEdit, naming what changed,
    rather than NotAllowed: the mover chose from what is no longer there.
    """
    current = _locked(task)
    role = role_on(by, current.project_id)
    try:
        move = workflow.require_move(current, by, role, to)
    except NotAllowed:
        if version is not None and current.version != version:
            raise StaleEdit(current, _missed(current, version)) from None
        raise
    note = (note or "").strip()
    if move.needs_note and not note:
        raise ValidationError({"note": "Say what needs to change."})
    if len(note) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            {"note": f"Keep the note under {COMMENT_MAX_LENGTH:,} characters."}
        )
    if move.sends_up:
        _send_up(current, by, note)
    else:
        if move.is_decision and current.assignee_id == by.pk:
            # An approver may decide on their own work; the record says so.
            note = f"{workflow.OWN_DECISION} {note}".strip()
        old = current.status
        current.status = to
        current.status_changed_at = timezone.now()
        current.version += 1
        current.save(
            update_fields=["status", "status_changed_at", "version", "updated_at"]
        )
        _record(
            current,
            by,
            Activity.Verb.MOVED,
            field="status",
            old_value=old,
            new_value=to,
            note=note,
        )
    notifications.task_moved(task=current, by=by, move=move, note=note)
    _refresh(task, current)
    return task


def _send_up(task: Task, by, note: str) -> None:
    """Hand a task in review to the approver up the line; it stays in review."""
    crew = Membership.objects.filter(project_id=task.project_id).select_related(
        "user", "role"
    )
    crew = list(crew.in_crew_order())
    to = workflow.require_send_up_to(task, crew)
    old = task.reviewer
    task.reviewer = next(member.user for member in crew if member.user_id == to)
    task.version += 1
    task.save(update_fields=["reviewer", "version", "updated_at"])
    # A move that changes the reviewer, not the status: the history reads
    # "sent it up to ..." from the field.
    _record(
        task,
        by,
        Activity.Verb.MOVED,
        field="reviewer",
        old_value=_as_recorded(old),
        new_value=_as_recorded(task.reviewer),
        note=note,
    )


def _set_archived(task: Task, archived: bool) -> None:
    task.archived = archived
    task.version += 1
    task.save(update_fields=["archived", "version", "updated_at"])


@transaction.atomic
def task_archive(*, task: Task, by) -> Task:
    """Hide a task from the pages; its record stays."""
    current = _locked(task)
    role = role_on(by, current.project_id)
    workflow.require_archive(current, role)
    _set_archived(current, True)
    _record(current, by, Activity.Verb.ARCHIVED)
    _refresh(task, current)
    return task


@transaction.atomic
def task_restore(*, task: Task, by) -> Task:
    """Bring an archived task back to the pages, as it was when archived."""
    current = _locked(task)
    role = role_on(by, current.project_id)
    workflow.require_restore(current, role)
    if current.archived:  # restored twice at once: the second changes nothing
        _set_archived(current, False)
        # A change of the archived field, not a verb of its own: the history
        # reads it as "restored the task" (views/tasks.py).
        _record(
            current,
            by,
            Activity.Verb.CHANGED,
            field="archived",
            old_value=str(True),
            new_value=str(False),
        )
    _refresh(task, current)
    return task


@transaction.atomic
def comment_add(*, task: Task, by, body: str) -> Comment:
    """Add to a task's discussion; any crew member may, while it may change."""
    current = _locked(task)
    role = role_on(by, current.project_id)
    workflow.require_comment(current, role)
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "Write something first."})
    if len(body) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            {"body": f"Keep comments under {COMMENT_MAX_LENGTH:,} characters."}
        )
    comment = Comment.objects.create(task=task, author=by, body=body)
    _record(task, by, Activity.Verb.COMMENTED, note=body[:200])
    notifications.comment_added(comment=comment, task=current, by=by)
    return comment


def standard_role(name: str) -> CrewRole:
    return CrewRole.objects.get(project__isnull=True, name=name)


@transaction.atomic
def project_create(*, by, **fields) -> Project:
    """A new production; its creator becomes its supervising producer."""
    workflow.require_create_project(by)
    project = Project(**fields)
    project.full_clean()
    project.save()
    Membership.objects.create(
        user=by,
        project=project,
        role=standard_role(CrewRole.SUPERVISING_PRODUCER),
    )
    return project


@transaction.atomic
def project_archive(*, project: Project, by, archived: bool = True) -> Project:
    """Archive a production (its tasks can no longer change), or bring it back."""
    workflow.require_archive_project(role_on(by, project.pk))
    bump_revision(project.pk)
    project.archived = archived
    project.save(update_fields=["archived"])
    return project


def _lock_crew(project: Project) -> None:
    """Hold the production's row until the crew change is saved; refuse an
    archived production.

    The last-leader guard reads the crew it protects: two managers demoting
    each other at the same moment must not both pass it. (SQLite takes the
    database's write lock at the transaction's start, IMMEDIATE.)
    """
    project.archived = (
        Project.objects.select_for_update()
        .values_list("archived", flat=True)
        .get(pk=project.pk)
    )
    workflow.require_crew_open(project)
    bump_revision(project.pk)


def _stored(membership: Membership) -> Membership:
    """The membership as it is in the database now, with its user and role."""
    stored = (
        Membership.objects.select_related("user", "role", "project")
        .filter(pk=membership.pk)
        .first()
    )
    if stored is None:
        raise NotAllowed("They are no longer on this crew.")
    return stored


def _other_managers(membership: Membership) -> list[CrewRole]:
    """The roles of the rest of the crew who may manage it."""
    return [
        other.role
        for other in Membership.objects.filter(
            project_id=membership.project_id, role__can_manage_crew=True
        )
        .exclude(pk=membership.pk)
        .select_related("role")
    ]


@transaction.atomic
def membership_add(
    *, project: Project, by, user, role: CrewRole, reports_to=None
) -> Membership:
    """Bring someone onto the crew, in a role whose rights are within `by`'s."""
    _lock_crew(project)
    workflow.require_grant(role_on(by, project.pk), role)
    membership = Membership(
        project=project, user=user, role=role, reports_to=reports_to
    )
    membership.full_clean()
    membership.save()
    return membership


@transaction.atomic
def membership_change(
    *, membership: Membership, by, role: CrewRole, reports_to=None
) -> Membership:
    """Change someone's role or whom they report to."""
    _lock_crew(membership.project)
    mine = role_on(by, membership.project_id)
    current = _stored(membership)
    workflow.require_change_member(mine, current)
    workflow.require_grant(mine, role)
    workflow.require_a_leader_kept(current.role, role, _other_managers(current))
    current.role = role
    current.reports_to = reports_to
    current.full_clean()
    current.save()
    membership.role, membership.reports_to = role, reports_to
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, by) -> None:
    """Take someone off the crew; their open work is left unassigned."""
    _lock_crew(membership.project)
    current = _stored(membership)
    workflow.require_change_member(role_on(by, current.project_id), current)
    workflow.require_a_leader_kept(current.role, None, _other_managers(current))
    if current.user_id == by.pk:
        reason = f"{by} left the crew"
    else:
        reason = f"{by} took {current.user} off the crew"
    _depart(current, by=by, reason=reason)


@transaction.atomic
def membership_leave(*, project: Project, by) -> None:
    """Leave a production's crew; anyone may, but its last leader."""
    _lock_crew(project)
    current = (
        Membership.objects.select_related("user", "role")
        .filter(project=project, user=by)
        .first()
    )
    if current is None:
        raise NotAllowed(workflow.NOT_CREW)
    workflow.require_a_leader_kept(current.role, None, _other_managers(current))
    _depart(current, by=by, reason=f"{by} left the crew")


def _depart(membership: Membership, *, by, reason: str) -> None:
    """Take the member off the crew, leaving no work or line hanging on them."""
    project_id, person = membership.project_id, membership.user
    boss_id = membership.reports_to_id
    # Their reports move up to the leaver's own boss rather than to nobody:
    # the line stays whole, so their work keeps a default reviewer and "send
    # up" still reaches an approver. The line has no loops, so this makes none.
    reports = Membership.objects.filter(project_id=project_id, reports_to=person)
    reports.exclude(user_id=boss_id).update(reports_to_id=boss_id)
    reports.update(reports_to=None)  # only one who would report to themselves
    membership.delete()
    line = dict(
        Membership.objects.filter(project_id=project_id).values_list(
            "user_id", "reports_to_id"
        )
    )
    bosses = User.objects.in_bulk({pk for pk in line.values() if pk})
    open_tasks = (
        Task.objects.select_for_update(of=("self",))
        .filter(project_id=project_id, archived=False, status__in=Task.OPEN_STATUSES)
        .select_related("assignee", "reviewer")
        .order_by("number")
    )
    for task in open_tasks.filter(Q(assignee=person) | Q(reviewer=person)):
        changed = []
        if task.assignee_id == person.pk:
            task.assignee = None
            changed.append(Change("assignee", person, None))
        if task.reviewer_id == person.pk:
            # Back to the default: the assignee's boss, if they are still crew.
            task.reviewer = bosses.get(line.get(task.assignee_id))
            changed.append(Change("reviewer", person, task.reviewer))
        task.version += 1
        task.save(update_fields=["assignee", "reviewer", "version", "updated_at"])
        for change in changed:
            unassigned = change.field == "assignee"
            _record(
                task,
                by,
                Activity.Verb.ASSIGNED if unassigned else Activity.Verb.CHANGED,
                field=change.field,
                old_value=_as_recorded(change.old),
                new_value=_as_recorded(change.new),
                note=f"{'unassigned' if unassigned else 'reviewer changed'} "
                f"because {reason}",
            )


# --- episodes and run-of-show templates ------------------------------------------


def _check_plan(project: Project, by) -> None:
    workflow.require_plan_episodes(project, role_on(by, project.pk))


@transaction.atomic
def episode_create(*, project: Project, by, **fields) -> Episode:
    """A new episode of the production, from crew who may assign."""
    _check_plan(project, by)
    bump_revision(project.pk)
    episode = Episode(project=project, **fields)
    episode.full_clean()
    episode.save()
    return episode


def shiftable_tasks(episode: Episode):
    """The episode's open tasks with a date or a slot: those a new air date moves."""
    return (
        episode.tasks.filter(archived=False, status__in=Task.OPEN_STATUSES)
        .filter(Q(due_date__isnull=False) | Q(starts_at__isnull=False))
        .select_related("assignee")
        .order_by(F("due_date").asc(nulls_last=True), "number")
    )


@transaction.atomic
def episode_update(
    *, episode: Episode, by, shift_tasks: bool = False, **fields
) -> list[run_of_show.Shift]:
    """Edit an episode; with `shift_tasks`, a new air date moves its open
    tasks by as many days (done and cancelled ones stay). Returns the moves."""
    project = episode.project
    _check_plan(project, by)
    current = Episode.objects.select_for_update().get(pk=episode.pk)
    bump_revision(project.pk)
    current.project = project
    old_air = current.air_date
    for name, value in fields.items():
        setattr(current, name, value)
    current.full_clean()
    current.save()
    shifts = []
    if shift_tasks and old_air and current.air_date and current.air_date != old_air:
        shifts = _shift(current, old_air, by=by)
    for field in Episode._meta.concrete_fields:
        setattr(episode, field.attname, getattr(current, field.attname))
    return shifts


def episode_shift_air_date(*, episode: Episode, to, by) -> list[run_of_show.Shift]:
    """Move the air date and the episode's open tasks with it, one record each."""
    return episode_update(episode=episode, by=by, shift_tasks=True, air_date=to)


def plan_air_date_shift(episode: Episode, to) -> list[run_of_show.Shift]:
    """What moving the air date to `to` would do to the open tasks (a preview)."""
    if not (episode.air_date and to) or to == episode.air_date:
        return []
    days = (to - episode.air_date).days
    return run_of_show.plan_shift(
        shiftable_tasks(episode), days, zone=episode.project.tzinfo
    )


def _day(day) -> str:
    return f"{day.day} {day:%b} {day.year}"


def _shift(episode: Episode, old_air, *, by) -> list[run_of_show.Shift]:
    days = (episode.air_date - old_air).days
    tasks = shiftable_tasks(episode).select_for_update(of=("self",))
    shifts = run_of_show.plan_shift(tasks, days, zone=episode.project.tzinfo)
    note = f"The air date moved from {_day(old_air)} to {_day(episode.air_date)}."
    for shift in shifts:
        task = shift.task
        old = task.due_date if task.due_date else task.starts_at
        try:
            if shift.due_date:
                validate_day(shift.due_date)
            if shift.starts_at:
                validate_moment_in(shift.starts_at, episode.project.tzinfo)
        except ValidationError:
            raise ValidationError(
                {
                    "air_date": f"{task.key} would fall outside the dates Slate "
                    f"accepts. {OUT_OF_RANGE}"
                }
            ) from None
        task.due_date, task.starts_at, task.ends_at = (
            shift.due_date,
            shift.starts_at,
            shift.ends_at,
        )
        task.version += 1
        task.save(
            update_fields=["due_date", "starts_at", "ends_at", "version", "updated_at"]
        )
        # One record per task: its due date, or its slot when it has no date.
        field = "due_date" if shift.due_date else "starts_at"
        _record(
            task,
            by,
            Activity.Verb.CHANGED,
            field=field,
            old_value=_as_recorded(old),
            new_value=_as_recorded(getattr(task, field)),
            note=note,
        )
    return shifts


def run_of_show_plan(
    *, episode: Episode, template: RunOfShow
) -> list[run_of_show.Planned]:
    """The tasks `template` makes for `episode`, by due date; the lines that
    already made one for it say which."""
    if episode.air_date is None:
        raise ValidationError(
            {
                "air_date": "Give the episode an air date: a template's tasks "
                "are dated back from it."
            }
        )
    project = episode.project
    crew = Membership.objects.filter(project=project).with_people().in_crew_order()
    lines = list(template.lines.select_related("role", "assignee"))
    made = {}
    if episode.pk:
        made = {
            task.made_from_id: task
            for task in Task.objects.filter(episode=episode, made_from__in=lines)
        }
    return run_of_show.plan(episode, lines, list(crew), zone=project.tzinfo, made=made)


@transaction.atomic
def run_of_show_apply(*, episode: Episode, template: RunOfShow, by) -> list[Task]:
    """Make the episode's tasks from a template, each through task_create with
    its record; a line that already made one for this episode makes none."""
    project = episode.project
    _check_plan(project, by)
    if template.project_id != project.pk:
        raise ValidationError(
            {"template": "That template belongs to another production."}
        )
    # Two people applying at once: the second waits, then finds the tasks made.
    list(Episode.objects.select_for_update().filter(pk=episode.pk).values_list("pk"))
    created = []
    for planned in run_of_show_plan(episode=episode, template=template):
        if planned.made is not None:
            continue
        task = task_create(
            project=project,
            by=by,
            title=planned.title,
            kind=planned.kind,
            priority=planned.priority,
            due_date=planned.due_date,
            starts_at=planned.starts_at,
            ends_at=planned.ends_at,
            description=planned.description,
            assignee=planned.assignee,
            reviewer=planned.reviewer,
            episode=episode,
        )
        Task.objects.filter(pk=task.pk).update(made_from=planned.line)
        task.made_from = planned.line
        created.append(task)
    return created


@transaction.atomic
def run_of_show_create(*, project: Project, by, name: str) -> RunOfShow:
    """A new, empty run-of-show template of the production."""
    _check_plan(project, by)
    template = RunOfShow(project=project, name=name)
    template.full_clean()
    template.save()
    return template


@transaction.atomic
def run_of_show_line_save(*, line: RunOfShowLine, by) -> RunOfShowLine:
    """Add a duty to a template, or save the changes made to one."""
    _check_plan(line.template.project, by)
    line.full_clean()
    line.save()
    return line


@transaction.atomic
def run_of_show_line_remove(*, line: RunOfShowLine, by) -> None:
    """Take a duty out of its template; the tasks it made stay, unmarked."""
    _check_plan(line.template.project, by)
    line.delete()


@transaction.atomic
def profile_update(*, user: User, display_name: str, email: str, phone: str) -> User:
    """A person's own profile: only these fields, so that a feed token or a
    login written meanwhile stays as it is."""
    user.display_name, user.email, user.phone = display_name, email, phone
    user.save(update_fields=["display_name", "email", "phone"])
    person_changed(user)
    return user


def person_changed(user: User) -> None:
    """Boards, lists and crew pages name people: their productions' open pages
    bring the new name or contact on their next poll."""
    productions = Membership.objects.filter(user=user).values_list("project_id")
    for project_id in sorted(id for (id,) in productions):
        bump_revision(project_id)
