"""Writes that touch several models, each in one transaction with its record.

Every function checks the workflow first (raising NotAllowed, a 403), then
validates (raising ValidationError), then writes the change and its Activity.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from production import workflow
from production.access import role_on
from production.models import (
    COMMENT_MAX_LENGTH,
    Activity,
    Comment,
    CrewRole,
    Membership,
    Project,
    Task,
)
from production.workflow import NotAllowed

# The fields an edit may change; forms use the same names.
EDITABLE_FIELDS = (
    "title",
    "kind",
    "description",
    "priority",
    "assignee",
    "reviewer",
    "due_date",
    "episode",
    "guest",
    "contact",
    "starts_at",
    "ends_at",
    "location",
    "confirmed",
)


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


def _shown(value) -> str:
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
    Project.objects.filter(pk=project.pk).update(
        last_task_number=F("last_task_number") + count
    )
    last = Project.objects.values_list("last_task_number", flat=True).get(pk=project.pk)
    project.last_task_number = last
    return range(last - count + 1, last + 1)


@transaction.atomic
def task_create(*, project: Project, by, **fields) -> Task:
    """A new task; crew who may not assign create a pitch instead."""
    role = role_on(by, project.pk)
    if not workflow.can_pitch(role):
        raise NotAllowed("Only crew of this production may add tasks to it.")
    if project.archived:
        raise NotAllowed("This production is archived; it takes no new tasks.")
    _check_fields(fields)
    task = Task(project=project, created_by=by, **fields)
    if workflow.can_assign(role):
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
            new_value=_shown(task.assignee),
        )
    return task


def _check_fields(fields) -> None:
    # A programming error, not input: forms only post editable fields.
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not task fields: {sorted(unknown)}")


def _locked(task: Task) -> Task:
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
    if not workflow.can_assign(role):
        raise NotAllowed("Only crew whose role may assign can edit tasks.")
    if workflow.is_read_only(current):
        raise NotAllowed("This task is archived; it can no longer change.")
    if current.version != version:
        raise StaleEdit(current, _missed(current, version))
    changes = []
    for field, new in fields.items():
        old = getattr(current, field)
        if old != new:
            changes.append(Change(field, old, new))
            setattr(current, field, new)
    if not changes:
        return []
    assignee_changed = any(change.field == "assignee" for change in changes)
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
            old_value=_shown(change.old),
            new_value=_shown(change.new),
        )
    _refresh(task, current)
    return changes


def _refresh(task: Task, current: Task) -> None:
    """Bring the caller's instance up to date with what was saved."""
    for field in Task._meta.concrete_fields:
        setattr(task, field.attname, getattr(current, field.attname))


@transaction.atomic
def task_move(*, task: Task, to: str, by, note: str = "") -> Task:
    """Move a task to another status, if the workflow lets this user."""
    current = _locked(task)
    role = role_on(by, current.project_id)
    move = workflow.check_move(current, by, role, to)
    note = (note or "").strip()
    if move.needs_note and not note:
        raise ValidationError({"note": "Say what needs to change."})
    if len(note) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            {"note": f"Keep the note under {COMMENT_MAX_LENGTH:,} characters."}
        )
    old = current.status
    current.status = to
    current.status_changed_at = timezone.now()
    current.version += 1
    current.save(update_fields=["status", "status_changed_at", "version", "updated_at"])
    _record(
        current,
        by,
        Activity.Verb.MOVED,
        field="status",
        old_value=old,
        new_value=to,
        note=note,
    )
    _refresh(task, current)
    return task


@transaction.atomic
def task_archive(*, task: Task, by) -> Task:
    """Hide a task from the pages; its record stays."""
    current = _locked(task)
    role = role_on(by, current.project_id)
    if not workflow.can_assign(role):
        raise NotAllowed("Only crew whose role may assign can archive tasks.")
    current.archived = True
    current.version += 1
    current.save(update_fields=["archived", "version", "updated_at"])
    _record(current, by, Activity.Verb.ARCHIVED)
    _refresh(task, current)
    return task


@transaction.atomic
def comment_add(*, task: Task, by, body: str) -> Comment:
    """Add to a task's discussion; any crew member may."""
    role = role_on(by, task.project_id)
    if not workflow.can_comment(role):
        raise NotAllowed("Only crew of this production may comment.")
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "Write something first."})
    if len(body) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            {"body": f"Keep comments under {COMMENT_MAX_LENGTH:,} characters."}
        )
    comment = Comment.objects.create(task=task, author=by, body=body)
    _record(task, by, Activity.Verb.COMMENTED, note=body[:200])
    return comment


def standard_role(name: str) -> CrewRole:
    return CrewRole.objects.get(project__isnull=True, name=name)


@transaction.atomic
def project_create(*, by, **fields) -> Project:
    """A new production; its creator becomes its supervising producer."""
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
    if not workflow.can_manage_crew(role_on(by, project.pk)):
        raise NotAllowed(
            "Only crew whose role may manage the crew can archive this production."
        )
    project.archived = archived
    project.save(update_fields=["archived"])
    return project


def _managers_left(project: Project, *, without: Membership) -> bool:
    return (
        Membership.objects.filter(project=project, role__can_manage_crew=True)
        .exclude(pk=without.pk)
        .exists()
    )


def _check_manager(project: Project, by) -> None:
    if not workflow.can_manage_crew(role_on(by, project.pk)):
        raise NotAllowed("Only crew whose role may manage the crew can change it.")


@transaction.atomic
def membership_add(
    *, project: Project, by, user, role: CrewRole, reports_to=None
) -> Membership:
    """Bring someone onto the crew."""
    _check_manager(project, by)
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
    _check_manager(membership.project, by)
    if (
        membership.role.can_manage_crew
        and not role.can_manage_crew
        and not _managers_left(membership.project, without=membership)
    ):
        raise ValidationError(
            {"role": "Someone on the crew must still be able to manage it."}
        )
    membership.role = role
    membership.reports_to = reports_to
    membership.full_clean()
    membership.save()
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, by) -> None:
    """Take someone off the crew; the last manager cannot be removed."""
    _check_manager(membership.project, by)
    if membership.role.can_manage_crew and not _managers_left(
        membership.project, without=membership
    ):
        raise ValidationError("Someone on the crew must still be able to manage it.")
    membership.delete()
