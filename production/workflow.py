"""Who may do what to a task: the rules of RULES.md, as one table and a few
functions named after what they gate.

Pure Python: every function takes what it needs to know about the user (their
crew role on the task's production, None for someone not on the crew, and
where it matters the ids of the people who report to them there), so that a
page can check a hundred cards without a query each. Services and views both
ask here; a template only shows what these functions allowed. A `can_…`
function answers whether someone may do a thing; its `require_…` twin raises
NotAllowed with the one sentence that says why not, for views and services
alike.
"""

from collections.abc import Collection
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

from production.models import CrewRole, Task

S = Task.Status

# Who may make a move: a right of their role, or what they are to the task.
APPROVER = "an approver"
ASSIGNEE = "the assignee"
AUTHOR = "its author"
REVIEWER = "the reviewer, when not an approver"
REVIEWER_OR_APPROVER = "the reviewer or an approver"


@dataclass(frozen=True)
class Move:
    source: str
    target: str
    label: str
    who: str
    # What the move does, as a refusal says it: "Only {who} may {action}."
    action: str
    needs_note: bool = False

    def __post_init__(self):
        # Plain strings, not Task.Status members: a board writes a move's
        # target into a few hundred attributes, and a member's str() goes
        # through the enum's machinery each time. Equal either way.
        object.__setattr__(self, "source", str(self.source))
        object.__setattr__(self, "target", str(self.target))

    @property
    def is_decision(self) -> bool:
        """A final decision (approve, decide a pitch, cancel, reopen, restore)."""
        return self.who == APPROVER

    @property
    def sends_up(self) -> bool:
        """The one move that keeps the status: the task goes to another reviewer."""
        return self.source == self.target

    @property
    def element_id(self) -> str:
        """The id of this move's form on a page, from its target status: a page
        offers one move a target (move_actions); sending up names itself, as
        its target is where the task already is."""
        return f"move-{self.target}-send-up" if self.sends_up else f"move-{self.target}"


OPEN_WORK = (S.TODO, S.IN_PROGRESS, S.REVIEW, S.CHANGES)

# RULES.md's table. A (source, target) pair may have two moves for different
# people (withdrawing a pitch, declining it): the first that applies to the
# user is the one they make, so an approver's own pitch reads "Withdraw pitch".
MOVES = [
    Move(S.PROPOSED, S.TODO, "Accept pitch", APPROVER, "accept this pitch"),
    Move(S.PROPOSED, S.CANCELLED, "Withdraw pitch", AUTHOR, "withdraw this pitch"),
    Move(S.PROPOSED, S.CANCELLED, "Decline pitch", APPROVER, "decline this pitch"),
    Move(S.TODO, S.IN_PROGRESS, "Start", ASSIGNEE, "start this task"),
    Move(
        S.IN_PROGRESS,
        S.REVIEW,
        "Submit for review",
        ASSIGNEE,
        "submit this task for review",
    ),
    Move(S.REVIEW, S.IN_PROGRESS, "Withdraw", ASSIGNEE, "withdraw this task"),
    Move(S.REVIEW, S.REVIEW, "Send up", REVIEWER, "send this task up"),
    Move(S.REVIEW, S.DONE, "Approve", APPROVER, "approve this task"),
    Move(
        S.REVIEW,
        S.CHANGES,
        "Request changes",
        REVIEWER_OR_APPROVER,
        "request changes to this task",
        needs_note=True,
    ),
    Move(S.CHANGES, S.IN_PROGRESS, "Resume", ASSIGNEE, "resume this task"),
    Move(S.CHANGES, S.REVIEW, "Resubmit", ASSIGNEE, "resubmit this task"),
    Move(S.DONE, S.IN_PROGRESS, "Reopen", APPROVER, "reopen this task"),
    *(
        Move(status, S.CANCELLED, "Cancel task", APPROVER, "cancel this task")
        for status in OPEN_WORK
    ),
    Move(S.CANCELLED, S.TODO, "Restore", APPROVER, "restore this task"),
]
MOVES_FROM = {
    status: [move for move in MOVES if move.source == status] for status in S.values
}

# The history's words for an approver's decision on their own task.
OWN_DECISION = "Decided on their own task."


