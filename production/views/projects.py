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
from production.access import get_project, projects_for
from production.forms import ProjectForm, add_service_errors
from production.models import Task


@require_GET
@login_required
def project_list(request):
    """The productions I am on, with their open and overdue task counts."""
    user = request.user
    open_tasks = Q(tasks__status__in=Task.OPEN_STATUSES, tasks__archived=False)
    overdue = open_tasks & Q(tasks__due_date__lt=timezone.localdate())
    projects = (
        projects_for(user)
        .annotate(
            open_count=Count("tasks", filter=open_tasks),
            overdue_count=Count("tasks", filter=overdue),
        )
        .with_my_membership(user)
        .order_by("name", "code")
    )
    for project in projects:
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
