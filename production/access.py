"""The one door to a production's data: everything is scoped to the user's crew.

Views fetch projects, tasks and crew through these functions only, so a
production the user is not on does not exist for them (a 404, never a 403
that would confirm it exists).
"""

from django.db.models import Exists, F, OuterRef, Prefetch, QuerySet, Subquery
from django.http import Http404

from production import workflow
from production.models import Activity, CrewRole, Membership, Project, Task
from production.prepared import STAND_IN_ID, STAND_IN_TEXT, Joined, Prepared


def projects_for(user):
    """The productions this user is crew of."""
    if not user.is_authenticated:
        return Project.objects.none()
    return Project.objects.filter(memberships__user=user)


def tasks_for(user):
    """Every task on this user's productions, archived ones excluded."""
    if not user.is_authenticated:
        return Task.objects.none()
    return Task.objects.filter(
        project__memberships__user=user, archived=False
    ).select_related("project")


def tasks_of(project_ids):
    """The tasks of these productions, archived ones excluded; the ids the
    user's own, got through get_project or projects_for. Without tasks_for's
    join through the memberships, which a query repeated for each day of a
    month (views/calendar.py) paid for in each of its parts."""
    return Task.objects.filter(project_id__in=project_ids, archived=False)


def open_work_of(user):
    """The user's own open tasks on productions still running: my work and the
    daily digest."""
    return tasks_for(user).filter(
        assignee=user, status__in=Task.OPEN_STATUSES, project__archived=False
    )


def crew_tasks_for(user):
    """The tasks of the people who report to this user, on the productions
    where they do: "my crew's work"."""
    theirs = Membership.objects.filter(
        project=OuterRef("project"), user=OuterRef("assignee"), reports_to=user
    )
    return tasks_for(user).filter(Exists(theirs))


def awaiting_review_by(user, approver_project_ids):
    """Tasks in review that wait for this user: theirs to review and, on the
    productions where they may approve, those with no reviewer."""
    theirs, nobodys = awaiting_review_parts(user, approver_project_ids)
    return theirs | nobodys


def awaiting_review_parts(user, approver_project_ids) -> tuple[QuerySet, QuerySet]:
    """awaiting_review_by's two parts, each a plain range of the index
    task_review that the database reads in order: with their OR in one
    query, it read every task in review that waits for nobody and sorted
    them."""
    in_review = tasks_for(user).filter(
        status=Task.Status.REVIEW, project__archived=False
    )
    return (
        in_review.filter(reviewer=user),
        in_review.filter(reviewer__isnull=True, project_id__in=approver_project_ids),
    )


def role_on(user, project_id) -> CrewRole | None:
    """The user's crew role on a production, or None if they are not crew."""
    if not user.is_authenticated:
        return None
    membership = (
        Membership.objects.filter(user=user, project_id=project_id)
        .select_related("role")
        .first()
    )
    return membership.role if membership else None


# Every production page and action starts here: its query, the membership
# with its production and role as select_related would read them, compiled
# once (production/prepared.py).
_MEMBERSHIP_ROW = Joined(Membership, "project", "role")
_MEMBERSHIP = Prepared(
    lambda user_id, code: (
        Membership.objects.filter(user_id=user_id, project__code=code)
        .with_has_crew(user_id)
        .values_list(*_MEMBERSHIP_ROW.columns(), "has_crew")[:1]
    ),
    STAND_IN_ID,
    STAND_IN_TEXT,
)
# And every task page and action: the task with its people and episode.
_TASK_ROW = Joined(Task, "assignee", "reviewer", "episode", "created_by")
_TASK = Prepared(
    lambda project_id, key: Task.objects.filter(
        project_id=project_id, archived=False, key=key
    ).values_list(*_TASK_ROW.columns())[:1],
    STAND_IN_ID,
    STAND_IN_TEXT,
)


def _membership(user, code: str) -> Membership | None:
    """The user's membership of the production with this code."""
    found = _MEMBERSHIP.rows(user.pk, code) if user.is_authenticated else None
    if not found:
        return None
    membership, (has_crew,) = _MEMBERSHIP_ROW.load(found[0])
    membership.has_crew = has_crew
    return membership


def get_project(user, code: str) -> tuple[Project, Membership]:
    """The production with this code and the user's membership, or a 404.

    The membership knows whether anyone reports to the user (`has_crew`) and
    so whether they create tasks or pitch (`creates_tasks`): every production
    page's tabs offer one or the other, so the project carries it as
    `my_membership`.
    """
    membership = _membership(user, code)
    if membership is None:
        raise Http404("No such production.")
    project = membership.project
    membership.creates_tasks = workflow.can_create_tasks(
        project, membership.role, has_crew=membership.has_crew
    )
    project.my_membership = membership
    return project, membership


def crew_ids(user, project) -> frozenset[int]:
    """The ids of the people who report to this user on this production.

    One query; none when get_project already found that nobody does.
    """
    known = getattr(project, "my_membership", None)
    if known is not None and known.user_id == user.pk and not known.has_crew:
        return frozenset()
    return frozenset(
        Membership.objects.filter(project=project, reports_to=user).values_list(
            "user_id", flat=True
        )
    )


class ArchivedTask(Http404):
    """The task asked for was archived: its crew are told so (the 404 page),
    where anyone else is told only that there is nothing there."""

    def __init__(self, key: str, code: str):
        super().__init__(f"{key} was archived.")
        self.key, self.code = key, code


def get_task(user, key: str, *, for_update: bool = False) -> tuple[Task, CrewRole]:
    """The task with this key and the user's role on its production, or a 404."""
    code, _, _ = key.partition("-")
    project, membership = get_project(user, code)
    if for_update:
        task = (
            Task.objects.select_related("assignee", "reviewer", "episode", "created_by")
            .select_for_update(of=("self",))
            .filter(project=project, archived=False, key=key)
            .first()
        )
    else:
        found = _TASK.rows(project.pk, key)
        task = _TASK_ROW.load(found[0])[0] if found else None
    if task is None:
        # Asked only on the way to a 404, and only of the production's crew
        # (get_project's 404 came first for anyone else).
        if Task.objects.filter(project=project, key=key, archived=True).exists():
            raise ArchivedTask(key, project.code)
        raise Http404("No such task.")
    task.project = project
    return task, membership.role


def archived_tasks(project):
    """A production's archived tasks (`project` from get_project), the latest
    archived first, each with `archivings`: its archiving records, latest first."""
    archivings = Activity.objects.filter(verb=Activity.Verb.ARCHIVED).order_by(
        "-created_at", "-id"
    )
    latest = archivings.filter(task=OuterRef("pk")).values("created_at")[:1]
    return (
        Task.objects.filter(project=project, archived=True)
        .annotate(archived_at=Subquery(latest))
        .order_by(F("archived_at").desc(nulls_last=True), "-number")
        .prefetch_related(
            Prefetch(
                "activities",
                queryset=archivings.select_related("actor"),
                to_attr="archivings",
            )
        )
    )


def get_archived_task(user, key: str) -> Task:
    """The archived task with this key, on one of the user's productions, or a 404."""
    code, _, _ = key.partition("-")
    project, _ = get_project(user, code)
    task = Task.objects.filter(project=project, archived=True, key=key).first()
    if task is None:
        raise Http404("No such archived task.")
    task.project = project
    return task