class NotAllowed(PermissionDenied):
    """The workflow refuses this; the message says why, for a 403 page."""


NOT_CREW = "You are not on this production's crew."


def require_crew(role: CrewRole | None) -> None:
    if role is None:
        raise NotAllowed(NOT_CREW)


def _same_person(person_id, user) -> bool:
    """Whether the person a task names by id (assignee, author, reviewer) is `user`."""
    return person_id is not None and person_id == user.pk


def _may(move: Move, task: Task, user, role: CrewRole) -> bool:
    """Whether this crew member is someone who may make this move."""
    if move.who == APPROVER:
        return role.can_approve
    if move.who == ASSIGNEE:
        return _same_person(task.assignee_id, user)
    if move.who == AUTHOR:
        return _same_person(task.created_by_id, user)
    if move.who == REVIEWER:
        return _same_person(task.reviewer_id, user) and not role.can_approve
    return role.can_approve or _same_person(task.reviewer_id, user)


def read_only_reason(task: Task) -> str:
    """Why nobody may change this task now (edit, move, comment); "" if they may."""
    if task.project.archived:
        return "This production is archived; its tasks can no longer change."
    if task.archived:
        return "This task is archived; it can no longer change."
    return ""


def is_read_only(task: Task) -> bool:
    return bool(read_only_reason(task))


def require_writable(task: Task) -> None:
    if reason := read_only_reason(task):
        raise NotAllowed(reason)


def move_actions(task: Task, user, role: CrewRole | None) -> list[Move]:
    """The moves this user may make on this task now, in the table's order,
    one per target status."""
    if role is None or not user.is_authenticated or is_read_only(task):
        return []
    moves, targets = [], set()
    for move in MOVES_FROM[task.status]:
        if move.target not in targets and _may(move, task, user, role):
            moves.append(move)
            targets.add(move.target)
    return moves


def require_move(task: Task, user, role: CrewRole | None, target: str) -> Move:
    """The move to `target` this user would make, or NotAllowed saying why not."""
    if target not in S.values:
        raise NotAllowed(f"“{target}” is not a status.")
    require_crew(role)
    require_writable(task)
    candidates = [move for move in MOVES_FROM[task.status] if move.target == target]
    if not candidates:
        raise NotAllowed(
            f"A task cannot go from {S(task.status).label} to {S(target).label}."
        )
    for move in candidates:
        if _may(move, task, user, role):
            return move
    raise NotAllowed(
        " ".join(f"Only {move.who} may {move.action}." for move in candidates)
    )


def send_up_to(task: Task, crew) -> int | None:
    """Whom a task sent up goes to: the first person up the reviewer's line
    whose role may approve, else the crew's first approver; never the assignee.

    `crew`: the production's memberships with their roles, in crew order.
    """
    members = {member.user_id: member for member in crew}

    def decides(member) -> bool:
        return member.role.can_approve and member.user_id != task.assignee_id

    seen = {task.reviewer_id}
    reviewer = members.get(task.reviewer_id)
    boss = reviewer.reports_to_id if reviewer else None
    # The line never loops (Membership.clean); `seen` guards it all the same.
    while boss is not None and boss not in seen and boss in members:
        if decides(members[boss]):
            return boss
        seen.add(boss)
        boss = members[boss].reports_to_id
    return next((member.user_id for member in crew if decides(member)), None)


def require_send_up_to(task: Task, crew) -> int:
    """Whom the task goes up to (send_up_to), or NotAllowed when nobody may take it."""
    if (to := send_up_to(task, crew)) is None:
        raise NotAllowed("Nobody else on this crew may approve it: it cannot go up.")
    return to


def can_comment(task: Task, role: CrewRole | None) -> bool:
    return role is not None and not is_read_only(task)


def require_comment(task: Task, role: CrewRole | None) -> None:
    if role is None:
        raise NotAllowed("Only crew of this production may comment.")
    require_writable(task)


def can_pitch(project, role: CrewRole | None) -> bool:
    """Any crew member may pitch, while the production is not archived."""
    return role is not None and not project.archived


def can_create_tasks(project, role: CrewRole | None, *, has_crew: bool) -> bool:
    """Tasks that start To do: crew who may assign, and anyone with crew of
    their own (for those people); everyone else pitches."""
    return can_pitch(project, role) and (role.can_assign or has_crew)


