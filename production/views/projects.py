"""My productions: the list with open and overdue counts, create, archive."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from production import services, workflow
from production.access import get_project, projects_for, tasks_for
from production.forms import ProjectForm, add_service_errors
from production.models import Task


def _open_and_overdue(user, project_ids: list[int]) -> dict[int, tuple[int, int]]:
    """{project id: (open tasks, overdue ones)}, in one query.

    Counted from the tasks alone, which the board's index (project, status,
    archived, ..., due_date) covers: no table row is read. Joined from the
    productions and grouped by their every column, it read all of a
    production's tasks, open or not, and cost twice as much at 5,000 tasks.
    """
    open_tasks = tasks_for(user).filter(
        project_id__in=project_ids, status__in=Task.OPEN_STATUSES
    )
    overdue = Q(due_date__lt=timezone.localdate())
    return {
        project_id: (open_count, overdue_count)
        for project_id, open_count, overdue_count in open_tasks.order_by()
        .values_list("project_id")
        .annotate(open_count=Count("pk"), overdue_count=Count("pk", filter=overdue))
    }


@require_GET
@login_required
def project_list(request):
    """The productions I am on, with their open and overdue task counts."""
    user = request.user
    projects = list(
        projects_for(user).with_my_membership(user).order_by("name", "code")
    )
    counts = _open_and_overdue(user, [project.pk for project in projects])
    for project in projects:
        project.open_count, project.overdue_count = counts.get(project.pk, (0, 0))
        project.my_role = project.mine[0].role
        project.can_manage = workflow.can_manage_crew(project.my_role)
    context = {
        "active": [project for project in projects if not project.archived],
        "archived": [project for project in projects if project.archived],
        "can_create": workflow.can_create_project(user),
    }
    return render(request, "production/project_list.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def project_create(request):
    """Start a production (a site permission) and run it as supervising producer."""
    # Asked before the form is read: a refusal is a 403 whatever was posted.
    workflow.require_create_project(request.user)
    form = ProjectForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        except IntegrityError:
            # Someone took the same code between our check and the save.
            form.add_error("code", "That code is taken; choose another.")
        else:
            messages.success(
                request,
                f"{project.name} is ready. You are its supervising producer: "
                "bring in your crew next.",
            )
            return redirect(project)
    status = 400 if form.is_bound else 200
    return render(
        request, "production/project_form.html", {"form": form}, status=status
    )


@require_POST
@login_required
def project_archive(request, code):
    """Archive a production or bring it back (crew who may manage it)."""
    project, _ = get_project(request.user, code)
    # The service refuses anyone whose role may not manage the crew.
    services.project_archive(
        project=project, by=request.user, archived=not project.archived
    )
    if project.archived:
        messages.success(
            request,
            f"{project.name} is archived: its tasks are kept but can no longer change.",
        )
    else:
        messages.success(request, f"{project.name} is active again.")
    return redirect("project-list")
