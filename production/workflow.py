"""Who may do what to a task: the rules of PRODUCT.md, as one table.

Pure Python: every function takes the user's crew role on the task's
production (None for someone not on the crew) so that a page can check a
hundred cards without a query each. Services and views both ask here; a
template only shows what these functions allowed.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

from production.models import CrewRole, Task

S = Task.Status

ASSIGNEE = "the assignee"
APPROVER = "an approver"
REVIEWER = "the reviewer or an approver"


@dataclass(frozen=True)
class Move:
    source: str
    target: str
    label: str
    who: str
    needs_note: bool = False


# Deciding a pitch is an approver's alone (PRODUCT.md's table): a pitch has
# no work to review yet, so its reviewer has no say over it.
MOVES = [
    Move(S.PROPOSED, S.TODO, "Accept pitch", APPROVER),
    Move(S.PROPOSED, S.CANCELLED, "Decline pitch", APPROVER),
    Move(S.TODO, S.IN_PROGRESS, "Start", ASSIGNEE),
    Move(S.IN_PROGRESS, S.REVIEW, "Submit for review", ASSIGNEE),
    Move(S.REVIEW, S.IN_PROGRESS, "Withdraw", ASSIGNEE),
    Move(S.REVIEW, S.DONE, "Approve", REVIEWER),
    Move(S.REVIEW, S.CHANGES, "Request changes", REVIEWER, needs_note=True),
    Move(S.CHANGES, S.IN_PROGRESS, "Resume", ASSIGNEE),
    Move(S.DONE, S.IN_PROGRESS, "Reopen", REVIEWER),
    Move(S.TODO, S.CANCELLED, "Cancel", REVIEWER),
    Move(S.IN_PROGRESS, S.CANCELLED, "Cancel", REVIEWER),
    Move(S.REVIEW, S.CANCELLED, "Cancel", REVIEWER),
    Move(S.CHANGES, S.CANCELLED, "Cancel", REVIEWER),
    Move(S.CANCELLED, S.TODO, "Restore", REVIEWER),
]
MOVES_BY_PAIR = {(move.source, move.target): move for move in MOVES}


class NotAllowed(PermissionDenied):
    """The workflow refuses this; the message says why, for a 403 page."""


def _is(who: str, task: Task, user, role: CrewRole) -> bool:
    if who == ASSIGNEE:
        return task.assignee_id is not None and task.assignee_id == user.pk
    if who == APPROVER:
        return role.can_approve
    return role.can_approve or (
        task.reviewer_id is not None and task.reviewer_id == user.pk
    )


def is_read_only(task: Task) -> bool:
    return task.archived or task.project.archived


def move_actions(task: Task, user, role: CrewRole | None) -> list[Move]:
    """The moves this user may make on this task now, in the table's order."""
    if role is None or not user.is_authenticated or is_read_only(task):
        return []
    return [
        move
        for move in MOVES
        if move.source == task.status and _is(move.who, task, user, role)
    ]


def allowed_moves(task: Task, user, role: CrewRole | None = None) -> set[str]:
    """The statuses this user may move this task to now.

    Pass the user's role on the task's production where the caller has it;
    without it, it is looked up (one query).
    """
    if role is None:
        from production.access import role_on

        role = role_on(user, task.project_id)
    return {move.target for move in move_actions(task, user, role)}


def check_move(task: Task, user, role: CrewRole | None, target: str) -> Move:
    """The move to `target`, or NotAllowed saying why not."""
    if target not in S.values:
        raise NotAllowed(f"“{target}” is not a status.")
    if role is None:
        raise NotAllowed("You are not on this production's crew.")
    if is_read_only(task):
        raise NotAllowed("This task is archived; it can no longer change.")
    move = MOVES_BY_PAIR.get((task.status, target))
    if move is None:
        raise NotAllowed(
            f"A task cannot go from {S(task.status).label} to {S(target).label}."
        )
    if not _is(move.who, task, user, role):
        raise NotAllowed(f"Only {move.who} may {move.label.lower()} this task.")
    return move


def can_view(role: CrewRole | None) -> bool:
    return role is not None


def can_comment(role: CrewRole | None) -> bool:
    return role is not None


def can_pitch(role: CrewRole | None) -> bool:
    return role is not None


def can_assign(role: CrewRole | None) -> bool:
    """Create, edit and reassign tasks."""
    return role is not None and role.can_assign


def can_manage_crew(role: CrewRole | None) -> bool:
    return role is not None and role.can_manage_crew


def can_approve(role: CrewRole | None) -> bool:
    return role is not None and role.can_approve