def require_create_task(project, role: CrewRole | None) -> None:
    if role is None:
        raise NotAllowed("Only crew of this production may add tasks to it.")
    if project.archived:
        raise NotAllowed("This production is archived; it takes no new tasks.")


# The fields an edit may change; forms use the same names. A booking's own
# fields are those a booker keeps up to date.
BOOKING_FIELDS = ("guest", "contact", "starts_at", "ends_at", "location", "confirmed")
EDITABLE_FIELDS = (
    "title",
    "kind",
    "description",
    "priority",
    "assignee",
    "reviewer",
    "due_date",
    "episode",
    *BOOKING_FIELDS,
)
# What doing the work changes: the assignee's to edit on their own task.
WORKING_FIELDS = ("description", *BOOKING_FIELDS)
ASSIGN_OWN_CREW = "Give it to someone who reports to you."


def supervises(task: Task, crew_ids: Collection[int]) -> bool:
    """The task's assignee reports to the user (`crew_ids`: who reports to them)."""
    return task.assignee_id is not None and task.assignee_id in crew_ids


def editable_fields(
    task: Task, user, role: CrewRole | None, *, crew_ids: Collection[int] = ()
) -> tuple[str, ...]:
    """The fields this user may change on this task now; () when none.

    Crew who may assign, and the one the assignee reports to, edit it all;
    the assignee edits the working fields (for a booking, its details too).
    """
    if role is None or not user.is_authenticated or is_read_only(task):
        return ()
    if role.can_assign or supervises(task, crew_ids):
        return EDITABLE_FIELDS
    if _same_person(task.assignee_id, user):
        return WORKING_FIELDS if task.is_booking else ("description",)
    return ()


def require_edit(
    task: Task, user, role: CrewRole | None, *, crew_ids: Collection[int] = ()
) -> tuple[str, ...]:
    """The fields this user may change, or NotAllowed saying why there are none."""
    if role is not None:
        require_writable(task)
    fields = editable_fields(task, user, role, crew_ids=crew_ids)
    if not fields:
        raise NotAllowed(
            "Only crew whose role may assign, the assignee or the person they "
            "report to may edit this task."
        )
    return fields


def require_fields(fields: Collection[str], allowed: Collection[str]) -> None:
    """Refuse changing a field beyond those editable_fields allowed."""
    if refused := [name for name in fields if name not in allowed]:
        names = ", ".join(
            str(Task._meta.get_field(name).verbose_name) for name in refused
        )
        raise NotAllowed(
            f"Only crew whose role may assign, or the person the assignee "
            f"reports to, may change this task's {names}."
        )


def can_assign_to(
    role: CrewRole | None, crew_ids: Collection[int], assignee_id
) -> bool:
    """Crew who may assign give work to anyone; others only to their crew."""
    return role is not None and (role.can_assign or assignee_id in crew_ids)


def can_archive(task: Task, role: CrewRole | None) -> bool:
    return can_assign(role) and not is_read_only(task)


def require_archive(task: Task, role: CrewRole | None) -> None:
    if not can_assign(role):
        raise NotAllowed("Only crew whose role may assign can archive tasks.")
    require_writable(task)


def can_restore(project, role: CrewRole | None) -> bool:
    """Bring archived tasks back: who may archive, while the production runs."""
    return can_assign(role) and not project.archived


def require_restore(task: Task, role: CrewRole | None) -> None:
    if not can_assign(role):
        raise NotAllowed("Only crew whose role may assign can restore archived tasks.")
    if task.project.archived:
        raise NotAllowed(read_only_reason(task))


def can_assign(role: CrewRole | None) -> bool:
    """Create, edit, reassign and archive any task of the production."""
    return role is not None and role.can_assign


def can_manage_crew(role: CrewRole | None) -> bool:
    """Bring people onto the crew, change and remove them; archive the production."""
    return role is not None and role.can_manage_crew


def require_archive_project(role: CrewRole | None) -> None:
    if not can_manage_crew(role):
        raise NotAllowed(
            "Only crew whose role may manage the crew can archive this production."
        )


def can_approve(role: CrewRole | None) -> bool:
    return role is not None and role.can_approve


