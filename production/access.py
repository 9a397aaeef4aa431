"""The one door to a production's data: everything is scoped to the user's crew.

Views fetch projects, tasks and crew through these functions only, so a
production the user is not on does not exist for them (a 404, never a 403
that would confirm it exists).
"""

from django.http import Http404

from production.models import CrewRole, Membership, Project, Task


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


def get_project(user, code: str) -> tuple[Project, Membership]:
    """The production with this code and the user's membership, or a 404."""
    membership = (
        Membership.objects.filter(user=user, project__code=code)
        .select_related("project", "role")
        .first()
        if user.is_authenticated
        else None
    )
    if membership is None:
        raise Http404("No such production.")
    return membership.project, membership


def get_task(user, key: str, *, for_update: bool = False) -> tuple[Task, CrewRole]:
    """The task with this key and the user's role on its production, or a 404."""
    code, _, _ = key.partition("-")
    project, membership = get_project(user, code)
    tasks = Task.objects.select_related(
        "assignee", "reviewer", "episode", "created_by"
    ).filter(project=project, archived=False)
    if for_update:
        tasks = tasks.select_for_update(of=("self",))
    task = tasks.filter(key=key).first()
    if task is None:
        raise Http404("No such task.")
    task.project = project
    return task, membership.role