def can_change_in_bulk(role: CrewRole | None) -> bool:
    """The task list's bulk bar: assign, reschedule or move many tasks."""
    return can_assign(role) or can_approve(role)


def require_change_in_bulk(role: CrewRole | None) -> None:
    if not can_change_in_bulk(role):
        raise NotAllowed(
            "Only crew who may assign or approve work can change tasks in bulk."
        )


# --- the crew: who may grant, change and remove whom ----------------------------

# A role's rights, each with the words a refusal uses for it.
CREW_RIGHTS = {
    "can_manage_crew": "manage the crew",
    "can_assign": "assign tasks",
    "can_approve": "approve work",
    "can_be_assigned": "be assigned work",
}

LAST_LEADER = (
    "The production must keep someone who may manage its crew and approve its "
    "work; give that role to someone else first."
)


def _beyond(role: CrewRole, of: CrewRole | None) -> list[str]:
    """The rights `role` has that `of` lacks, in words."""
    return [
        words
        for right, words in CREW_RIGHTS.items()
        if getattr(role, right) and not (of is not None and getattr(of, right))
    ]


def rights_within(role: CrewRole, *, of: CrewRole | None) -> bool:
    """Every right of `role` is one `of` has too."""
    return not _beyond(role, of)


def can_lead(role: CrewRole | None) -> bool:
    """Manage the crew and approve: what a production must always keep."""
    return can_manage_crew(role) and can_approve(role)


def can_grant(role: CrewRole | None, granted: CrewRole) -> bool:
    """A manager gives only roles whose rights are all within their own."""
    return can_manage_crew(role) and rights_within(granted, of=role)


def can_change_member(role: CrewRole | None, member_role: CrewRole) -> bool:
    """A manager changes or removes only members whose rights are within theirs."""
    return can_manage_crew(role) and rights_within(member_role, of=role)


def require_manage_crew(role: CrewRole | None) -> None:
    if not can_manage_crew(role):
        raise NotAllowed("Only crew whose role may manage the crew can change it.")


def require_grant(role: CrewRole | None, granted: CrewRole) -> None:
    require_manage_crew(role)
    if not can_grant(role, granted):
        beyond = " and ".join(_beyond(granted, role))
        raise NotAllowed(
            f"You may not give the role {granted}: it may {beyond}, and yours may not."
        )


def require_change_member(role: CrewRole | None, member) -> None:
    """`member` is a Membership with its user and role."""
    require_manage_crew(role)
    if not can_change_member(role, member.role):
        beyond = " and ".join(_beyond(member.role, role))
        raise NotAllowed(
            f"You may not change or remove {member.user}: their role may "
            f"{beyond}, and yours may not."
        )


def require_a_leader_kept(
    before: CrewRole, after: CrewRole | None, others: list[CrewRole]
) -> None:
    """Refuse a change of one member's role (None: they go) that takes away the
    crew's last manager, or its last member who may manage and approve.

    `others` are the roles of the rest of the crew who may manage it.
    """
    for right in (can_manage_crew, can_lead):
        if right(before) and not right(after) and not any(map(right, others)):
            raise NotAllowed(LAST_LEADER)


def require_crew_open(project) -> None:
    if project.archived:
        raise NotAllowed("This production is archived; its crew can no longer change.")


def can_create_project(user) -> bool:
    """The site permission to add productions, given in the admin."""
    return user.is_authenticated and user.has_perm("production.add_project")


def require_create_project(user) -> None:
    if not can_create_project(user):
        raise NotAllowed(
            "Only people allowed to start productions may create one; "
            "ask an administrator."
        )


# --- episodes and run-of-show templates ----------------------------------------


def can_plan_episodes(project, role: CrewRole | None) -> bool:
    """Create and edit episodes and run-of-show templates, and make an
    episode's tasks from one: crew who may assign, while the production is
    not archived."""
    return can_assign(role) and not project.archived


def require_plan_episodes(project, role: CrewRole | None) -> None:
    if role is not None and project.archived:
        raise NotAllowed(
            "This production is archived; its episodes and templates can no "
            "longer change."
        )
    if not can_plan_episodes(project, role):
        raise NotAllowed(
            "Only crew whose role may assign tasks can plan episodes and "
            "run-of-show templates."
        )
